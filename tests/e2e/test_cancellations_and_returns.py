"""Cancellations and refunds in the store reach the real Tryton, once.

The hub runs in-process between the Shopify sandbox and the real Tryton; the test
plays the shopper, the merchant (cancel, refund in the store admin) and the
warehouse (shipping an order, receiving a return in Tryton).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import links, timeline
from causeway.engine.schema import inbox
from causeway.hub import Hub
from causeway.web.order_view import order_view
from causeway_sandbox.localserver import BackgroundServer
from causeway_sandbox.shopify import SandboxServer
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.testkit import TrytonTestKit
from tests.e2e.harness import SECRET, hub_config, new_port, serving

pytestmark = pytest.mark.tryton

ALL_TOPICS = ["orders/create", "orders/updated", "orders/cancelled", "refunds/create"]


@pytest.fixture
def hub(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    prefix: str,
) -> Iterator[tuple[Hub, BackgroundServer]]:
    port = new_port()
    config = hub_config(tmp_path, tryton_server, sandbox.url, port, prefix=prefix)
    config["flows"]["cancellations"] = {"source": "shop", "target": "erp"}
    config["flows"]["returns-to-erp"] = {
        "source": "shop",
        "target": "erp",
        "receipt_check_every": "1h",
    }
    # A test may subscribe fewer topics, or none (indirect parametrisation of `hub`).
    with serving(config, shop, getattr(request, "param", ALL_TOPICS)) as running:
        yield running


@pytest.fixture
def erp(tryton_server: TrytonServer) -> Iterator[TrytonConnector]:
    with TrytonConnector(
        tryton_server.url, tryton_server.database, tryton_server.username, tryton_server.password
    ) as connector:
        yield connector


def drain(hub: Hub, shop: httpx.Client) -> None:
    shop.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
    hub.new_worker().run_until_idle(timeout=120)


def checkout(
    shop: httpx.Client, lines: list[tuple[str, int]], *, shipping: str = "0"
) -> dict[str, Any]:
    response = shop.post(
        "/_sandbox/orders",
        json={
            "email": f"returns-{uuid.uuid4().hex[:6]}@example.com",
            "first_name": "Rita",
            "last_name": "Returns",
            "lines": [{"sku": sku, "quantity": qty} for sku, qty in lines],
            "tax_rate": "0.10",
            "shipping_price": shipping,
        },
    )
    response.raise_for_status()
    return response.json()["order"]


def reference(prefix: str, order: dict[str, Any]) -> str:
    return f"{prefix}{order['name'].lstrip('#')}"


def sale_of(erp: TrytonConnector, ref: str) -> dict[str, Any]:
    (sale,) = erp.rpc.search_read(
        "sale.sale",
        [("reference", "=", ref)],
        ["state", "shipment_state", "invoice_state", "shipments", "invoices", "write_date"],
    )
    return sale


def ship(erp: TrytonConnector, shipment_ids: list[int]) -> None:
    """The warehouse picks, packs and ships with UPS (as a person would in Tryton)."""
    (carrier,) = erp.rpc.search_read("carrier", [], ["id"], limit=1)
    erp.rpc.write(
        "stock.shipment.out", shipment_ids, {"carrier": carrier["id"], "shipping_reference": "1Z9"}
    )
    for button in ("assign_try", "pick", "pack", "do"):
        erp.rpc.button("stock.shipment.out", button, shipment_ids)


def post_webhook(server: BackgroundServer, topic: str, body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode()
    signature = base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha256).digest())
    response = httpx.post(
        f"{server.url}/webhooks/shop",
        content=raw,
        headers={
            "X-Shopify-Topic": topic,
            "X-Shopify-Event-Id": f"manual-{uuid.uuid4()}",
            "X-Shopify-Shop-Domain": "sandbox.myshopify.com",
            "X-Shopify-Hmac-Sha256": signature.decode(),
            "Content-Type": "application/json",
        },
    )
    response.raise_for_status()


def milestones(hub: Hub, order_id: int) -> dict[str, dict[str, Any]]:
    view = order_view(hub.store, hub.jobs, "shop", str(order_id))
    assert view is not None
    hub_id = view["hub_id"]
    with hub.store.read() as conn:
        return {m.milestone: m.detail for m in timeline.read(conn, hub_id)}


def dead_jobs(hub: Hub, order_id: int) -> list[dict[str, Any]]:
    return [j for j in hub.jobs.for_key(f"shop:order:{order_id}") if j["state"] == "dead"]


def test_a_store_cancellation_before_shipment_cancels_the_erp_sale(
    hub: tuple[Hub, BackgroundServer], shop: httpx.Client, erp: TrytonConnector, prefix: str
) -> None:
    running, server = hub
    before = {level.sku: level.forecast for level in erp.stock_levels(["SKU-0003", "SKU-0004"])}
    order = checkout(shop, [("SKU-0003", 2), ("SKU-0004", 1)])
    drain(running, shop)
    assert sale_of(erp, reference(prefix, order))["state"] == "processing"

    # The merchant cancels in the store, refunding and restocking (Shopify's default).
    cancel = {"reason": "customer", "refund": True, "restock": True}
    shop.post(f"/_sandbox/orders/{order['id']}/cancel", json=cancel).raise_for_status()
    drain(running, shop)

    sale = sale_of(erp, reference(prefix, order))
    # Tryton's way: shipments and invoice cancelled, exceptions ignored, sale done.
    assert (sale["state"], sale["shipment_state"], sale["invoice_state"]) == (
        "done",
        "none",
        "none",
    )
    shipments = erp.rpc.read("stock.shipment.out", sale["shipments"], ["state"])
    invoices = erp.rpc.read("account.invoice", sale["invoices"], ["state"])
    assert {s["state"] for s in shipments} == {"cancelled"}
    assert {i["state"] for i in invoices} == {"cancelled"}
    # The stock the sale held is free again, and the refund booked no return.
    after = {level.sku: level.forecast for level in erp.stock_levels(["SKU-0003", "SKU-0004"])}
    assert after == before
    returns = erp.rpc.search_read(
        "sale.sale", [("reference", "like", f"{reference(prefix, order)}-R%")], ["id"]
    )
    assert returns == []

    view = order_view(running.store, running.jobs, "shop", str(order["id"]))
    assert view is not None and view["state"] == "cancelled"
    reached = milestones(running, order["id"])
    assert reached["cancelled"]["reason"] == "customer"
    assert reached["cancelled"]["erp_state"] == "done"
    assert "refunded" in reached
    assert dead_jobs(running, order["id"]) == []

    # The same cancellation again (a redelivery under a new event id) changes nothing.
    cancelled = shop.get(f"/_sandbox/orders/{order['id']}").json()["order"]
    post_webhook(server, "orders/cancelled", cancelled)
    drain(running, shop)
    again = sale_of(erp, reference(prefix, order))
    assert again["write_date"] == sale["write_date"]
    assert dead_jobs(running, order["id"]) == []


def test_a_cancellation_after_shipment_is_parked_and_the_sale_is_untouched(
    hub: tuple[Hub, BackgroundServer], shop: httpx.Client, erp: TrytonConnector, prefix: str
) -> None:
    running, _ = hub
    order = checkout(shop, [("SKU-0005", 1)])
    drain(running, shop)
    sale = sale_of(erp, reference(prefix, order))
    ship(erp, sale["shipments"])
    (shipment,) = erp.rpc.read("stock.shipment.out", sale["shipments"], ["number", "state"])
    shipped = sale_of(erp, reference(prefix, order))

    shop.post(f"/_sandbox/orders/{order['id']}/cancel", json={}).raise_for_status()
    drain(running, shop)

    (dead,) = dead_jobs(running, order["id"])
    assert dead["flow"] == "cancellations"
    reason = dead["last_error"]
    assert f"shipment {shipment['number']} (done)" in reason
    assert "left the warehouse" in reason and "nothing was changed" in reason
    untouched = sale_of(erp, reference(prefix, order))
    assert untouched == shipped
    invoices = erp.rpc.read("account.invoice", untouched["invoices"], ["state"])
    assert {i["state"] for i in invoices} != {"cancelled"}
    assert "cancelled" not in milestones(running, order["id"])


@pytest.mark.parametrize("sandbox", [{"duplicate_rate": 1.0}], indirect=True)
def test_a_refund_of_one_line_books_one_return_and_credit_note_even_when_delivered_twice(
    hub: tuple[Hub, BackgroundServer], shop: httpx.Client, erp: TrytonConnector, prefix: str
) -> None:
    running, server = hub
    order = checkout(shop, [("SKU-0006", 2), ("SKU-0007", 1)])
    drain(running, shop)
    ref = reference(prefix, order)
    sku6 = next(li for li in order["line_items"] if li["sku"] == "SKU-0006")

    refund = shop.post(
        f"/_sandbox/orders/{order['id']}/refunds",
        json={"lines": [{"line_item_id": sku6["id"], "quantity": 1, "restock_type": "return"}]},
    ).json()["refund"]
    drain(running, shop)
    # Delivered once more under a new event id: the inbox cannot tell it is the same.
    post_webhook(server, "refunds/create", refund)
    drain(running, shop)

    returns = erp.rpc.search_read(
        "sale.sale",
        [("reference", "like", f"{ref}-R%")],
        ["reference", "state", "total_amount", "shipment_returns", "invoices", "origin"],
    )
    assert len(returns) == 1
    (ret,) = returns
    assert ret["reference"] == f"{ref}-R{refund['id']}"
    assert ret["state"] == "processing"
    # 1 x 11.00 plus 10 % tax, credited.
    assert Decimal(str(ret["total_amount"])) == Decimal("-12.10")
    lines = erp.rpc.search_read(
        "sale.line", [("sale", "=", ret["id"])], ["product.code", "quantity", "unit_price"]
    )
    assert [(x["product."]["code"], x["quantity"]) for x in lines] == [("SKU-0006", -1.0)]
    (shipment,) = erp.rpc.read("stock.shipment.out.return", ret["shipment_returns"], ["state"])
    assert shipment["state"] == "draft"  # waiting for the parcel
    (credit,) = erp.rpc.read("account.invoice", ret["invoices"], ["type", "total_amount"])
    assert credit["type"] == "out" and Decimal(str(credit["total_amount"])) == Decimal("-12.10")
    original = sale_of(erp, ref)
    assert original["state"] == "processing"  # the sale itself is not changed by a return

    view = order_view(running.store, running.jobs, "shop", str(order["id"]))
    assert view is not None
    assert view["state"] == "refunded"
    reached = milestones(running, order["id"])
    assert reached["refunded"]["refund"] == str(refund["id"])
    assert "returned" not in reached
    with running.store.read() as conn:
        refund_events = conn.execute(
            select(inbox.c.id).where(inbox.c.topic == "refunds/create")
        ).all()
    assert len(refund_events) == 2  # both deliveries kept; one return booked
    assert dead_jobs(running, order["id"]) == []


def test_returned_goods_reach_the_store_stock_only_once_received_in_the_erp(
    hub: tuple[Hub, BackgroundServer], shop: httpx.Client, erp: TrytonConnector, prefix: str
) -> None:
    running, _ = hub
    sku = f"RET-{uuid.uuid4().hex[:6]}"
    TrytonTestKit(erp).ensure_product(sku, "Returnable", Decimal("20"), Decimal("8"), Decimal(20))
    product = {"title": "Returnable", "sku": sku, "price": "20.00", "quantity": 50}
    shop.post("/_sandbox/products", json=product).raise_for_status()

    def published() -> int:
        running.run_flow("stock-to-channels")
        running.new_worker().run_until_idle(timeout=60)
        return int(shop.get("/_sandbox/inventory").json()[sku])

    assert published() == 20
    order = checkout(shop, [(sku, 3)])
    drain(running, shop)
    assert published() == 17

    refund = shop.post(
        f"/_sandbox/orders/{order['id']}/refunds",
        json={"lines": [{"sku": sku, "quantity": 2, "restock_type": "return"}]},
    ).json()["refund"]
    drain(running, shop)
    # Booked in the ERP, still in the post: not for sale yet.
    assert published() == 17
    running.run_flow("returns-to-erp")
    running.new_worker().run_until_idle(timeout=60)
    assert "returned" not in milestones(running, order["id"])

    (ret,) = erp.rpc.search_read(
        "sale.sale",
        [("reference", "=", f"{reference(prefix, order)}-R{refund['id']}")],
        ["shipment_returns"],
    )
    erp.rpc.button("stock.shipment.out.return", "receive", ret["shipment_returns"])

    assert published() == 19
    running.run_flow("returns-to-erp")
    running.new_worker().run_until_idle(timeout=60)
    reached = milestones(running, order["id"])
    assert reached["returned"]["erp_return_sale"] == ret["id"]
    view = order_view(running.store, running.jobs, "shop", str(order["id"]))
    assert view is not None and view["state"] == "returned"
    hub_id = view["hub_id"]
    with running.store.read() as conn:
        linked = {(x.system, x.entity_type): x.fingerprint for x in links.for_hub(conn, hub_id)}
    assert linked[("erp", "return_sale")] == "returned"
    assert linked[("shop", "refund")] == "booked"
    assert view["summary"]["refunds"][str(refund["id"])]["state"] == "returned"


@pytest.mark.parametrize("hub", [["orders/create", "orders/updated"]], indirect=True)
def test_a_lost_cancellation_webhook_is_caught_up_by_the_reconciling_poll(
    hub: tuple[Hub, BackgroundServer], shop: httpx.Client, erp: TrytonConnector, prefix: str
) -> None:
    running, _ = hub
    unshipped = checkout(shop, [("SKU-0009", 1)])
    shipped = checkout(shop, [("SKU-0010", 1)])
    drain(running, shop)
    ship(erp, sale_of(erp, reference(prefix, shipped))["shipments"])
    for order in (unshipped, shipped):
        shop.post(f"/_sandbox/orders/{order['id']}/cancel", json={}).raise_for_status()
    drain(running, shop)  # only orders/updated arrived: nothing cancelled yet
    assert sale_of(erp, reference(prefix, unshipped))["state"] == "processing"

    def poll() -> None:
        shop.post("/_sandbox/clock", json={"advance_seconds": 5}).raise_for_status()
        running.run_flow("orders-to-erp")
        running.new_worker().run_until_idle(timeout=120)

    poll()
    cancelled = sale_of(erp, reference(prefix, unshipped))
    assert (cancelled["state"], cancelled["shipment_state"]) == ("done", "none")
    assert "cancelled" in milestones(running, unshipped["id"])
    (parked,) = dead_jobs(running, shipped["id"])
    assert "left the warehouse" in parked["last_error"]

    # A later change to the parked order does not park it again: a person is on it.
    shop.post(f"/_sandbox/orders/{shipped['id']}/update", json={"note": "call me"})
    poll()
    assert len(dead_jobs(running, shipped["id"])) == 1
    view = order_view(running.store, running.jobs, "shop", str(shipped["id"]))
    assert view is not None and "left the warehouse" in view["summary"]["cancel_refused"]


@pytest.mark.parametrize("hub", [[]], indirect=True)
def test_an_order_first_seen_cancelled_never_reaches_the_erp(
    hub: tuple[Hub, BackgroundServer], shop: httpx.Client, erp: TrytonConnector, prefix: str
) -> None:
    running, server = hub
    # Placed and cancelled in the store before the hub heard of it.
    order = checkout(shop, [("SKU-0008", 1)])
    shop.post(f"/_sandbox/orders/{order['id']}/cancel", json={}).raise_for_status()
    cancelled = shop.get(f"/_sandbox/orders/{order['id']}").json()["order"]
    post_webhook(server, "orders/updated", cancelled)
    drain(running, shop)
    # A late orders/create (without the cancellation) must not place it either.
    post_webhook(server, "orders/create", {**cancelled, "cancelled_at": None})
    post_webhook(server, "orders/cancelled", cancelled)
    drain(running, shop)

    assert TrytonTestKit(erp).find_sales([reference(prefix, order)]) == {}
    view = order_view(running.store, running.jobs, "shop", str(order["id"]))
    assert view is not None and view["state"] == "cancelled"
    assert "never placed" in milestones(running, order["id"])["cancelled"]["erp"]
    assert dead_jobs(running, order["id"]) == []


@pytest.mark.parametrize("hub", [[]], indirect=True)
def test_bad_refunds_are_parked_with_their_reason_and_block_nothing(
    hub: tuple[Hub, BackgroundServer], shop: httpx.Client, erp: TrytonConnector, prefix: str
) -> None:
    running, server = hub
    unknown_order = {
        "id": 424242,
        "order_id": 990001,
        "created_at": "2026-03-14T10:00:00Z",
        "refund_line_items": [],
        "transactions": [],
    }
    post_webhook(server, "refunds/create", unknown_order)
    broken = {
        "id": 424243,
        "order_id": 990002,
        "created_at": "2026-03-14T10:00:00Z",
        "refund_line_items": [{"id": 1, "line_item_id": 2, "quantity": 1}],
    }
    post_webhook(server, "refunds/create", broken)
    drain(running, shop)

    (missing,) = dead_jobs(running, 990001)
    assert "order 990001" in missing["last_error"] and "not in erp" in missing["last_error"]
    assert "replay" in missing["last_error"]
    (invalid,) = dead_jobs(running, 990002)
    assert "line_item" in invalid["last_error"]
