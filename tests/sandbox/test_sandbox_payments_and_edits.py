"""The sandbox's payments and order edits: Shopify's fields, transactions and webhooks."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import httpx

from causeway_sandbox.shopify import SandboxServer
from tests.sandbox import test_shopify_sandbox as base
from tests.sandbox.test_shopify_sandbox import Receiver, _signed, checkout, stock

# The sandbox fixtures of the contract tests: one started shop and receiver per test.
make_shop = base.make_shop
receiver = base.receiver

ORDER_TOPICS = ["orders/create", "orders/updated", "orders/paid", "orders/edited"]


def subscribed(make_shop: Callable[..., SandboxServer], hook: Receiver) -> SandboxServer:
    shop = make_shop()
    stock(shop, "WID-001", 10, "10.00")
    stock(shop, "GAD-001", 10, "25.00")
    shop.control("PUT", "webhooks", json={"uri": hook.url, "topics": ORDER_TOPICS})
    return shop


def delivered(shop: SandboxServer, hook: Receiver) -> list[tuple[str, dict]]:
    assert shop.control("POST", "deliveries/wait", json={"timeout": 10}).json()["idle"]
    assert all(_signed(h, b) for h, b in hook.requests)
    return [(h["X-Shopify-Topic"], json.loads(b)) for h, b in hook.requests]


def test_a_pending_order_paid_later_sends_orders_paid_with_the_payment_recorded(
    make_shop, receiver
) -> None:
    hook = receiver()
    shop = subscribed(make_shop, hook)
    order = checkout(shop, financial_status="pending", tax_rate="0.10")
    assert order["total_outstanding"] == order["total_price"] == "22.00"

    paid = shop.control("POST", f"orders/{order['id']}/pay", json={}).json()

    assert paid["transaction"]["kind"] == "sale" and paid["transaction"]["status"] == "success"
    assert paid["transaction"]["amount"] == "22.00"
    topics = [(t, body["financial_status"]) for t, body in delivered(shop, hook)]
    assert topics == [
        ("orders/create", "pending"),
        ("orders/paid", "paid"),
        ("orders/updated", "paid"),
    ]
    body = delivered(shop, hook)[1][1]
    assert body["total_outstanding"] == "0.00"
    assert "transactions" not in body  # Shopify's order webhooks do not carry them
    listed = shop.control("GET", f"orders/{order['id']}/transactions").json()["transactions"]
    assert [t["amount"] for t in listed] == ["22.00"]
    again = httpx.post(f"{shop.url}/_sandbox/orders/{order['id']}/pay", json={})
    assert again.status_code == 422 and "nothing outstanding" in again.json()["detail"]


def test_a_partial_payment_is_partially_paid_and_sends_no_orders_paid(make_shop, receiver) -> None:
    hook = receiver()
    shop = subscribed(make_shop, hook)
    order = checkout(shop, financial_status="pending")
    shop.control("POST", f"orders/{order['id']}/pay", json={"amount": "5.00"})
    topics = [(t, b["financial_status"], b["total_outstanding"]) for t, b in delivered(shop, hook)]
    assert topics[1:] == [("orders/updated", "partially_paid", "15.00")]


def test_a_checkout_paid_at_once_sends_orders_paid_too(make_shop, receiver) -> None:
    hook = receiver()
    shop = subscribed(make_shop, hook)
    order = checkout(shop)
    assert [t for t, _ in delivered(shop, hook)] == ["orders/create", "orders/paid"]
    listed = shop.control("GET", f"orders/{order['id']}/transactions").json()["transactions"]
    assert [t["amount"] for t in listed] == [order["total_price"]]


def test_an_edit_sets_current_quantities_totals_and_stock_and_is_announced(
    make_shop, receiver
) -> None:
    hook = receiver()
    shop = subscribed(make_shop, hook)
    order = checkout(
        shop,
        financial_status="pending",
        tax_rate="0.10",
        lines=[{"sku": "WID-001", "quantity": 2}, {"sku": "GAD-001", "quantity": 1}],
    )
    edited = shop.control(
        "POST",
        f"orders/{order['id']}/edit",
        json={"lines": [{"sku": "WID-001", "quantity": 3}, {"sku": "GAD-001", "quantity": 0}]},
    ).json()["order"]

    lines = {li["sku"]: (li["quantity"], li["current_quantity"]) for li in edited["line_items"]}
    assert lines == {"WID-001": (2, 3), "GAD-001": (1, 0)}
    assert Decimal(edited["subtotal_price"]) == Decimal("30.00")
    assert edited["total_price"] == edited["current_total_price"] == "33.00"
    assert edited["total_outstanding"] == "33.00"
    assert shop.control("GET", "inventory").json() == {"WID-001": 7, "GAD-001": 10}
    events = delivered(shop, hook)
    assert [t for t, _ in events] == ["orders/create", "orders/edited", "orders/updated"]
    edit = events[1][1]["order_edit"]
    assert edit["order_id"] == order["id"]
    assert len(edit["line_items"]["additions"]) == len(edit["line_items"]["removals"]) == 1


def test_an_edit_of_a_fulfilled_order_is_refused(make_shop) -> None:
    shop = make_shop()
    stock(shop, "WID-001")
    order = checkout(shop)
    shop.control("POST", f"orders/{order['id']}/update", json={"fulfillment_status": "fulfilled"})
    refused = httpx.post(
        f"{shop.url}/_sandbox/orders/{order['id']}/edit",
        json={"lines": [{"sku": "WID-001", "quantity": 1}]},
    )
    assert refused.status_code == 422 and "fulfilled" in refused.json()["detail"]
