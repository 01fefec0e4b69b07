"""Orders as WooCommerce makes and changes them, stock included.

Stock moves the way WooCommerce core hooks move it: an order entering
processing, on-hold or completed reduces the stock of every line whose product
manages it (once: the order remembers it did, each line how many units it
took, in its `_reduced_stock` meta: see `stock`), and an order going back to pending
or to cancelled puts those units back.
The REST API itself never checks stock (an order it creates can drive a quantity
negative); refusing a sale beyond stock is the storefront's job
(`checkout.place_order`). A status set to refunded records a refund of what is
left, as wc_order_fully_refunded does. Every change stamps `date_modified`, writes the notes
WooCommerce writes ("Order status changed from ... to ...", "Stock levels
reduced: ...") and fires `order.updated`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from causeway_sandbox.woocommerce.errors import WooError
from causeway_sandbox.woocommerce.formats import CENT
from causeway_sandbox.woocommerce.meta import apply_meta
from causeway_sandbox.woocommerce.order_views import order_totals, refunded_total
from causeway_sandbox.woocommerce.product_views import current_price
from causeway_sandbox.woocommerce.stock import (
    increase_stock_levels,
    line_product,
    reduce_stock_levels,
)
from causeway_sandbox.woocommerce.store import (
    ORDER_STATUSES,
    LineItem,
    Note,
    Order,
    Product,
    Refund,
    Store,
)
from causeway_sandbox.woocommerce.validate import Schema, as_bool, check

STATUS_NAMES = {
    "pending": "Pending payment",
    "processing": "Processing",
    "on-hold": "On hold",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
    "failed": "Failed",
    "checkout-draft": "Draft",
    "trash": "Trash",
}
REDUCING = frozenset({"processing", "on-hold", "completed"})
RESTORING = frozenset({"pending", "cancelled"})
PAID = frozenset({"processing", "completed"})
BILLING_KEYS = (
    "first_name last_name company address_1 address_2 city state postcode country email phone"
).split()
SHIPPING_KEYS = BILLING_KEYS[:-2]
GATEWAY_TITLES = {
    "bacs": "Direct Bank Transfer",
    "cheque": "Check payments",
    "cod": "Cash on delivery",
    "stripe": "Credit Card (Stripe)",
    "woocommerce_payments": "WooPayments",
    "ppcp-gateway": "PayPal",
}

ORDER_SCHEMA: Schema = {
    "status": ORDER_STATUSES,
    "currency": "string",
    "customer_id": "integer",
    "customer_note": "string",
    "billing": "object",
    "shipping": "object",
    "payment_method": "string",
    "payment_method_title": "string",
    "transaction_id": "string",
    "meta_data": "array",
    "line_items": "array",
    "shipping_lines": "array",
    "set_paid": "boolean",
}


def add_note(
    store: Store, order: Order, text: str, *, customer_note: bool = False, author: str = "system"
) -> Note:
    note = Note(store.next_comment_id(), order.id, store.clock.now(), text, customer_note, author)
    store.notes[note.id] = note
    return note


def _address(given: Any, keys: list[str], field: str) -> dict[str, str]:
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise WooError(400, "rest_invalid_param", f"Invalid parameter(s): {field}")
    return {k: str(given.get(k, "")) for k in keys}


def _product_for(store: Store, spec: dict[str, Any]) -> Product:
    if spec.get("sku"):
        product = store.product_by_sku(str(spec["sku"]))
    elif spec.get("variation_id"):
        product = store.products.get(int(spec["variation_id"]))
    elif spec.get("product_id"):
        product = store.products.get(int(spec["product_id"]))
    else:
        raise WooError(
            400, "woocommerce_rest_required_product_reference", "Product ID or SKU is required."
        )
    if product is None or product.status == "trash":
        raise WooError(400, "woocommerce_rest_invalid_product_id", "Invalid product ID.")
    return product


def line_tax(store: Store, product: Product, amount: Decimal) -> Decimal:
    if product.tax_status != "taxable":
        return Decimal("0")
    rate = store.settings.tax_rate_percent / 100
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def build_line(store: Store, spec: Any) -> LineItem:
    if not isinstance(spec, dict):
        raise WooError(400, "rest_invalid_param", "Invalid parameter(s): line_items")
    product = _product_for(store, spec)
    quantity = int(spec.get("quantity", 1))
    if quantity <= 0:
        raise WooError(
            400, "woocommerce_rest_invalid_quantity", "Product quantity must be a positive number."
        )
    if "total" in spec:
        unit = Decimal(str(spec["total"])) / quantity
    else:
        unit = Decimal(current_price(product, store) or "0")
    parent = store.products.get(product.parent_id) if product.type == "variation" else None
    name = product.name
    if parent is not None and product.attributes:
        name = f"{parent.name} - {', '.join(a['option'] for a in product.attributes)}"
    item = LineItem(
        id=store.next_item_id(),
        name=name,
        product_id=parent.id if parent else product.id,
        variation_id=product.id if parent else 0,
        quantity=quantity,
        price=unit,
        sku=product.sku,
        tax=line_tax(store, product, unit * quantity),
    )
    for attribute in product.attributes if parent else []:
        store.add_meta(item.meta_data, attribute["name"].lower(), attribute["option"])
    if "meta_data" in spec:
        apply_meta(store, item.meta_data, spec["meta_data"])
    return item


def create_order(store: Store, body: Any, *, created_via: str = "rest-api") -> Order:
    """POST /orders (lock held, inside store.change()): no stock check, as the REST API."""
    body = check(body, ORDER_SCHEMA)
    if body.get("id"):
        raise WooError(
            400, "woocommerce_rest_shop_order_exists", "Cannot create existing shop_order."
        )
    now = store.clock.now()
    method = body.get("payment_method", "")
    order = Order(
        id=store.next_post_id(),
        order_key=f"wc_order_{store.token(13)}",
        status="pending",
        currency=body.get("currency") or store.settings.currency,
        date_created=now,
        date_modified=now,
        created_via=created_via,
        billing=_address(body.get("billing"), BILLING_KEYS, "billing"),
        shipping=_address(body.get("shipping"), SHIPPING_KEYS, "shipping"),
        payment_method=method,
        payment_method_title=body.get("payment_method_title") or GATEWAY_TITLES.get(method, ""),
        transaction_id=body.get("transaction_id", ""),
        customer_id=int(body.get("customer_id", 0)),
        customer_note=body.get("customer_note", ""),
        tax_rate_percent=store.settings.tax_rate_percent,
    )
    order.line_items = [build_line(store, spec) for spec in body.get("line_items", [])]
    for spec in body.get("shipping_lines", []):
        add_shipping_line(store, order, spec)
    if "meta_data" in body:
        apply_meta(store, order.meta_data, body["meta_data"])
    store.orders[order.id] = order
    store.emit("order.created", order.id)
    status = body.get("status", "pending")
    if status != "pending":
        set_status(store, order, status)
    if as_bool(body.get("set_paid", False)):
        payment_complete(store, order)
    return order


def add_shipping_line(store: Store, order: Order, spec: Any) -> None:
    if not isinstance(spec, dict):
        raise WooError(400, "rest_invalid_param", "Invalid parameter(s): shipping_lines")
    total = Decimal(str(spec.get("total", store.settings.flat_rate_shipping)))
    order.shipping_lines.append(
        {
            "id": store.next_item_id(),
            "method_title": str(spec.get("method_title", "Flat Rate")),
            "method_id": str(spec.get("method_id", "flat_rate")),
            "total": total,
        }
    )
    order.shipping_total += total


def payment_complete(store: Store, order: Order) -> None:
    """WC_Order::payment_complete: processing (paid), date_paid, stock reduced."""
    if order.status in ("pending", "on-hold", "failed", "cancelled", "checkout-draft"):
        set_status(store, order, "processing")
    if order.date_paid is None:
        order.date_paid = store.clock.now()
    reduce_stock(store, order)


def set_status(store: Store, order: Order, status: str, note: str = "") -> None:
    """A status transition with everything WooCommerce hooks on it (lock held)."""
    old = order.status
    order.status = status
    now = store.clock.now()
    if status in PAID and order.date_paid is None:
        order.date_paid = now
    if status == "completed" and order.date_completed is None:
        order.date_completed = now
    if old != status:
        change = f"Order status changed from {STATUS_NAMES[old]} to {STATUS_NAMES[status]}."
        add_note(store, order, f"{note} {change}".strip())
    if status in REDUCING:
        reduce_stock(store, order)
    elif status in RESTORING:
        restore_stock(store, order)
    elif status == "refunded" and old != status:
        _fully_refunded(store, order)
    changed(store, order)


def _fully_refunded(store: Store, order: Order) -> None:
    """wc_order_fully_refunded: a status set to refunded records a refund of what is left
    (no lines, no money moved, no restock) and tells the merchant to pay it back."""
    left = order_totals(order)["total"] - refunded_total(store, order)
    if left <= 0:
        return
    refund = Refund(
        id=store.next_post_id(),
        order_id=order.id,
        date_created=store.clock.now(),
        amount=left,
        reason="Order fully refunded.",
        refunded_by=1,
        refunded_payment=False,
    )
    store.refunds[refund.id] = refund
    order.refund_ids.append(refund.id)
    add_note(
        store,
        order,
        "Order status set to refunded. To return funds to the customer you will need to issue "
        "a refund through your payment gateway.",
    )


def changed(store: Store, order: Order) -> None:
    order.date_modified = store.clock.now()
    store.emit("order.updated", order.id)


def reduce_stock(store: Store, order: Order) -> None:
    """wc_maybe_reduce_stock_levels: once per order (its `_order_stock_reduced` flag)."""
    if order.stock_reduced:
        return
    order.stock_reduced = True
    for note in reduce_stock_levels(store, order):
        add_note(store, order, note)
    for item in order.line_items:
        product = line_product(store, item)
        if product is not None:
            product.total_sales += item.quantity


def restore_stock(store: Store, order: Order) -> None:
    """wc_maybe_increase_stock_levels: only after a reduction."""
    if not order.stock_reduced:
        return
    order.stock_reduced = False
    for note in increase_stock_levels(store, order):
        add_note(store, order, note)


def update_order(store: Store, order: Order, body: Any) -> Order:
    """PUT /orders/{id} (lock held, inside store.change())."""
    body = check(body, ORDER_SCHEMA)
    if body.get("line_items"):
        raise WooError(
            400,
            "causeway_sandbox_not_implemented",
            "The sandbox does not edit line items of an existing order (WooCommerce does).",
        )
    for name, keys in (("billing", BILLING_KEYS), ("shipping", SHIPPING_KEYS)):
        if name in body:
            merged = {**getattr(order, name), **(body[name] or {})}
            setattr(order, name, _address(merged, keys, name))
    for name in ("customer_note", "transaction_id", "payment_method", "payment_method_title"):
        if name in body:
            setattr(order, name, body[name])
    if "customer_id" in body:
        order.customer_id = int(body["customer_id"])
    if "meta_data" in body:
        apply_meta(store, order.meta_data, body["meta_data"])
    for spec in body.get("shipping_lines", []):
        add_shipping_line(store, order, spec)
    if "status" in body and body["status"] != order.status:
        set_status(store, order, body["status"])
    if as_bool(body.get("set_paid", False)):
        payment_complete(store, order)
    changed(store, order)
    return order
