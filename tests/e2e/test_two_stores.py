"""Two stores into one Tryton.

Two Shopify stores: the EU store (its own shop domain, token, webhook secret and currency
EUR) and the US store each have a channel in orders-to-erp, and each store's orders
become sales with that store's reference prefix and sale terms.

A Shopify store and a WooCommerce store: payments-and-invoices, cancellations and
returns-to-erp serve both from one config, each store's change reaching its own sale."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from causeway.hub import Hub
from causeway_sandbox.shopify import SandboxServer
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.woocommerce.server import WooSandboxServer
from tests.e2e.conftest import add_eu_store, buy, erp_sells_in_euros, place_orders
from tests.e2e.harness import hub_config, new_port, serving, settle, subscribe, two_stores_config
from tests.tryton.test_tryton_sale_terms import new_payment_term, new_price_list
from tests.tryton_fixtures import connect

pytestmark = pytest.mark.tryton


def sales(tryton: TrytonServer, prefix: str) -> list[dict[str, Any]]:
    with connect(tryton) as erp:
        return erp.rpc.search_read(
            "sale.sale",
            [["reference", "like", f"{prefix}%"]],
            ["reference", "price_list.name", "payment_term.name", "state"],
        )


def test_orders_of_two_shopify_stores_become_sales_with_each_stores_prefix_and_terms(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    eu_store: SandboxServer,
) -> None:
    run = uuid.uuid4().hex[:6]
    us_prefix, eu_prefix = f"us{run}-", f"eu{run}-"
    with connect(tryton_server) as erp:
        eu_list, eu_term = f"EUR Retail {run}", f"Net 30 {run}"
        new_price_list(erp, eu_list, "1")
        new_payment_term(erp, eu_term, 30)
        erp_sells_in_euros(erp)
    config = hub_config(tmp_path, tryton_server, sandbox.url, new_port())
    add_eu_store(config, eu_store)
    orders = config["flows"]["orders-to-erp"]
    for key in ("source", "reference_prefix", "tax_map"):
        orders.pop(key, None)
    orders["channels"] = [
        {"system": "shop", "reference_prefix": us_prefix},
        {
            "system": "shop_eu",
            "reference_prefix": eu_prefix,
            "price_list": eu_list,
            "payment_term": eu_term,
        },
    ]
    with (
        httpx.Client(base_url=eu_store.url, timeout=30) as eu_shop,
        serving(config, shop, topics=["orders/create"]) as (hub, server),
    ):
        subscribe(eu_shop, server.url, "shop_eu", ["orders/create"])
        place_orders(shop, 2)
        place_orders(eu_shop, 3)
        eu_shop.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
        settle(
            hub,
            shop,
            lambda: (
                len(sales(tryton_server, us_prefix)) == 2
                and len(sales(tryton_server, eu_prefix)) == 3
            ),
        )
    us_sales, eu_sales = sales(tryton_server, us_prefix), sales(tryton_server, eu_prefix)
    assert {s["payment_term."]["name"] for s in eu_sales} == {eu_term}
    assert {(s.get("price_list.") or {}).get("name") for s in eu_sales} == {eu_list}
    assert eu_term not in {(s.get("payment_term.") or {}).get("name") for s in us_sales}
    assert eu_list not in {(s.get("price_list.") or {}).get("name") for s in us_sales}
    assert {s["state"] for s in us_sales + eu_sales} <= {"confirmed", "processing", "done"}


# -- a Shopify store and a WooCommerce store: payments, cancellations, returns -----------

SHOPIFY_TOPICS = ["orders/create", "orders/updated", "orders/paid", "orders/cancelled"]


@dataclass
class ShopifyAndWoo:
    """A hub serving the Shopify store `shop` and the WooCommerce store `woo`, each a
    channel of orders-to-erp with its own reference prefix, and of the flow under test."""

    hub: Hub
    shop: httpx.Client  # the Shopify sandbox's control API
    woo: httpx.Client  # the WooCommerce sandbox's control API
    shop_prefix: str
    woo_prefix: str

    def settle(self, done: Callable[[], bool]) -> None:
        self.woo.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
        settle(self.hub, self.shop, done)

    def sale(self, tryton: TrytonServer, reference: str) -> dict[str, Any] | None:
        found = [s for s in sales(tryton, reference) if s["reference"] == reference]
        return found[0] if found else None


@contextmanager
def shopify_and_woo(
    tmp_path: Path,
    tryton: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    woo: WooSandboxServer,
    store: httpx.Client,
    flow: str,
    settings: dict[str, Any],
) -> Iterator[ShopifyAndWoo]:
    run = uuid.uuid4().hex[:6]
    shop_prefix, woo_prefix = f"s{run}-", f"w{run}-"
    config = two_stores_config(tmp_path, tryton, sandbox.url, woo, shop_prefix, woo_prefix)
    config["flows"][flow] = settings
    topics = SHOPIFY_TOPICS + (["refunds/create"] if flow == "returns-to-erp" else [])
    with serving(config, shop, topics) as (hub, server):
        hub.connectors["woo"].subscribe_webhooks(
            f"{server.url}/webhooks/woo", hub.flows.webhook_topics("woo")
        )
        yield ShopifyAndWoo(hub, shop, store, shop_prefix, woo_prefix)


def shopify_checkout(shop: httpx.Client, sku: str, *, paid: bool = True) -> dict[str, Any]:
    order = {
        "email": f"two-{uuid.uuid4().hex[:6]}@example.com",
        "first_name": "Tess",
        "last_name": "Twostores",
        "lines": [{"sku": sku, "quantity": 2}],
        "tax_rate": "0.10",
        "financial_status": "paid" if paid else "pending",
    }
    response = shop.post("/_sandbox/orders", json=order)
    response.raise_for_status()
    return response.json()["order"]  # type: ignore[no-any-return]


def references(stores: ShopifyAndWoo, shopify: dict[str, Any], woo: dict[str, Any]) -> list[str]:
    return [
        f"{stores.shop_prefix}{shopify['name'].lstrip('#')}",
        f"{stores.woo_prefix}{woo['number']}",
    ]


def test_payments_in_a_shopify_and_a_woocommerce_store_pay_each_invoice_by_its_method(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    woo: WooSandboxServer,
    store: httpx.Client,
) -> None:
    woo_method = f"Woo payments {uuid.uuid4().hex[:6]}"
    payments = {
        "target": "erp",
        "refresh_every": "1h",
        "channels": [{"system": "shop"}, {"system": "woo", "payment_method": woo_method}],
    }
    args = (tmp_path, tryton_server, sandbox, shop, woo, store)
    with shopify_and_woo(*args, "payments-and-invoices", payments) as stores:
        shopify_order = shopify_checkout(shop, "WID-001", paid=False)
        woo_order = buy(store, ("GAD-001", 1), paid=False)
        refs = references(stores, shopify_order, woo_order)
        stores.settle(lambda: all(stores.sale(tryton_server, ref) for ref in refs))

        shop.post(f"/_sandbox/orders/{shopify_order['id']}/pay", json={}).raise_for_status()
        store.post(f"/_sandbox/orders/{woo_order['id']}/status", json={"status": "processing"})

        def invoice_states(reference: str) -> list[str]:
            with connect(tryton_server) as erp:
                return [i.state for i in erp.sale_invoices([reference])[reference].invoices]

        def parked() -> list[dict[str, Any]]:
            return [j for j in stores.hub.jobs.dead() if j["flow"] == "payments-and-invoices"]

        # The WooCommerce store's payment method is not in Tryton yet: its payment is
        # parked naming it; the Shopify store's, booked with the flow's, goes through.
        stores.settle(lambda: invoice_states(refs[0]) == ["paid"] and bool(parked()))
        (waiting,) = parked()
        assert f"no invoice payment method {woo_method!r}" in waiting["last_error"]
        assert waiting["ordering_key"] == f"woo:order:{woo_order['id']}"
        assert invoice_states(refs[1]) == ["draft"]

        with connect(tryton_server) as erp:
            (shop_method,) = erp.rpc.search_read(
                "account.invoice.payment.method",
                [("name", "=", "Shop payments")],
                ["journal", "credit_account", "debit_account"],
            )
            copied = {k: shop_method[k] for k in ("journal", "credit_account", "debit_account")}
            erp.rpc.create("account.invoice.payment.method", [{"name": woo_method, **copied}])
        stores.hub.jobs.replay(waiting["id"])
        stores.settle(lambda: invoice_states(refs[1]) == ["paid"])
        assert parked() == []


def test_cancellations_in_a_shopify_and_a_woocommerce_store_cancel_each_stores_sale(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    woo: WooSandboxServer,
    store: httpx.Client,
) -> None:
    cancellations = {"target": "erp", "channels": [{"system": "shop"}, {"system": "woo"}]}
    args = (tmp_path, tryton_server, sandbox, shop, woo, store)
    with shopify_and_woo(*args, "cancellations", cancellations) as stores:
        shopify_order = shopify_checkout(shop, "SKU-0002")
        woo_order = buy(store, ("SKU-0002", 1))
        kept = buy(store, ("SKU-0003", 1))
        refs = references(stores, shopify_order, woo_order)
        kept_ref = f"{stores.woo_prefix}{kept['number']}"
        stores.settle(lambda: all(stores.sale(tryton_server, r) for r in [*refs, kept_ref]))

        shop.post(f"/_sandbox/orders/{shopify_order['id']}/cancel", json={}).raise_for_status()
        store.post(f"/_sandbox/orders/{woo_order['id']}/status", json={"status": "cancelled"})

        def state(reference: str) -> str:
            sale = stores.sale(tryton_server, reference)
            assert sale is not None
            return str(sale["state"])

        # Each store's sale is found by the prefix orders-to-erp gives that store.
        stores.settle(lambda: [state(r) for r in refs] == ["done", "done"])
        assert state(kept_ref) in ("confirmed", "processing")
        assert stores.hub.jobs.dead() == []


def test_refunds_in_a_shopify_and_a_woocommerce_store_each_become_one_return(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    woo: WooSandboxServer,
    store: httpx.Client,
) -> None:
    returns = {
        "target": "erp",
        "receipt_check_every": "1h",
        "channels": [{"system": "shop"}, {"system": "woo"}],
    }
    args = (tmp_path, tryton_server, sandbox, shop, woo, store)
    with shopify_and_woo(*args, "returns-to-erp", returns) as stores:
        shopify_order = shopify_checkout(shop, "SKU-0004")
        woo_order = buy(store, ("SKU-0004", 2))
        refs = references(stores, shopify_order, woo_order)
        stores.settle(lambda: all(stores.sale(tryton_server, r) for r in refs))

        (line,) = shopify_order["line_items"]
        shopify_refund = shop.post(
            f"/_sandbox/orders/{shopify_order['id']}/refunds",
            json={"lines": [{"line_item_id": line["id"], "quantity": 1, "restock_type": "return"}]},
        ).json()["refund"]
        store.post(f"/_sandbox/orders/{woo_order['id']}/status", json={"status": "completed"})
        (woo_line,) = woo_order["line_items"]
        woo_refund = store.post(
            f"/_sandbox/orders/{woo_order['id']}/refunds",
            json={"line_items": [{"id": woo_line["id"], "quantity": 1, "refund_total": "9.00"}]},
        ).json()

        wanted = [f"{refs[0]}-R{shopify_refund['id']}", f"{refs[1]}-R{woo_refund['id']}"]
        stores.settle(lambda: all(stores.sale(tryton_server, r) for r in wanted))
        worker = stores.hub.new_worker()
        while worker.run_once():
            pass
        for ref in refs:  # one return per refund, whatever was delivered how often
            assert [s["reference"] for s in sales(tryton_server, f"{ref}-R")] == [
                w for w in wanted if w.startswith(f"{ref}-R")
            ]
        assert stores.hub.jobs.dead() == []
