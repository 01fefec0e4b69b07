"""A WooCommerce store and the real Tryton, through the hub: the flows that serve
Shopify serve WooCommerce (the WooCommerce sandbox plays the store)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from causeway.config import parse_config
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine.facts import read_facts
from causeway.engine.schema import inbox
from causeway.hub import Hub
from causeway.observability.alerts import WEBHOOKS_DISABLED, evaluate
from causeway.web.app import create_app
from causeway_sandbox.localserver import BackgroundServer
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.warehouse import open_shipments, ship
from causeway_sandbox.woocommerce.server import WooSandboxServer
from tests.e2e.conftest import CATALOGUE, buy, erp_sales
from tests.e2e.harness import hub_config, new_port, settle, woo_system

pytestmark = pytest.mark.tryton


@pytest.fixture
def config(
    tmp_path: Path, tryton_server: TrytonServer, woo: WooSandboxServer, prefix: str
) -> dict[str, Any]:
    """causeway.yaml of a hub between the WooCommerce store `shop` and the real Tryton."""
    config = hub_config(tmp_path, tryton_server, woo.url, new_port(), prefix=prefix)
    config["systems"]["shop"] = woo_system(woo)
    return config


def start(config: dict[str, Any], *, webhooks: bool = True) -> tuple[Hub, BackgroundServer]:
    """The hub in-process behind its HTTP server, no worker (the test drives one); with
    `webhooks`, the hub itself subscribes the store (as `causeway serve` does)."""
    hub = Hub(parse_config(config, env={}))
    hub.start(workers=0, scheduler=False)
    server = BackgroundServer(create_app(hub), port=config["server"]["port"]).start()
    if webhooks:
        hub.subscribe_webhooks()
    return hub, server


@contextmanager
def running(config: dict[str, Any], store: httpx.Client, *, webhooks: bool = True) -> Iterator[Hub]:
    """start(), and with `webhooks`, once the store has pinged the new webhooks."""
    hub, server = start(config, webhooks=webhooks)
    try:
        if webhooks:
            settle(hub, store, lambda: bool(store.get("/_sandbox/deliveries").json()))
        yield hub
    finally:
        server.stop()
        hub.stop()


def assert_is_the_sale_of(sale: dict[str, Any], order: dict[str, Any]) -> None:
    assert sale["state"] in ("confirmed", "processing"), sale
    assert Decimal(str(sale["total_amount"])) == Decimal(order["total"])
    got = sorted(
        (line["product_code"], Decimal(str(line["quantity"])))
        for line in sale["lines"]
        if line["product_code"] not in ("SHIPPING", "DISCOUNT")
    )
    assert got == sorted((i["sku"], Decimal(i["quantity"])) for i in order["line_items"])


def test_a_woocommerce_purchase_becomes_one_tryton_sale_by_its_webhooks(
    config: dict[str, Any], tryton_server: TrytonServer, store: httpx.Client, prefix: str
) -> None:
    with running(config, store) as hub:
        order = buy(store, ("WID-001", 2), ("GAD-001", 1))
        # order.created and order.updated both arrive; the ERP gets one sale.
        settle(hub, store, lambda: len(erp_sales(tryton_server, prefix)) == 1)
        worker = hub.new_worker()
        while worker.run_once():  # whatever is left changes nothing
            pass
        (sale,) = erp_sales(tryton_server, prefix)
        assert_is_the_sale_of(sale, order)
        assert sale["reference"] == f"{prefix}{order['number']}"


def test_with_its_webhooks_lost_the_reconciling_poll_places_the_sale(
    config: dict[str, Any], tryton_server: TrytonServer, store: httpx.Client, prefix: str
) -> None:
    with running(config, store, webhooks=False) as hub:
        order = buy(store, ("SKU-0003", 3))
        assert hub.run_flow("orders-to-erp") == 1  # the reconciling poll
        settle(hub, store, lambda: len(erp_sales(tryton_server, prefix)) == 1)
        (sale,) = erp_sales(tryton_server, prefix)
        assert_is_the_sale_of(sale, order)


def test_the_erps_stock_reaches_the_woocommerce_store_as_its_stock_quantity(
    config: dict[str, Any], store: httpx.Client
) -> None:
    with running(config, store, webhooks=False) as hub:
        hub.run_flow("stock-to-channels")
        settle(hub, store, lambda: store.get("/_sandbox/stock").json()["WID-001"] != 50)
        published = store.get("/_sandbox/stock").json()
        # Tryton's build stocks 1000 of each, less what earlier tests' sales hold.
        assert all(0 < published[sku] <= 1000 for sku in CATALOGUE), published


def test_a_webhook_woocommerce_disabled_while_the_hub_was_down_is_switched_on_and_alerted(
    config: dict[str, Any], tryton_server: TrytonServer, store: httpx.Client, prefix: str
) -> None:
    hub, server = start(config)
    try:
        settle(hub, store, lambda: bool(store.get("/_sandbox/deliveries").json()))
        assert hub.check_webhooks() == []  # all delivering
        server.stop()  # the hub is down: WooCommerce's deliveries fail
        lost = buy(store, ("WID-001", 1))
        for status in ("on-hold", "processing") * 3:  # more failures than WooCommerce takes
            store.post(f"/_sandbox/orders/{lost['id']}/status", json={"status": status})
            store.post("/_sandbox/deliveries/wait", json={"timeout": 30})
        server = BackgroundServer(create_app(hub), port=config["server"]["port"]).start()

        found = hub.check_webhooks()
        assert "shop:order.updated" in found
        (alert,) = [a for a in evaluate(hub.config, read_facts(hub.store)) if a.subject == "shop"]
        assert alert.kind == WEBHOOKS_DISABLED and "order.updated" in alert.message
        assert hub.check_webhooks() == []  # switched back on

        # What WooCommerce did not deliver comes with the reconciling poll.
        hub.run_flow("orders-to-erp")
        settle(hub, store, lambda: len(erp_sales(tryton_server, prefix)) == 1)
    finally:
        server.stop()
        hub.stop()


def test_a_shipment_done_in_tryton_completes_the_woocommerce_order_with_its_tracking(
    config: dict[str, Any],
    tryton_server: TrytonServer,
    tryton: TrytonConnector,
    woo: WooSandboxServer,
    store: httpx.Client,
    prefix: str,
) -> None:
    config["flows"]["fulfillments-to-channels"] = {
        "source": "erp",
        "targets": ["shop"],
        "every": "1h",
        "tracking_urls": {"UPS": "https://www.ups.com/track?tracknum={number}"},
    }
    with running(config, store, webhooks=False) as hub:
        order = buy(store, ("WID-001", 2), ("GAD-001", 1))
        hub.run_flow("orders-to-erp")
        settle(hub, store, lambda: len(erp_sales(tryton_server, prefix)) == 1)
        (sale,) = erp_sales(tryton_server, prefix)
        (shipment_id,) = open_shipments(tryton.rpc, sale["id"])
        ship(tryton.rpc, shipment_id, tracking_number="1ZWOO0001")

        hub.run_flow("fulfillments-to-channels")
        status = lambda: store.get(f"/_sandbox/orders/{order['id']}").json()["status"]  # noqa: E731
        settle(hub, store, lambda: status() == "completed")
        with httpx.Client(base_url=woo.api_url, auth=woo.auth, timeout=30) as api:
            notes = api.get(f"/orders/{order['id']}/notes").raise_for_status().json()
        (tracking,) = [n for n in notes if "1ZWOO0001" in n["note"]]
        assert "https://www.ups.com/track?tracknum=1ZWOO0001" in tracking["note"]
        assert hub.jobs.dead() == []


def test_an_order_paid_in_woocommerce_gets_its_tryton_invoice_paid(
    config: dict[str, Any],
    tryton_server: TrytonServer,
    tryton: TrytonConnector,
    store: httpx.Client,
    prefix: str,
) -> None:
    config["flows"]["payments-and-invoices"] = {"source": "shop", "target": "erp"}
    with running(config, store) as hub:
        cart = {"lines": [{"sku": "WID-001", "quantity": 2}], "paid": False}
        order = store.post("/_sandbox/purchases", json=cart).raise_for_status().json()
        settle(hub, store, lambda: len(erp_sales(tryton_server, prefix)) == 1)

        # WooCommerce has no payment topic: the order.updated of its payment says it.
        store.post(f"/_sandbox/orders/{order['id']}/status", json={"status": "processing"})

        def invoices() -> list[dict[str, Any]]:
            (sale,) = erp_sales(tryton_server, prefix)
            return tryton.rpc.read(  # type: ignore[no-any-return]
                "account.invoice", sale["invoices"], ["state", "payment_lines", "total_amount"]
            )

        settle(hub, store, lambda: [i["state"] for i in invoices()] == ["paid"])
        (invoice,) = invoices()
        assert len(invoice["payment_lines"]) == 1
        assert Decimal(str(invoice["total_amount"])) == Decimal(order["total"])


def test_an_order_cancelled_in_woocommerce_before_shipment_cancels_the_tryton_sale(
    config: dict[str, Any],
    tryton_server: TrytonServer,
    tryton: TrytonConnector,
    store: httpx.Client,
    prefix: str,
) -> None:
    config["flows"]["cancellations"] = {"source": "shop", "target": "erp"}
    with running(config, store) as hub:
        order = buy(store, ("SKU-0005", 1))
        settle(hub, store, lambda: len(erp_sales(tryton_server, prefix)) == 1)

        # WooCommerce has no cancellation topic: the order.updated at status cancelled.
        store.post(f"/_sandbox/orders/{order['id']}/status", json={"status": "cancelled"})
        settle(hub, store, lambda: erp_sales(tryton_server, prefix)[0]["state"] == "done")
        (sale,) = erp_sales(tryton_server, prefix)
        shipments = tryton.rpc.read("stock.shipment.out", sale["shipments"], ["state"])
        assert {s["state"] for s in shipments} == {"cancelled"}
        assert hub.jobs.dead() == []


def test_a_woocommerce_refund_becomes_one_tryton_return_with_its_credit_note(
    config: dict[str, Any],
    tryton_server: TrytonServer,
    tryton: TrytonConnector,
    woo: WooSandboxServer,
    store: httpx.Client,
    prefix: str,
) -> None:
    config["flows"]["returns-to-erp"] = {
        "channels": [{"system": "shop"}],
        "target": "erp",
        "receipt_check_every": "1h",
    }
    with running(config, store) as hub:
        order = buy(store, ("WID-001", 2), ("GAD-001", 1))
        settle(hub, store, lambda: len(erp_sales(tryton_server, prefix)) == 1)
        # Shipped: WooCommerce completes the order, so a restocked line comes back.
        store.post(f"/_sandbox/orders/{order['id']}/status", json={"status": "completed"})
        widget = next(li for li in order["line_items"] if li["sku"] == "WID-001")
        tax_rate = widget["taxes"][0]["id"]
        refund = store.post(
            f"/_sandbox/orders/{order['id']}/refunds",
            json={
                "reason": "arrived scratched",
                "line_items": [
                    {
                        "id": widget["id"],
                        "quantity": 1,
                        "refund_total": "10.00",
                        "refund_tax": [{"id": tax_rate, "refund_total": "1.00"}],
                    }
                ],
            },
        )
        refund.raise_for_status()
        # WooCommerce has no refund topic: the order's updates list it, again and again.
        with httpx.Client(base_url=woo.api_url, auth=woo.auth, timeout=30) as api:
            for n in range(5):
                # Each delivered before the next: WooCommerce builds a body as it sends it.
                store.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
                store.post("/_sandbox/clock", json={"advance_seconds": 2}).raise_for_status()
                api.put(f"/orders/{order['id']}", json={"customer_note": f"call {n}"})
        ref = f"{prefix}{order['number']}-R{refund.json()['id']}"
        erp_returns = lambda: tryton.rpc.search_read(  # noqa: E731
            "sale.sale",
            [("reference", "like", f"{prefix}{order['number']}-R%")],
            ["reference", "total_amount", "shipment_returns", "invoices"],
        )
        settle(hub, store, lambda: len(erp_returns()) == 1)
        worker = hub.new_worker()
        while worker.run_once():  # the later updates' jobs, each finding it booked
            pass

        (ret,) = erp_returns()
        assert ret["reference"] == ref
        assert Decimal(str(ret["total_amount"])) == Decimal("-11.00")
        lines = tryton.rpc.search_read(
            "sale.line", [("sale", "=", ret["id"])], ["product.code", "quantity"]
        )
        assert [(x["product."]["code"], x["quantity"]) for x in lines] == [("WID-001", -1.0)]
        (parcel,) = tryton.rpc.read("stock.shipment.out.return", ret["shipment_returns"], ["state"])
        assert parcel["state"] == "draft"  # the goods are on their way back
        (credit,) = tryton.rpc.read("account.invoice", ret["invoices"], ["total_amount"])
        assert Decimal(str(credit["total_amount"])) == Decimal("-11.00")

        with hub.store.read() as conn:
            announced = conn.execute(
                select(inbox.c.id).where(inbox.c.topic == "refunds/create")
            ).all()
        assert len(announced) >= 6  # the refund's own update and the five after it
        refund_reads = [
            call
            for call in store.get("/_sandbox/calls").json()
            if call["path"].endswith(f"/orders/{order['id']}/refunds")
        ]
        assert len(refund_reads) == 1  # the refund was read once, when first announced
        assert hub.jobs.dead() == []


def test_a_refund_whose_webhook_was_lost_is_booked_by_the_reconciling_poll(
    config: dict[str, Any],
    tryton_server: TrytonServer,
    tryton: TrytonConnector,
    store: httpx.Client,
    prefix: str,
) -> None:
    config["flows"]["returns-to-erp"] = {"source": "shop", "target": "erp"}  # the one-store form
    with running(config, store, webhooks=False) as hub:
        order = buy(store, ("SKU-0006", 2))
        assert hub.run_flow("orders-to-erp") == 1
        settle(hub, store, lambda: len(erp_sales(tryton_server, prefix)) == 1)
        # Refunded, money only, while WooCommerce delivers nothing to the hub.
        (line,) = order["line_items"]
        refund = store.post(
            f"/_sandbox/orders/{order['id']}/refunds",
            json={
                "api_restock": False,
                "line_items": [{"id": line["id"], "quantity": 1, "refund_total": "11.00"}],
            },
        ).json()
        store.post("/_sandbox/clock", json={"advance_seconds": 5}).raise_for_status()

        def erp_returns() -> list[dict[str, Any]]:
            return tryton.rpc.search_read(  # type: ignore[no-any-return]
                "sale.sale",
                [("reference", "like", f"{prefix}{order['number']}-R%")],
                ["reference", "shipment_returns", "invoices"],
            )

        hub.run_flow("orders-to-erp")
        settle(hub, store, lambda: len(erp_returns()) == 1)
        hub.run_flow("orders-to-erp")  # a later poll finds it booked
        settle(hub, store, lambda: hub.jobs.unfinished() == 0)

        (ret,) = erp_returns()
        assert ret["reference"] == f"{prefix}{order['number']}-R{refund['id']}"
        assert ret["shipment_returns"] == []  # money back only: no goods expected
        (credit,) = tryton.rpc.read("account.invoice", ret["invoices"], ["total_amount"])
        assert Decimal(str(credit["total_amount"])) == Decimal("-12.10")  # 11.00 + 10 % tax
        assert hub.jobs.dead() == []
