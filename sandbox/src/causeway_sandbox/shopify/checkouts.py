"""Shoppers' checkouts: started and changed through the control API, announced as
checkouts/create and checkouts/update, listed by the `abandonedCheckouts` query, and
completed when an order is placed from one (POST /_sandbox/orders with `checkout_id`).

Checkouts are kept in Shopify's REST shape (the body of a checkouts/* webhook), like
orders, and the GraphQL AbandonedCheckout is computed from that one record. A
checkout's `updated_at` moves forward by at least a second at every change (REST
times have whole seconds), so two changes never share a stamp.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from causeway_sandbox.shopify.connections import paginate
from causeway_sandbox.shopify.formats import gid, gql_decimal, gql_time, parse_time, rest_money
from causeway_sandbox.shopify.store import Store


class CheckoutLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1)
    quantity: int = Field(gt=0)


class CheckoutIn(BaseModel):
    """What a shopper has given when Shopify first announces the checkout."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = None
    lines: list[CheckoutLineIn] = Field(min_length=1)
    currency: str | None = None


class CheckoutUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str | None = None
    lines: list[CheckoutLineIn] | None = None


class UnknownSku(ValueError):
    pass


def _line_items(store: Store, lines: list[CheckoutLineIn]) -> list[dict[str, Any]]:
    items = []
    for line in lines:
        variant = store.variant_by_sku(line.sku)
        if variant is None:
            raise UnknownSku(f"no product with SKU {line.sku!r} in the sandbox shop")
        product = store.products[variant.product_id]
        items.append(
            {
                "key": f"{variant.id}:{store.token()[:8]}",
                "product_id": product.id,
                "variant_id": variant.id,
                "sku": variant.sku,
                "title": product.title,
                "variant_title": None if variant.title == "Default Title" else variant.title,
                "quantity": line.quantity,
                "price": rest_money(variant.price),
                "line_price": rest_money(variant.price * line.quantity),
                "requires_shipping": True,
                "taxable": True,
            }
        )
    return items


def _totals(checkout: dict[str, Any]) -> None:
    total = sum((Decimal(li["line_price"]) for li in checkout["line_items"]), Decimal(0))
    for key in ("subtotal_price", "total_line_items_price", "total_price"):
        checkout[key] = rest_money(total)


def create_checkout(store: Store, req: CheckoutIn, shop_currency: str) -> dict[str, Any]:
    """Start a checkout and announce checkouts/create; return the REST checkout."""
    with store.lock:
        checkout_id = store.next_id("Checkout")
        token = store.token()
        stamp = store.clock.rest_time(store.clock.now())
        checkout: dict[str, Any] = {
            "id": checkout_id,
            "token": token,
            "cart_token": store.token(),
            "email": req.email,
            "gateway": None,
            "buyer_accepts_marketing": False,
            "created_at": stamp,
            "updated_at": stamp,
            "landing_site": None,
            "note": None,
            "note_attributes": [],
            "referring_site": None,
            "shipping_lines": [],
            "taxes_included": False,
            "total_weight": 0,
            "currency": req.currency or shop_currency,
            "presentment_currency": req.currency or shop_currency,
            "completed_at": None,
            "closed_at": None,
            "user_id": None,
            "location_id": None,
            "source_identifier": None,
            "source_url": None,
            "device_id": None,
            "phone": None,
            "customer_locale": "en",
            "line_items": _line_items(store, req.lines),
            "name": f"#{checkout_id}",
            "source": None,
            "abandoned_checkout_url": (
                f"https://{store.shop_domain}/checkouts/{token}/recover?key={store.token()}"
            ),
            "discount_codes": [],
            "tax_lines": [],
            "source_name": "web",
            "total_discounts": "0.00",
            "total_tax": "0.00",
            "customer": None,
        }
        _totals(checkout)
        store.checkouts[checkout_id] = checkout
        store.emit("checkouts/create", dict(checkout))
        return checkout


def _touch(store: Store, checkout: dict[str, Any]) -> None:
    """Move updated_at to now, and at least a second past its last value."""
    now = store.clock.now()
    last = parse_time(checkout["updated_at"])
    checkout["updated_at"] = store.clock.rest_time(max(now, last + timedelta(seconds=1)))


def update_checkout(store: Store, checkout_id: int, req: CheckoutUpdateIn) -> dict[str, Any] | None:
    """Change a checkout and announce checkouts/update; None when there is no such one."""
    with store.lock:
        checkout = store.checkouts.get(checkout_id)
        if checkout is None:
            return None
        if req.email is not None:
            checkout["email"] = req.email
        if req.lines is not None:
            checkout["line_items"] = _line_items(store, req.lines)
            _totals(checkout)
        _touch(store, checkout)
        store.emit("checkouts/update", dict(checkout))
        return checkout


def complete_checkout(store: Store, checkout_id: int, order: dict[str, Any]) -> None:
    """An order was placed from the checkout: it carries the checkout's ids, and the
    checkout its completed_at (announced as checkouts/update, as Shopify does)."""
    with store.lock:
        checkout = store.checkouts[checkout_id]
        order["checkout_id"] = checkout_id
        order["checkout_token"] = checkout["token"]
        order["cart_token"] = checkout["cart_token"]
        _touch(store, checkout)
        checkout["completed_at"] = checkout["updated_at"]
        checkout["closed_at"] = checkout["updated_at"]


def announce_completed(store: Store, checkout_id: int) -> None:
    with store.lock:
        store.emit("checkouts/update", dict(store.checkouts[checkout_id]))


def abandoned_checkout_view(checkout: dict[str, Any], shop_currency: str) -> dict[str, Any]:
    """The GraphQL AbandonedCheckout of a stored REST checkout (the fields the sandbox
    computes; any other is answered with a SANDBOX_NOT_IMPLEMENTED error)."""
    currency = checkout.get("currency") or shop_currency

    def bag(amount: str) -> dict[str, Any]:
        value = {"amount": gql_decimal(amount), "currencyCode": currency}
        return {"shopMoney": value, "presentmentMoney": value}

    email = checkout.get("email")
    lines = [
        {
            "id": gid("AbandonedCheckoutLineItem", checkout["id"] * 1000 + index),
            "sku": li.get("sku"),
            "title": li.get("title"),
            "variantTitle": li.get("variant_title"),
            "quantity": li["quantity"],
            "originalUnitPriceSet": bag(li["price"]),
            "originalTotalPriceSet": bag(li["line_price"]),
        }
        for index, li in enumerate(checkout["line_items"])
    ]
    completed = checkout.get("completed_at")
    return {
        "__typename": "AbandonedCheckout",
        "id": gid("AbandonedCheckout", checkout["id"]),
        "name": checkout["name"],
        "abandonedCheckoutUrl": checkout["abandoned_checkout_url"],
        "createdAt": gql_time(parse_time(checkout["created_at"])),
        "updatedAt": gql_time(parse_time(checkout["updated_at"])),
        "completedAt": gql_time(parse_time(completed)) if completed else None,
        "customer": (
            {"defaultEmailAddress": {"emailAddress": email}, "email": email} if email else None
        ),
        "totalPriceSet": bag(checkout["total_price"]),
        "subtotalPriceSet": bag(checkout["subtotal_price"]),
        "totalLineItemsPriceSet": bag(checkout["total_line_items_price"]),
        "lineItems": lambda info, **page: paginate(
            lines,
            sort="ID",
            key=lambda row: (lines.index(row), lines.index(row)),
            node=lambda row: row,
            **page,
        ),
        "lineItemsQuantity": sum(li["quantity"] for li in checkout["line_items"]),
    }


def checkout_field(checkout: dict[str, Any], field: str) -> list[Any] | None:
    """Search fields of `abandonedCheckouts(query:)`."""
    if field in ("updated_at", "created_at"):
        return [parse_time(checkout[field])]
    status = "closed" if checkout.get("completed_at") else "open"
    simple: dict[str, list[Any]] = {
        "id": [checkout["id"]],
        "status": [status],
        "default": [checkout.get("email"), checkout["name"]],
    }
    return simple.get(field)
