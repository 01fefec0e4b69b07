"""Payments on sandbox orders, the way Shopify records and announces them.

A payment is an order transaction (REST `Transaction`: kind `sale`, status
`success`, amount as a string, the gateway). The order keeps what the payment
changed in its own REST fields: `financial_status` (`paid` once nothing is
outstanding, else `partially_paid`), `total_outstanding` and
`payment_gateway_names`. The webhooks carry the order, not the transactions (as
Shopify's `orders/paid` body does): `orders/paid` when the order became paid,
and `orders/updated` for every payment.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from causeway_sandbox.shopify.formats import gid, money, rest_money
from causeway_sandbox.shopify.store import Store


class PaymentIn(BaseModel):
    """A customer's payment (or a merchant's "mark as paid") on an existing order."""

    model_config = ConfigDict(extra="forbid")

    amount: Decimal | None = Field(
        default=None, gt=0, description="Defaults to what is outstanding."
    )
    gateway: str = "shopify_payments"


class PaymentRefused(Exception):
    """Shopify would refuse this payment (nothing outstanding, or more than outstanding)."""


def current_total(order: dict[str, Any]) -> Decimal:
    return Decimal(order.get("current_total_price") or order["total_price"])


def paid_amount(store: Store, order_id: int) -> Decimal:
    return sum(
        (
            Decimal(t["amount"])
            for t in store.transactions.get(order_id, [])
            if t["kind"] in ("sale", "capture") and t["status"] == "success"
        ),
        Decimal(0),
    )


def settle(store: Store, order: dict[str, Any]) -> None:
    """Bring the order's payment fields in line with its transactions and current total."""
    outstanding = current_total(order) - paid_amount(store, order["id"])
    order["total_outstanding"] = rest_money(max(outstanding, Decimal(0)))
    if store.transactions.get(order["id"]):
        order["financial_status"] = "paid" if outstanding <= 0 else "partially_paid"


def _transaction(store: Store, order: dict[str, Any], amount: Decimal, gateway: str) -> dict:
    stamp = store.clock.rest_time(store.clock.now())
    transaction_id = store.next_id("OrderTransaction")
    return {
        "id": transaction_id,
        "order_id": order["id"],
        "kind": "sale",
        "gateway": gateway,
        "status": "success",
        "message": "Transaction approved",
        "created_at": stamp,
        "processed_at": stamp,
        "test": order.get("test", False),
        "authorization": f"AUTH-{transaction_id}",
        "location_id": None,
        "user_id": None,
        "parent_id": None,
        "device_id": None,
        "error_code": None,
        "source_name": "web",
        "receipt": {},
        "amount": rest_money(amount),
        "currency": order["currency"],
        "admin_graphql_api_id": gid("OrderTransaction", transaction_id),
    }


def record_checkout_payment(
    store: Store, order: dict[str, Any], *, gift_card: Decimal = Decimal(0)
) -> None:
    """At checkout: a paid order has its sale transaction(s); every order its payment fields.

    A gift card used to pay is a transaction of the `gift_card` gateway, as Shopify
    records it: the order's total stays what it is, the card pays part of it.
    """
    order.setdefault("current_total_price", order["total_price"])
    order.setdefault("current_subtotal_price", order["subtotal_price"])
    order.setdefault("current_total_tax", order["total_tax"])
    card = min(gift_card, current_total(order))
    order["payment_gateway_names"] = (["gift_card"] if card else []) + [order["gateway"]]
    transactions = [_transaction(store, order, card, "gift_card")] if card else []
    rest = current_total(order) - card
    if order["financial_status"] == "paid" and rest > 0:
        transactions.append(_transaction(store, order, rest, order["gateway"]))
    if transactions:
        store.transactions[order["id"]] = transactions
    settle(store, order)


def pay_order(store: Store, order_id: int, payment: PaymentIn) -> dict[str, Any] | None:
    """Take a payment; returns {"order", "transaction"}, None for an unknown order."""
    with store.lock:
        order = store.orders.get(order_id)
        if order is None:
            return None
        outstanding = current_total(order) - paid_amount(store, order_id)
        if outstanding <= 0:
            raise PaymentRefused(f"order {order['name']} has nothing outstanding")
        amount = money(payment.amount if payment.amount is not None else outstanding)
        if amount > outstanding:
            raise PaymentRefused(
                f"order {order['name']}: {amount} is more than the {outstanding} outstanding"
            )
        transaction = _transaction(store, order, amount, payment.gateway)
        store.transactions.setdefault(order_id, []).append(transaction)
        was_paid = order["financial_status"] == "paid"
        settle(store, order)
        if payment.gateway not in order.setdefault("payment_gateway_names", []):
            order["payment_gateway_names"].append(payment.gateway)
        order["updated_at"] = store.clock.rest_time(store.clock.now())
        if order["financial_status"] == "paid" and not was_paid:
            store.emit("orders/paid", order)
        store.emit("orders/updated", order)
        return {"order": order, "transaction": transaction}
