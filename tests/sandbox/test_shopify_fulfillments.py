"""The sandbox's fulfillment orders and fulfillmentCreate, driven by the connector's own
documents over real HTTP, and the fulfillments/create webhook checked against
Shopify's published sample."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from causeway.connectors.shopify.connector import ShopifyConnector
from causeway.connectors.shopify.fulfillments import FulfillmentLine, Tracking
from causeway.connectors.shopify.rest_models import Fulfillment, parse_rest
from causeway.errors import PermanentError
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from tests.sandbox.test_shopify_sandbox import Receiver

SECRET, TOKEN = "test-secret", "shpat_test"


@pytest.fixture
def shop() -> Iterator[SandboxServer]:
    server = SandboxServer(
        SandboxSettings(api_secret=SECRET, access_token=TOKEN, webhook_retry_initial_s=0.05)
    ).start()
    for sku in ("WID-001", "GAD-001"):
        server.control(
            "POST", "products", json={"title": sku, "sku": sku, "price": "10.00", "quantity": 50}
        )
    yield server
    server.stop()


@pytest.fixture
def connector(shop: SandboxServer) -> Iterator[ShopifyConnector]:
    with ShopifyConnector(shop.url, TOKEN) as client:
        yield client


def order(shop: SandboxServer) -> dict[str, Any]:
    lines = [{"sku": "WID-001", "quantity": 3}, {"sku": "GAD-001", "quantity": 2}]
    body = {"email": "ann@example.com", "first_name": "Ann", "last_name": "Lee", "lines": lines}
    return shop.control("POST", "orders", json=body).json()["order"]  # type: ignore[no-any-return]


def _sample() -> dict[str, Any]:
    for base in (Path(__file__).parents[2], Path("/work/shared")):
        path = base / "vendor-samples" / "shopify" / "fulfillment.json"
        if path.exists():
            return json.loads(path.read_text())["fulfillment"]  # type: ignore[no-any-return]
    pytest.skip("vendor-samples/shopify/fulfillment.json not found")


def test_a_new_order_has_one_open_fulfillment_order_with_every_line(
    shop: SandboxServer, connector: ShopifyConnector
) -> None:
    placed = order(shop)
    state = connector.order_fulfillment(str(placed["id"]))
    assert state.displayFulfillmentStatus == "UNFULFILLED"
    assert state.fulfillments == []
    (fo,) = state.fulfillmentOrders.nodes
    assert fo.status == "OPEN"
    assert [(ln.sku, ln.totalQuantity, ln.remainingQuantity) for ln in fo.lineItems.nodes] == [
        ("WID-001", 3, 3),
        ("GAD-001", 2, 2),
    ]


def test_a_partial_then_a_final_fulfillment_close_the_order_and_are_announced(
    shop: SandboxServer, connector: ShopifyConnector
) -> None:
    hook = Receiver()
    try:
        shop.control(
            "PUT",
            "webhooks",
            json={
                "uri": hook.url,
                "topics": ["fulfillments/create", "orders/fulfilled", "orders/partially_fulfilled"],
            },
        )
        placed = order(shop)
        (fo,) = connector.order_fulfillment(str(placed["id"])).fulfillmentOrders.nodes
        wid, gad = fo.lineItems.nodes
        first = connector.create_fulfillment(
            [FulfillmentLine(fo.id, wid.id, 1)],
            tracking=Tracking("UPS", "1Z001", "https://www.ups.com/track?tracknum=1Z001"),
            notify_customer=True,
        )
        assert first.status == "SUCCESS"
        assert [(t.company, t.number) for t in first.trackingInfo] == [("UPS", "1Z001")]
        state = connector.order_fulfillment(str(placed["id"]))
        assert state.displayFulfillmentStatus == "PARTIALLY_FULFILLED"
        assert state.fulfillmentOrders.nodes[0].status == "IN_PROGRESS"
        assert [
            ln.remainingQuantity for ln in state.fulfillmentOrders.nodes[0].lineItems.nodes
        ] == [
            2,
            2,
        ]
        connector.create_fulfillment(
            [FulfillmentLine(fo.id, wid.id, 2), FulfillmentLine(fo.id, gad.id, 2)],
            tracking=Tracking("UPS", "1Z002"),
        )
        state = connector.order_fulfillment(str(placed["id"]))
        assert state.displayFulfillmentStatus == "FULFILLED"
        assert state.fulfillmentOrders.nodes[0].status == "CLOSED"
        assert state.tracking_numbers == {"1Z001", "1Z002"}
        assert shop.control("GET", "notifications").json() == [
            {
                "order_id": placed["id"],
                "fulfillment_id": int(first.id.rsplit("/", 1)[1]),
                "email": "ann@example.com",
            }
        ]
        assert shop.control("POST", "deliveries/wait", json={"timeout": 10}).json()["idle"]
        topics = [h["X-Shopify-Topic"] for h, _ in hook.requests]
        assert topics.count("fulfillments/create") == 2
        assert "orders/partially_fulfilled" in topics and "orders/fulfilled" in topics
        sample = _sample()
        bodies = [
            json.loads(b) for h, b in hook.requests if h["X-Shopify-Topic"] == "fulfillments/create"
        ]
        assert set(bodies[0]) >= set(sample)
        parsed = parse_rest(Fulfillment, bodies[0])
        assert (parsed.order_id, parsed.tracking_company, parsed.tracking_number) == (
            placed["id"],
            "UPS",
            "1Z001",
        )
        assert parsed.tracking_url == "https://www.ups.com/track?tracknum=1Z001"
        assert [(ln.sku, ln.quantity) for ln in parsed.line_items] == [("WID-001", 1)]
    finally:
        hook.close()


def test_refusals_come_back_as_user_errors_that_name_the_problem(
    shop: SandboxServer, connector: ShopifyConnector
) -> None:
    placed = order(shop)
    (fo,) = connector.order_fulfillment(str(placed["id"])).fulfillmentOrders.nodes
    wid = fo.lineItems.nodes[0]
    with pytest.raises(PermanentError, match="Invalid fulfillment order line item quantity"):
        connector.create_fulfillment([FulfillmentLine(fo.id, wid.id, 4)])
    with pytest.raises(PermanentError, match="Fulfillment order does not exist"):
        connector.create_fulfillment(
            [FulfillmentLine("gid://shopify/FulfillmentOrder/1", wid.id, 1)]
        )
    # Nothing was fulfilled by the refused calls; fulfilling everything closes it.
    connector.create_fulfillment(
        [FulfillmentLine(fo.id, ln.id, ln.remainingQuantity) for ln in fo.lineItems.nodes]
    )
    with pytest.raises(PermanentError, match="unfulfillable status= closed"):
        connector.create_fulfillment([FulfillmentLine(fo.id, wid.id, 1)])
    assert len(connector.order_fulfillment(str(placed["id"])).fulfillments) == 1
