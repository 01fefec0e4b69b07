"""Cancelling and refunding orders in the sandbox, with Shopify's webhooks.

What a merchant does in the Shopify admin (Cancel order; Refund), and what Shopify
then announces:

- cancel: `cancelled_at`, `cancel_reason` and `closed_at` are set and orders/cancelled
  is sent with the REST order; with `refund`, a refund of every unrefunded line
  (restock_type `cancel`, or `no_restock`) follows as refunds/create; then
  orders/updated. Like Shopify, an order with a fulfillment cannot be cancelled.
- refund: the REST Refund (refund_line_items with their line_item, quantity,
  restock_type, subtotal and total_tax; one successful `refund` transaction for the
  money) is added to the order's `refunds`, financial_status becomes
  partially_refunded or refunded; refunds/create, then orders/updated.

The sandbox does not move inventory on a refund or cancellation: the store's
available quantities follow what the hub publishes from the ERP.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from causeway_sandbox.shopify.formats import gid, money, rest_money
from causeway_sandbox.shopify.store import Store

RestockType = Literal["no_restock", "cancel", "return", "legacy_restock"]
CancelReason = Literal["customer", "declined", "fraud", "inventory", "other", "staff"]


class RefundLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_item_id: int | None = None
    sku: str | None = None
    quantity: int = Field(gt=0)
    restock_type: RestockType = "return"

    @model_validator(mode="after")
    def _names_a_line(self) -> RefundLineIn:
        if self.line_item_id is None and not self.sku:
            raise ValueError("give line_item_id or sku")
        return self


class RefundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[RefundLineIn] = Field(min_length=1)
    note: str | None = None


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: CancelReason = "customer"
    refund: bool = False
    restock: bool = False


class RefundRefused(ValueError):
    """The admin would refuse this (the message says why): HTTP 422."""


def _refunded_quantities(order: dict[str, Any]) -> dict[int, int]:
    done: dict[int, int] = {}
    for refund in order.get("refunds", []):
        for item in refund["refund_line_items"]:
            done[item["line_item_id"]] = done.get(item["line_item_id"], 0) + item["quantity"]
    return done


def _money_set(amount: Decimal, currency: str) -> dict[str, Any]:
    value = {"amount": rest_money(amount), "currency_code": currency}
    return {"shop_money": value, "presentment_money": dict(value)}


def _line_tax(line: dict[str, Any], quantity: int) -> Decimal:
    total = sum((Decimal(t["price"]) for t in line.get("tax_lines", [])), Decimal(0))
    return money(total * quantity / line["quantity"])


def _find_line(order: dict[str, Any], wanted: RefundLineIn) -> dict[str, Any]:
    for line in order["line_items"]:
        if wanted.line_item_id is not None and line["id"] == wanted.line_item_id:
            return line
        if wanted.line_item_id is None and line.get("sku") == wanted.sku:
            return line
    raise RefundRefused(
        f"order {order['name']} has no line {wanted.line_item_id or wanted.sku!r} to refund"
    )


def _build_refund(store: Store, order: dict[str, Any], body: RefundIn) -> dict[str, Any]:
    """The REST Refund for `body` (lock held); refuses more than is left to refund."""
    refunded = _refunded_quantities(order)
    now = store.clock.rest_time(store.clock.now())
    currency = order["currency"]
    refund_id = store.next_id("Refund")
    items = []
    total = Decimal(0)
    for wanted in body.lines:
        line = _find_line(order, wanted)
        left = line["quantity"] - refunded.get(line["id"], 0)
        if wanted.quantity > left:
            raise RefundRefused(
                f"cannot refund {wanted.quantity} x {line.get('sku')}: {left} left to refund "
                f"on order {order['name']}"
            )
        refunded[line["id"]] = refunded.get(line["id"], 0) + wanted.quantity
        subtotal = money(Decimal(line["price"]) * wanted.quantity)
        tax = _line_tax(line, wanted.quantity)
        total += subtotal + (Decimal(0) if order.get("taxes_included") else tax)
        restocked = wanted.restock_type != "no_restock"
        items.append(
            {
                "id": store.next_id("RefundLineItem"),
                "line_item_id": line["id"],
                "location_id": store.default_location_id if restocked else None,
                "quantity": wanted.quantity,
                "restock_type": wanted.restock_type,
                "subtotal": float(subtotal),
                "subtotal_set": _money_set(subtotal, currency),
                "total_tax": float(tax),
                "total_tax_set": _money_set(tax, currency),
                "line_item": dict(line),
            }
        )
    transaction_id = store.next_id("OrderTransaction")
    return {
        "id": refund_id,
        "order_id": order["id"],
        "created_at": now,
        "processed_at": now,
        "note": body.note,
        "user_id": None,
        "restock": any(i["restock_type"] != "no_restock" for i in items),
        "admin_graphql_api_id": gid("Refund", refund_id),
        "duties": [],
        "order_adjustments": [],
        "refund_shipping_lines": [],
        "refund_line_items": items,
        "transactions": [
            {
                "id": transaction_id,
                "order_id": order["id"],
                "kind": "refund",
                "gateway": order.get("gateway"),
                "status": "success",
                "message": "Refunded",
                "created_at": now,
                "processed_at": now,
                "test": order.get("test", False),
                "authorization": None,
                "parent_id": None,
                "source_name": "web",
                "amount": rest_money(total),
                "currency": currency,
                "admin_graphql_api_id": gid("OrderTransaction", transaction_id),
            }
        ],
    }


def _apply_refund(store: Store, order: dict[str, Any], refund: dict[str, Any]) -> None:
    order.setdefault("refunds", []).append(refund)
    refunded = _refunded_quantities(order)
    everything = all(
        refunded.get(line["id"], 0) >= line["quantity"] for line in order["line_items"]
    )
    order["financial_status"] = "refunded" if everything else "partially_refunded"
    order["updated_at"] = refund["created_at"]


def refund_order(store: Store, order_id: int, body: RefundIn) -> dict[str, Any] | None:
    """Refund lines of an order; returns the REST Refund (None: no such order)."""
    with store.lock:
        order = store.orders.get(order_id)
        if order is None:
            return None
        refund = _build_refund(store, order, body)
        _apply_refund(store, order, refund)
        store.emit("refunds/create", refund)
        store.emit("orders/updated", order)
        return refund


def cancel_order(store: Store, order_id: int, body: CancelIn) -> dict[str, Any] | None:
    """Cancel an unfulfilled order; returns the REST order (None: no such order)."""
    with store.lock:
        order = store.orders.get(order_id)
        if order is None:
            return None
        if order.get("cancelled_at"):
            raise RefundRefused(f"order {order['name']} is already cancelled")
        if order.get("fulfillments") or order.get("fulfillment_status") == "fulfilled":
            raise RefundRefused(f"order {order['name']} has a fulfillment: it cannot be cancelled")
        stamp = store.clock.rest_time(store.clock.now())
        order.update(cancelled_at=stamp, cancel_reason=body.reason, closed_at=stamp)
        order["updated_at"] = stamp
        refund = None
        if body.refund:
            left = _refunded_quantities(order)
            lines = [
                RefundLineIn(
                    line_item_id=line["id"],
                    quantity=line["quantity"] - left.get(line["id"], 0),
                    restock_type="cancel" if body.restock else "no_restock",
                )
                for line in order["line_items"]
                if line["quantity"] > left.get(line["id"], 0)
            ]
            if lines:
                refund = _build_refund(store, order, RefundIn(lines=lines))
                _apply_refund(store, order, refund)
        store.emit("orders/cancelled", order)
        if refund is not None:
            store.emit("refunds/create", refund)
        store.emit("orders/updated", order)
        return order
