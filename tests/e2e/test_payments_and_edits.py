"""Payments and order edits, end to end: the sandbox store, the hub, the real Tryton.

A customer pays an order in the store: its Tryton invoice is posted and paid once,
and the hub's order record shows it. A merchant edits a line before anything
shipped: the Tryton sale follows through an amendment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import timeline
from causeway.hub import Hub
from causeway_sandbox.shopify import SandboxServer
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.testkit import TrytonTestKit
from tests.auth import bearer
from tests.e2e.harness import SECRET, hub_config, new_port, serving, settle

pytestmark = pytest.mark.tryton

TOPICS = ["orders/create", "orders/updated", "orders/paid"]


@pytest.fixture
def hub(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    prefix: str,
) -> Iterator[tuple[Hub, httpx.Client]]:
    port = new_port()
    config = hub_config(tmp_path, tryton_server, sandbox.url, port, prefix=prefix)
    config["flows"]["payments-and-invoices"] = {
        "source": "shop",
        "target": "erp",
        "refresh_every": "1h",
    }
    with (
        serving(config, shop, TOPICS) as (running, server),
        httpx.Client(base_url=server.url, headers=bearer(running, "read")) as api,
    ):
        yield running, api


@pytest.fixture
def erp(tryton_server: TrytonServer) -> Iterator[TrytonConnector]:
    with TrytonConnector(
        tryton_server.url, tryton_server.database, tryton_server.username, tryton_server.password
    ) as connector:
        yield connector


def place(shop: httpx.Client, lines: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    response = shop.post(
        "/_sandbox/orders",
        json={
            "email": f"pay-{uuid.uuid4().hex[:6]}@example.com",
            "first_name": "Pat",
            "last_name": "Payer",
            "lines": lines,
            "tax_rate": "0.10",
            "financial_status": "pending",
            **extra,
        },
    )
    response.raise_for_status()
    return response.json()["order"]  # type: ignore[no-any-return]


def view(api: httpx.Client, order: dict[str, Any]) -> dict[str, Any]:
    response = api.get(f"/api/orders/shop/{order['id']}")
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def in_erp(api: httpx.Client, order: dict[str, Any]) -> Callable[[], bool]:
    return lambda: api.get(f"/api/orders/shop/{order['id']}").json().get("state") == "in_erp"


def sale_of(erp: TrytonConnector, api: httpx.Client, order: dict[str, Any]) -> dict:
    sale_id = int(view(api, order)["ids"]["erp"]["id"])
    return TrytonTestKit(erp).read_sale(sale_id)


def invoices_of(erp: TrytonConnector, sale: dict[str, Any]) -> list[dict[str, Any]]:
    return erp.rpc.read(
        "account.invoice", sale["invoices"], ["number", "state", "payment_lines", "total_amount"]
    )


def quiet(hub: Hub, order: dict[str, Any]) -> Callable[[], bool]:
    """Every job of the order has finished (done, or parked)."""
    return lambda: all(
        j["state"] in ("done", "dead") for j in hub.jobs.for_key(f"shop:order:{order['id']}")
    )


def last_error(hub: Hub, order: dict[str, Any]) -> str | None:
    jobs = hub.jobs.for_key(f"shop:order:{order['id']}")
    return next((j["last_error"] for j in reversed(jobs) if j["state"] == "dead"), None)


def resend(api: httpx.Client, topic: str, payload: dict[str, Any]) -> None:
    """The store sending the same change again as a new event (a new X-Shopify-Event-Id)."""
    body = json.dumps(payload).encode()
    digest = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    api.post(
        "/webhooks/shop",
        content=body,
        headers={
            "X-Shopify-Topic": topic,
            "X-Shopify-Event-Id": f"again-{uuid.uuid4()}",
            "X-Shopify-Hmac-Sha256": digest,
            "Content-Type": "application/json",
        },
    ).raise_for_status()


# -- payments ----------------------------------------------------------------------------


def test_an_order_paid_in_the_store_gets_its_erp_invoice_posted_and_paid(
    hub: tuple[Hub, httpx.Client], shop: httpx.Client, erp: TrytonConnector
) -> None:
    running, api = hub
    order = place(shop, [{"sku": "WID-001", "quantity": 2}, {"sku": "GAD-001", "quantity": 1}])
    settle(running, shop, in_erp(api, order))
    sale = sale_of(erp, api, order)
    assert [i["state"] for i in invoices_of(erp, sale)] == ["draft"]

    shop.post(f"/_sandbox/orders/{order['id']}/pay", json={}).raise_for_status()
    settle(running, shop, lambda: view(api, order)["summary"].get("invoice_state") == "paid")

    (invoice,) = invoices_of(erp, sale)
    assert invoice["state"] == "paid" and len(invoice["payment_lines"]) == 1
    assert (
        Decimal(str(invoice["total_amount"])) == Decimal(order["total_price"]) == Decimal("49.50")
    )
    record = view(api, order)
    assert record["summary"]["invoice_number"] == invoice["number"]
    assert {
        "system": "erp",
        "entity_type": "invoice",
        "id": str(invoice["id"]),
        "state": "paid",
    } in (record["links"])
    assert record["ids"]["erp"]["entity_type"] == "sale"
    with running.store.read() as conn:
        reached = [m.milestone for m in timeline.read(conn, record["hub_id"])]
    assert {"invoiced", "paid"} <= set(reached)


def test_a_second_orders_paid_pays_nothing_twice(
    hub: tuple[Hub, httpx.Client], shop: httpx.Client, erp: TrytonConnector
) -> None:
    running, api = hub
    order = place(shop, [{"sku": "WID-001", "quantity": 1}])
    settle(running, shop, in_erp(api, order))
    paid = shop.post(f"/_sandbox/orders/{order['id']}/pay", json={}).json()["order"]
    settle(running, shop, lambda: view(api, order)["summary"].get("invoice_state") == "paid")

    resend(api, "orders/paid", paid)
    resend(api, "orders/paid", paid)
    settle(running, shop, quiet(running, order))

    (invoice,) = invoices_of(erp, sale_of(erp, api, order))
    assert invoice["state"] == "paid" and len(invoice["payment_lines"]) == 1
    assert last_error(running, order) is None


def test_a_payment_that_does_not_match_the_invoice_is_parked_with_the_reason(
    hub: tuple[Hub, httpx.Client], shop: httpx.Client, erp: TrytonConnector
) -> None:
    running, api = hub
    order = place(shop, [{"sku": "WID-001", "quantity": 1}])
    settle(running, shop, in_erp(api, order))
    # A payload claiming a different amount than the ERP sale's 11.00.
    wrong = {**order, "financial_status": "paid", "current_total_price": "9.00"}
    wrong |= {"total_price": "9.00", "total_outstanding": "0.00", "updated_at": order["updated_at"]}
    resend(api, "orders/paid", wrong)
    settle(running, shop, lambda: last_error(running, order) is not None)

    assert "received 9.00 USD but the invoice total is 11.00" in str(last_error(running, order))
    (invoice,) = invoices_of(erp, sale_of(erp, api, order))
    assert invoice["state"] == "draft" and not invoice["payment_lines"]


def test_the_scheduled_run_reads_back_an_invoice_paid_in_the_erp(
    hub: tuple[Hub, httpx.Client], shop: httpx.Client, erp: TrytonConnector
) -> None:
    running, api = hub
    order = place(shop, [{"sku": "GAD-001", "quantity": 1}])
    settle(running, shop, in_erp(api, order))
    reference = view(api, order)["summary"]["reference"]
    # A bookkeeper pays it in Tryton; the store never says so.
    erp.pay_sale_invoices(
        reference, Decimal("27.50"), "USD", payment_method="Shop payments", note=""
    )

    assert running.run_flow("payments-and-invoices") == 1
    settle(running, shop, lambda: view(api, order)["summary"].get("invoice_state") == "paid")
    assert view(api, order)["summary"]["invoice_total"] == "27.50"


def test_a_payment_for_an_order_not_yet_in_the_erp_waits_for_it(
    hub: tuple[Hub, httpx.Client], shop: httpx.Client, erp: TrytonConnector
) -> None:
    running, api = hub
    sku = f"NEW-{uuid.uuid4().hex[:6]}"
    shop.post(
        "/_sandbox/products", json={"title": sku, "sku": sku, "price": "12.00", "quantity": 5}
    ).raise_for_status()
    order = place(shop, [{"sku": sku, "quantity": 1}])  # the ERP does not know the SKU yet
    settle(running, shop, lambda: last_error(running, order) is not None)
    shop.post(f"/_sandbox/orders/{order['id']}/pay", json={}).raise_for_status()
    shop.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
    running.new_worker().run_until_idle()
    jobs = running.jobs.for_key(f"shop:order:{order['id']}")
    waiting = [j for j in jobs if j["flow"] == "payments-and-invoices" and j["state"] != "done"]
    assert waiting and "not in erp yet" in str(waiting[0]["last_error"])

    TrytonTestKit(erp).ensure_product(sku, sku, Decimal(12), Decimal(5), Decimal(10))
    parked = [j for j in jobs if j["state"] == "dead"]
    assert parked and all(j["flow"] == "orders-to-erp" for j in parked)
    for job in parked:
        assert running.jobs.replay(job["id"]) == 1
    settle(running, shop, lambda: view(api, order)["summary"].get("invoice_state") == "paid")
    (invoice,) = invoices_of(erp, sale_of(erp, api, order))
    assert invoice["state"] == "paid" and Decimal(str(invoice["total_amount"])) == Decimal("13.20")


# -- order edits --------------------------------------------------------------------------


def test_an_edited_line_quantity_before_shipment_changes_the_erp_sale(
    hub: tuple[Hub, httpx.Client], shop: httpx.Client, erp: TrytonConnector
) -> None:
    running, api = hub
    order = place(shop, [{"sku": "WID-001", "quantity": 2}, {"sku": "GAD-001", "quantity": 1}])
    settle(running, shop, in_erp(api, order))

    shop.post(
        f"/_sandbox/orders/{order['id']}/edit",
        json={"lines": [{"sku": "WID-001", "quantity": 4}, {"sku": "GAD-001", "quantity": 0}]},
    ).raise_for_status()
    settle(running, shop, lambda: view(api, order)["summary"].get("erp_total") == "44.00")

    sale = sale_of(erp, api, order)
    quantities = {line["product_code"]: Decimal(str(line["quantity"])) for line in sale["lines"]}
    assert quantities == {"WID-001": 4, "GAD-001": 0}
    assert Decimal(str(sale["total_amount"])) == Decimal("44.00")
    amendments = erp.rpc.search_read("sale.amendment", [("sale", "=", sale["id"])], ["state"])
    assert [a["state"] for a in amendments] == ["validated"]
    assert last_error(running, order) is None


def test_an_edit_after_shipping_started_is_parked_with_what_to_do(
    hub: tuple[Hub, httpx.Client], shop: httpx.Client, erp: TrytonConnector
) -> None:
    running, api = hub
    order = place(shop, [{"sku": "WID-001", "quantity": 1}])
    settle(running, shop, in_erp(api, order))
    sale = sale_of(erp, api, order)
    erp.rpc.button("stock.shipment.out", "assign_try", sale["shipments"])
    erp.rpc.button("stock.shipment.out", "pick", sale["shipments"])

    shop.post(
        f"/_sandbox/orders/{order['id']}/edit", json={"lines": [{"sku": "WID-001", "quantity": 3}]}
    ).raise_for_status()
    settle(running, shop, lambda: last_error(running, order) is not None)

    reason = str(last_error(running, order))
    assert "started shipping" in reason and "by hand" in reason
    lines = sale_of(erp, api, order)["lines"]
    assert [Decimal(str(line["quantity"])) for line in lines] == [1]


def test_a_stale_or_unchanged_event_never_amends(
    hub: tuple[Hub, httpx.Client], shop: httpx.Client, erp: TrytonConnector
) -> None:
    running, api = hub
    order = place(shop, [{"sku": "WID-001", "quantity": 2}])
    settle(running, shop, in_erp(api, order))
    shop.post("/_sandbox/clock", json={"advance_seconds": 60}).raise_for_status()
    shop.post(
        f"/_sandbox/orders/{order['id']}/edit", json={"lines": [{"sku": "WID-001", "quantity": 3}]}
    ).raise_for_status()
    settle(running, shop, lambda: view(api, order)["summary"].get("erp_total") == "33.00")

    # The checkout's own orders/create, sent again late: older than the edit.
    resend(api, "orders/updated", order)
    shop.post(f"/_sandbox/orders/{order['id']}/update", json={"note": "ring twice"})
    settle(running, shop, quiet(running, order))

    sale = sale_of(erp, api, order)
    assert [Decimal(str(line["quantity"])) for line in sale["lines"]] == [3]
    amendments = erp.rpc.search_read("sale.amendment", [("sale", "=", sale["id"])], ["id"])
    assert len(amendments) == 1
