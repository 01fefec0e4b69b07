"""Order edits in the sandbox: a merchant changes line quantities, removes or adds items.

Shopify keeps the quantity ordered at checkout in a line's `quantity` and what the
order holds now in `current_quantity` (0 for a removed item); an added item is a new
line item. A line's discount allocations and tax lines stay those of the quantity
ordered, as Shopify's do (they include removed units); the order's tax lines and
totals and its `current_*` totals follow the edit, each line's discount and tax taken
in proportion to the quantity it holds now. The stock moves with the edit (committed
up or down), and the shop announces it as `orders/edited` (body
`{"order_edit": {...}}`) followed by `orders/updated`.
Fulfilled items cannot be edited: Shopify refuses, and so does the sandbox.
"""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from causeway_sandbox.shopify.formats import rest_money
from causeway_sandbox.shopify.payments import settle
from causeway_sandbox.shopify.pricing import share, tax_lines
from causeway_sandbox.shopify.store import Store


class EditLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str
    quantity: int = Field(ge=0, description="The new quantity; 0 removes the item.")


class OrderEditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[EditLineIn] = Field(min_length=1)


class EditRefused(Exception):
    """Shopify would refuse this edit (a fulfilled order, an unknown SKU)."""


def quantity_now(line: dict[str, Any]) -> int:
    return int(line.get("current_quantity", line["quantity"]))


def _order_tax(order: dict[str, Any]) -> tuple[Decimal, str]:
    """The rate and title of the order's (first) tax; rate 0 when it has none."""
    taxes = order.get("tax_lines") or []
    return (Decimal(str(taxes[0]["rate"])), taxes[0]["title"]) if taxes else (Decimal(0), "")


def _allocated(line: dict[str, Any]) -> Decimal:
    return sum((Decimal(a["amount"]) for a in line.get("discount_allocations") or []), Decimal(0))


def _new_line(store: Store, order: dict[str, Any], sku: str, quantity: int) -> dict[str, Any]:
    variant = store.variant_by_sku(sku)
    if variant is None:
        raise EditRefused(f"no product with SKU {sku!r} in the sandbox shop")
    product = store.products[variant.product_id]
    rate, title = _order_tax(order)
    included = bool(order.get("taxes_included"))
    return {
        "fulfillment_service": "manual",
        "fulfillment_status": None,
        "grams": variant.grams,
        "id": store.next_id("LineItem"),
        "price": rest_money(variant.price),
        "product_id": product.id,
        "quantity": quantity,
        "current_quantity": quantity,
        "fulfillable_quantity": quantity,
        "requires_shipping": variant.requires_shipping,
        "sku": variant.sku,
        "title": product.title,
        "variant_id": variant.id,
        "variant_title": None,
        "vendor": product.vendor,
        "name": product.title,
        "properties": [],
        "product_exists": True,
        "taxable": variant.taxable,
        "total_discount": "0.00",
        "gift_card": False,
        "discount_allocations": [],
        "tax_lines": (
            tax_lines(variant.price * quantity, rate, title, included) if variant.taxable else []
        ),
    }


def _retotal(order: dict[str, Any]) -> None:
    """Order tax lines and totals for the current quantities (lines keep theirs)."""
    included = bool(order.get("taxes_included"))
    subtotal = items = discounts = Decimal(0)
    grouped: OrderedDict[tuple[str, float], Decimal] = OrderedDict()
    shipping = order.get("shipping_lines") or []
    for line in order["line_items"]:
        ordered, now = int(line["quantity"]), quantity_now(line)
        discount = share(_allocated(line), ordered, now)
        items += Decimal(line["price"]) * now
        subtotal += Decimal(line["price"]) * now - discount
        discounts += discount
        for tax in line.get("tax_lines") or []:
            key = (tax["title"], tax["rate"])
            grouped[key] = grouped.get(key, Decimal(0)) + share(Decimal(tax["price"]), ordered, now)
    for tax in (t for s in shipping for t in s.get("tax_lines") or []):
        key = (tax["title"], tax["rate"])
        grouped[key] = grouped.get(key, Decimal(0)) + Decimal(tax["price"])
    shipped = sum((Decimal(s.get("discounted_price") or s["price"]) for s in shipping), Decimal(0))
    discounts += sum((_allocated(s) for s in shipping), Decimal(0))
    total_tax = sum(grouped.values(), Decimal(0))
    tip = Decimal(order.get("total_tip_received") or 0)
    total = subtotal + shipped + (Decimal(0) if included else total_tax) + tip
    order["tax_lines"] = [
        {"price": rest_money(v), "rate": rate, "title": title}
        for (title, rate), v in grouped.items()
    ]
    order["total_line_items_price"] = rest_money(items)
    for name, value in (
        ("subtotal_price", subtotal),
        ("total_tax", total_tax),
        ("total_discounts", discounts),
        ("total_price", total),
    ):
        order[name] = order[f"current_{name}"] = rest_money(value)


def _move_stock(store: Store, sku: str, delta: int) -> None:
    variant = store.variant_by_sku(sku)
    item = store.items[variant.inventory_item_id] if variant else None
    level = store.levels.get((item.id, store.default_location_id)) if item else None
    if not item or not item.tracked or level is None or delta == 0:
        return
    level.quantities["available"] = level.get("available") - delta
    level.quantities["committed"] = level.get("committed") + delta
    level.updated_at = store.clock.now()
    store.emit("inventory_levels/update", store.level_payload(level))


def edit_order(store: Store, order_id: int, edit: OrderEditIn) -> dict[str, Any] | None:
    """Apply the edit and announce it; None for an unknown order."""
    with store.lock:
        order = store.orders.get(order_id)
        if order is None:
            return None
        if order.get("fulfillments") or order.get("fulfillment_status"):
            raise EditRefused(f"order {order['name']} has fulfilled items: they cannot be edited")
        additions: list[dict[str, Any]] = []
        removals: list[dict[str, Any]] = []
        for change in edit.lines:
            line = next((li for li in order["line_items"] if li["sku"] == change.sku), None)
            if line is None:
                if change.quantity == 0:
                    continue
                line = _new_line(store, order, change.sku, change.quantity)
                order["line_items"].append(line)
                delta = change.quantity
            else:
                delta = change.quantity - quantity_now(line)
                line["current_quantity"] = change.quantity
                line["fulfillable_quantity"] = change.quantity
            if delta:
                (additions if delta > 0 else removals).append(
                    {"id": line["id"], "delta": abs(delta)}
                )
                _move_stock(store, change.sku, delta)
        _retotal(order)
        settle(store, order)
        stamp = store.clock.rest_time(store.clock.now())
        order["updated_at"] = stamp
        store.emit(
            "orders/edited",
            {
                "order_edit": {
                    "id": store.next_id("OrderEdit"),
                    "app_id": None,
                    "created_at": stamp,
                    "notify_customer": False,
                    "order_id": order_id,
                    "staff_note": "",
                    "user_id": None,
                    "line_items": {"additions": additions, "removals": removals},
                }
            },
        )
        store.emit("orders/updated", order)
        return order
