"""The sandbox's merchant actions: cancel an order, refund lines, with Shopify's webhooks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from causeway.connectors.shopify.refunds import cancellation_from_rest, refund_from_rest
from causeway.connectors.shopify.webhooks import entity_key
from causeway.model.returns import Restock
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from tests.sandbox.test_shopify_sandbox import (
    HTTP,
    SECRET,
    TOKEN,
    Receiver,
    _signed,
    checkout,
    stock,
    subscribe,
)

TOPICS = ("ORDERS_CANCELLED", "REFUNDS_CREATE", "ORDERS_UPDATED")


@pytest.fixture
def shop() -> Iterator[SandboxServer]:
    settings = SandboxSettings(api_secret=SECRET, access_token=TOKEN, webhook_retry_initial_s=0.05)
    server = SandboxServer(settings).start()
    yield server
    server.stop()


@pytest.fixture
def hook(shop: SandboxServer) -> Iterator[Receiver]:
    """A webhook receiver subscribed to cancellations, refunds and order updates."""
    receiver = Receiver()
    subscribe(shop, receiver.url, TOPICS)
    yield receiver
    receiver.close()


def post(shop: SandboxServer, path: str, body: dict[str, Any]) -> httpx.Response:
    """A control call whose refusals the test wants to see (control() raises on them)."""
    return HTTP.post(f"{shop.url}/_sandbox/{path}", json=body)


def delivered(shop: SandboxServer, hook: Receiver) -> list[tuple[str, dict[str, Any]]]:
    assert shop.control("POST", "deliveries/wait", json={"timeout": 10}).json()["idle"]
    for headers, body in hook.requests:
        assert _signed(headers, body)
    return [(h["X-Shopify-Topic"], json.loads(b)) for h, b in hook.requests]


def test_a_refund_of_one_line_sends_refunds_create_then_orders_updated(
    shop: SandboxServer, hook: Receiver
) -> None:
    stock(shop, "WID-001", price="10.00")
    stock(shop, "GAD-001", price="25.00")
    order = checkout(
        shop,
        lines=[{"sku": "WID-001", "quantity": 2}, {"sku": "GAD-001", "quantity": 1}],
        tax_rate="0.10",
    )
    line = order["line_items"][0]
    response = shop.control(
        "POST",
        f"orders/{order['id']}/refunds",
        json={"lines": [{"line_item_id": line["id"], "quantity": 1}], "note": "too small"},
    )
    assert response.status_code == 201
    refund = response.json()["refund"]

    (topic_a, body_a), (topic_b, body_b) = delivered(shop, hook)
    assert (topic_a, topic_b) == ("refunds/create", "orders/updated")
    assert body_a == refund
    assert entity_key(topic_a, body_a) == f"order:{order['id']}"
    parsed = refund_from_rest(body_a)
    (refunded,) = parsed.lines
    assert (refunded.sku, refunded.quantity, refunded.unit_price) == (
        "WID-001",
        1,
        Decimal("10.00"),
    )
    assert refunded.restock == Restock.RETURN
    assert parsed.refunded_amount == Decimal("11.00")  # 10.00 + 10 % tax
    assert body_a["refund_line_items"][0]["total_tax"] == 1.0
    assert body_b["financial_status"] == "partially_refunded"
    assert body_b["refunds"] == [refund]


def test_more_than_is_left_to_refund_is_refused(shop: SandboxServer) -> None:
    stock(shop, "WID-001")
    order = checkout(shop)  # 2 x WID-001
    line = {"sku": "WID-001", "quantity": 2, "restock_type": "no_restock"}
    first = post(shop, f"orders/{order['id']}/refunds", {"lines": [line]})
    again = post(shop, f"orders/{order['id']}/refunds", {"lines": [line]})
    assert first.status_code == 201
    assert again.status_code == 422 and "0 left to refund" in again.json()["detail"]
    stored = shop.control("GET", f"orders/{order['id']}").json()["order"]
    assert stored["financial_status"] == "refunded"
    unknown = post(shop, "orders/999/refunds", {"lines": [line]})
    assert unknown.status_code == 404


def test_a_cancellation_with_refund_sends_cancelled_refund_and_updated(
    shop: SandboxServer, hook: Receiver
) -> None:
    stock(shop, "WID-001")
    order = checkout(shop)
    response = shop.control(
        "POST",
        f"orders/{order['id']}/cancel",
        json={"reason": "inventory", "refund": True, "restock": True},
    )
    assert response.status_code == 200

    sent = delivered(shop, hook)
    assert [topic for topic, _ in sent] == ["orders/cancelled", "refunds/create", "orders/updated"]
    cancellation = cancellation_from_rest(sent[0][1])
    assert cancellation.reason == "inventory"
    assert cancellation.order_external_id == str(order["id"])
    refund = refund_from_rest(sent[1][1])
    assert [(x.quantity, x.restock) for x in refund.lines] == [(2, Restock.CANCEL)]
    assert sent[2][1]["cancelled_at"] and sent[2][1]["closed_at"]

    twice = post(shop, f"orders/{order['id']}/cancel", {})
    assert twice.status_code == 422 and "already cancelled" in twice.json()["detail"]


def test_a_fulfilled_order_cannot_be_cancelled(shop: SandboxServer) -> None:
    stock(shop, "WID-001")
    order = checkout(shop)
    shop.control("POST", f"orders/{order['id']}/update", json={"fulfillment_status": "fulfilled"})
    refused = post(shop, f"orders/{order['id']}/cancel", {})
    assert refused.status_code == 422 and "fulfillment" in refused.json()["detail"]
    stored = shop.control("GET", f"orders/{order['id']}").json()["order"]
    assert stored["cancelled_at"] is None
