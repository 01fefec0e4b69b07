"""The warehouse ships in Tryton; the store order is fulfilled, with tracking.

Real Tryton, the Shopify sandbox, the hub in-process: an order is placed in the
store, orders-to-erp puts it in Tryton, the test ships it in Tryton over RPC the
way a warehouse user would (connectors/tryton/warehouse.py), and a run of
fulfillments-to-channels fulfils the store order.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from causeway.connectors.shopify.connector import ShopifyConnector
from causeway.connectors.shopify.fulfillments import (
    FulfillmentLine,
    GqlOrderFulfillment,
    Tracking,
)
from causeway.connectors.shopify.mapping import order_from_rest
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import links, timeline
from causeway.flows import fulfillments_to_channels as fulfil
from causeway.hub import Hub
from causeway.web.order_view import order_view
from causeway_sandbox.shopify import SandboxServer
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.warehouse import open_shipments, ship
from tests.e2e.harness import TOKEN, hub_config, new_port, serving

pytestmark = pytest.mark.tryton

UPS = "https://www.ups.com/track?tracknum={number}"


@pytest.fixture
def hub(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    prefix: str,
) -> Iterator[Hub]:
    port = new_port()
    config = hub_config(tmp_path, tryton_server, sandbox.url, port, prefix=prefix)
    config["flows"]["fulfillments-to-channels"] = {
        "source": "erp",
        "targets": ["shop"],
        "every": "1h",
        "notify_customer": True,
        "tracking_urls": {"UPS": UPS},
    }
    with serving(config, shop) as (running, _server):
        yield running


@pytest.fixture
def store(sandbox: SandboxServer) -> Iterator[ShopifyConnector]:
    with ShopifyConnector(sandbox.url, TOKEN) as connector:
        yield connector


def checkout(shop: httpx.Client, lines: list[tuple[str, int]]) -> dict[str, Any]:
    response = shop.post(
        "/_sandbox/orders",
        json={
            "email": "ship-me@example.com",
            "first_name": "Sam",
            "last_name": "Shipper",
            "lines": [{"sku": sku, "quantity": qty} for sku, qty in lines],
            "tax_rate": "0.10",
        },
    )
    response.raise_for_status()
    return response.json()["order"]  # type: ignore[no-any-return]


def into_erp(hub: Hub, shop: httpx.Client, order: dict[str, Any]) -> int:
    """Let orders-to-erp place the order; returns the Tryton sale id."""
    shop.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
    hub.new_worker().run_until_idle(timeout=120)
    with hub.store.read() as conn:
        order_link = links.find(conn, "shop", "order", str(order["id"]))
        assert order_link is not None, "orders-to-erp did not place the order"
        (sale,) = [
            link for link in links.for_hub(conn, order_link.hub_id) if link.entity_type == "sale"
        ]
    return int(sale.external_id)


def run_fulfilment(hub: Hub) -> None:
    hub.run_flow(fulfil.NAME)
    hub.new_worker().run_until_idle(timeout=120)


def milestones(hub: Hub, order: dict[str, Any]) -> dict[str, dict[str, Any]]:
    with hub.store.read() as conn:
        link = links.find(conn, "shop", "order", str(order["id"]))
        assert link is not None
        return {m.milestone: m.detail for m in timeline.read(conn, link.hub_id)}


def state(store: ShopifyConnector, order: dict[str, Any]) -> GqlOrderFulfillment:
    return store.order_fulfillment(str(order["id"]))


def test_a_shipment_done_in_tryton_fulfils_the_store_order_with_its_tracking(
    hub: Hub,
    shop: httpx.Client,
    store: ShopifyConnector,
    tryton: TrytonConnector,
) -> None:
    order = checkout(shop, [("WID-001", 2), ("GAD-001", 1)])
    sale_id = into_erp(hub, shop, order)
    (shipment_id,) = open_shipments(tryton.rpc, sale_id)
    done = ship(tryton.rpc, shipment_id, tracking_number="1ZFULL0001")

    run_fulfilment(hub)

    fulfilled = state(store, order)
    assert fulfilled.displayFulfillmentStatus == "FULFILLED"
    (fulfillment,) = fulfilled.fulfillments
    (info,) = fulfillment.trackingInfo
    assert (info.company, info.number, info.url) == (
        "UPS",
        "1ZFULL0001",
        "https://www.ups.com/track?tracknum=1ZFULL0001",
    )
    assert [n["order_id"] for n in shop.get("/_sandbox/notifications").json()] == [order["id"]]
    shipped = milestones(hub, order)["shipped"]
    assert shipped["tracking_number"] == "1ZFULL0001" and shipped["shipment"] == done["number"]

    # Running again, or the poll reading the same shipment again, fulfils nothing more.
    run_fulfilment(hub)
    with hub.store.transaction() as conn:  # forget the cursor: the shipment is re-read
        conn.exec_driver_sql("DELETE FROM cursors WHERE stream = 'shipments-done'")
    run_fulfilment(hub)
    assert len(state(store, order).fulfillments) == 1
    assert hub.jobs.dead() == []


def test_a_partial_shipment_fulfils_its_lines_and_the_back_order_the_rest(
    hub: Hub,
    shop: httpx.Client,
    store: ShopifyConnector,
    tryton: TrytonConnector,
) -> None:
    order = checkout(shop, [("WID-001", 3), ("GAD-001", 2)])
    sale_id = into_erp(hub, shop, order)
    (first,) = open_shipments(tryton.rpc, sale_id)
    ship(tryton.rpc, first, tracking_number="1ZPART0001", only={"WID-001": 1, "GAD-001": 0})

    run_fulfilment(hub)

    partial = state(store, order)
    assert partial.displayFulfillmentStatus == "PARTIALLY_FULFILLED"
    remaining = {
        line.sku: line.remainingQuantity
        for fo in partial.fulfillmentOrders.nodes
        for line in fo.lineItems.nodes
    }
    assert remaining == {"WID-001": 2, "GAD-001": 2}
    assert "partially_shipped" in milestones(hub, order)
    assert "shipped" not in milestones(hub, order)

    (back_order,) = open_shipments(tryton.rpc, sale_id)  # Tryton made it for the rest
    assert back_order != first
    ship(tryton.rpc, back_order, tracking_number="1ZPART0002")
    run_fulfilment(hub)
    run_fulfilment(hub)

    final = state(store, order)
    assert final.displayFulfillmentStatus == "FULFILLED"
    assert [f.trackingInfo[0].number for f in final.fulfillments] == ["1ZPART0001", "1ZPART0002"]
    reached = milestones(hub, order)
    assert reached["shipped"]["tracking_number"] == "1ZPART0002"
    assert reached["partially_shipped"]["tracking_number"] == "1ZPART0001"


def test_a_fulfillment_that_reached_the_store_before_a_crash_is_not_made_twice(
    hub: Hub,
    shop: httpx.Client,
    store: ShopifyConnector,
    tryton: TrytonConnector,
) -> None:
    order = checkout(shop, [("SKU-0003", 2)])
    sale_id = into_erp(hub, shop, order)
    (shipment_id,) = open_shipments(tryton.rpc, sale_id)
    ship(tryton.rpc, shipment_id, tracking_number="1ZCRASH001")
    # What a first attempt wrote to the store before the hub died, without its link.
    (fo,) = state(store, order).fulfillmentOrders.nodes
    store.create_fulfillment(_all_lines(fo), tracking=Tracking("UPS", "1ZCRASH001"))

    run_fulfilment(hub)

    assert len(state(store, order).fulfillments) == 1
    assert hub.jobs.dead() == []
    with hub.store.read() as conn:
        assert links.find(conn, "erp", fulfil.SHIPMENT, str(shipment_id)) is not None
    assert "shipped" in milestones(hub, order)


def _all_lines(fo: Any) -> list[FulfillmentLine]:
    return [FulfillmentLine(fo.id, ln.id, ln.remainingQuantity) for ln in fo.lineItems.nodes]


def test_a_shipment_of_an_order_the_hub_does_not_know_is_parked_and_blocks_no_other(
    hub: Hub,
    shop: httpx.Client,
    store: ShopifyConnector,
    tryton: TrytonConnector,
    prefix: str,
) -> None:
    # A store order that reached the ERP some other way (keyed in, an old import):
    # the sale has the store's reference, but the hub never linked it.
    good = checkout(shop, [("SKU-0005", 1)])
    good_sale = into_erp(hub, shop, good)
    order = checkout(shop, [("SKU-0004", 1)])
    reference = f"{prefix}{order['name'].lstrip('#')}-manual"
    placed = tryton.place_orders([(reference, order_from_rest(order))])[reference]
    (shipment_id,) = open_shipments(tryton.rpc, placed.sale_id)
    done = ship(tryton.rpc, shipment_id, tracking_number="1ZLOST0001")
    (good_shipment,) = open_shipments(tryton.rpc, good_sale)
    ship(tryton.rpc, good_shipment, tracking_number="1ZGOOD0001")

    run_fulfilment(hub)

    (dead,) = hub.jobs.dead()
    assert done["number"] in dead["last_error"] and reference in dead["last_error"]
    assert "does not know" in dead["last_error"] and "replay" in dead["last_error"]
    assert state(store, order).fulfillments == []
    # The parked shipment held up no other.
    assert state(store, good).displayFulfillmentStatus == "FULFILLED"

    # Once the hub knows which order the sale is (here: linked by hand), replay lands it.
    with hub.store.transaction() as conn:
        order_link = links.find(conn, "shop", "order", str(order["id"]))
        assert order_link is not None
        links.save(
            conn,
            hub_id=order_link.hub_id,
            system="erp",
            entity_type="sale",
            external_id=str(placed.sale_id),
        )
    assert hub.jobs.replay(dead["id"]) == 1
    hub.new_worker().run_until_idle(timeout=120)
    assert hub.jobs.dead() == []
    assert state(store, order).fulfillments[0].trackingInfo[0].number == "1ZLOST0001"


def test_a_crash_after_the_store_write_of_an_untracked_partial_shipment_fulfils_once(
    hub: Hub,
    shop: httpx.Client,
    store: ShopifyConnector,
    tryton: TrytonConnector,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order = checkout(shop, [("SKU-0006", 3)])
    sale_id = into_erp(hub, shop, order)
    (shipment_id,) = open_shipments(tryton.rpc, sale_id)
    ship(tryton.rpc, shipment_id, tracking_number=None, only={"SKU-0006": 1})
    flow = hub.flows[fulfil.NAME]

    def hub_dies(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the hub died before recording the fulfillment")

    with monkeypatch.context() as patch:
        patch.setattr(flow, "_save", hub_dies)
        run_fulfilment(hub)
    assert len(state(store, order).fulfillments) == 1  # the store write happened

    time.sleep(2.5)  # the job's backoff
    hub.new_worker().run_until_idle(timeout=120)

    after = state(store, order)
    assert len(after.fulfillments) == 1
    assert [
        ln.remainingQuantity for fo in after.fulfillmentOrders.nodes for ln in fo.lineItems.nodes
    ] == [2]
    assert hub.jobs.dead() == []
    assert "partially_shipped" in milestones(hub, order)


def test_an_order_whose_stock_the_warehouse_reserved_shows_allocated_then_shipped(
    hub: Hub,
    shop: httpx.Client,
    tryton: TrytonConnector,
) -> None:
    order = checkout(shop, [("WID-001", 1)])
    sale_id = into_erp(hub, shop, order)
    (shipment_id,) = open_shipments(tryton.rpc, sale_id)
    tryton.rpc.button("stock.shipment.out", "assign_try", [shipment_id])

    run_fulfilment(hub)
    reached = milestones(hub, order)
    assert "allocated" in reached and "shipped" not in reached
    (shipment,) = tryton.rpc.read("stock.shipment.out", [shipment_id], ["number"])
    assert reached["allocated"] == {"shipment": shipment["number"]}

    ship(tryton.rpc, shipment_id, tracking_number="1ZALLOC001")
    run_fulfilment(hub)
    view = order_view(hub.store, hub.jobs, "shop", str(order["id"]))
    assert view is not None and view["status"] == "shipped"
    order_of_milestones = [m["milestone"] for m in view["timeline"]]
    assert order_of_milestones.index("allocated") < order_of_milestones.index("shipped")
