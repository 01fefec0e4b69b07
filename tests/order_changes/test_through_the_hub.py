"""Through the running hub, between the Shopify sandbox and the real Tryton: a refund and
a cancellation made in the store admin are each recorded once as an order change, and a
webhook delivered again records nothing new. The order's facts for the warehouse are
stored when Tryton has the sale and say cancelled once it is (docs/order-facts.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from causeway.engine import links
from causeway.engine.order_changes import changes_of
from causeway.engine.order_facts import StoredOrderFact, fact_of
from causeway.hub import Hub
from causeway.web.order_view import order_view
from causeway_sandbox.localserver import BackgroundServer
from tests.e2e.test_cancellations_and_returns import checkout, drain, erp, hub, post_webhook

pytestmark = pytest.mark.tryton

__all__ = ["erp", "hub"]  # the fixtures of tests/e2e's cancellation scenarios


def changes(running: Hub, order_id: int) -> list[dict[str, Any]]:
    view = order_view(running.store, running.jobs, "shop", str(order_id))
    assert view is not None
    with running.store.read() as conn:
        return changes_of(conn, view["hub_id"])


def facts(running: Hub, order_id: int) -> StoredOrderFact:
    view = order_view(running.store, running.jobs, "shop", str(order_id))
    assert view is not None
    with running.store.read() as conn:
        stored = fact_of(conn, view["hub_id"])
        (sale,) = [
            link for link in links.for_hub(conn, view["hub_id"]) if link.entity_type == "sale"
        ]
    assert stored is not None
    assert stored.fact.erp_sale_id == sale.external_id
    return stored


def test_a_refund_then_a_cancellation_are_each_recorded_once(
    hub: tuple[Hub, BackgroundServer], shop: httpx.Client
) -> None:
    running, server = hub
    order = checkout(shop, [("SKU-0006", 2), ("SKU-0007", 1)])
    drain(running, shop)
    assert changes(running, order["id"]) == []  # placing an order is not a change
    placed = facts(running, order["id"])
    assert placed.fact.state == "placed" and placed.fact.total == Decimal(order["total_price"])
    assert [(line.sku, line.quantity) for line in placed.fact.lines] == [
        ("SKU-0006", 2),
        ("SKU-0007", 1),
    ]
    sku6 = next(li for li in order["line_items"] if li["sku"] == "SKU-0006")

    refund = shop.post(
        f"/_sandbox/orders/{order['id']}/refunds",
        json={"lines": [{"line_item_id": sku6["id"], "quantity": 1, "restock_type": "return"}]},
    ).json()["refund"]
    drain(running, shop)
    post_webhook(server, "refunds/create", refund)  # delivered again, under a new event id
    drain(running, shop)

    (refunded,) = changes(running, order["id"])
    assert refunded["kind"] == "refund" and refunded["order_id"] == str(order["id"])
    assert refunded["before"]["state"] == "in_erp"
    assert refunded["after"]["state"] == "refunded"
    assert refunded["before"]["total"]["currency"] == refunded["currency"]
    assert refunded["amount_delta"].startswith("-")
    assert refunded["after"]["refund_lines"][0]["sku"] == "SKU-0006"
    assert refunded["after"]["refund_lines"][0]["quantity"] == 1

    cancel = {"reason": "customer", "refund": False, "restock": True}
    shop.post(f"/_sandbox/orders/{order['id']}/cancel", json=cancel).raise_for_status()
    drain(running, shop)
    cancelled = shop.get(f"/_sandbox/orders/{order['id']}").json()["order"]
    post_webhook(server, "orders/cancelled", cancelled)  # delivered again
    drain(running, shop)

    first, cancellation = changes(running, order["id"])
    assert first == refunded
    assert cancellation["kind"] == "cancellation"
    assert (cancellation["before"]["state"], cancellation["after"]["state"]) == (
        "refunded",
        "cancelled",
    )
    assert cancellation["after"]["reason"] == "customer"
    assert cancellation["after"]["refunded"] == refunded["after"]["refunded"]
    cancelled_facts = facts(running, order["id"])
    assert cancelled_facts.fact.state == "cancelled"
    assert cancelled_facts.fact.lines == placed.fact.lines
