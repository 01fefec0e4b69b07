"""Refunds as wc_create_refund makes them from the REST API.

`amount` (a string, as the schema says) defaults to the sum of the lines' refund
totals and taxes; more than what is left to refund is refused ("Invalid refund
amount."). With `api_refund` (the default) the order's gateway must refund the
money: bank transfer, cheque and cash on delivery cannot, an unknown gateway does
not exist, and the refund is then refused as a whole. With `api_restock` (the
default) the refunded quantities go back to stock, as wc_restock_refunded_items puts
them back: in full, on every line that took stock, noted on the line
(`_restock_refunded_items`, see `stock`).
An order refunded in full becomes `refunded`. Every refund fires `order.updated`.

The refunds controller builds its errors with a bare number as data, so WordPress
answers them with HTTP 500 and `"data": 400` or `"data": 500` (errors.bare_status_error).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from causeway_sandbox.woocommerce.errors import bare_status_error
from causeway_sandbox.woocommerce.formats import money
from causeway_sandbox.woocommerce.meta import apply_meta
from causeway_sandbox.woocommerce.order_views import order_totals, refunded_total
from causeway_sandbox.woocommerce.orders import GATEWAY_TITLES, add_note, changed, set_status
from causeway_sandbox.woocommerce.stock import restock_refunded_items
from causeway_sandbox.woocommerce.store import LineItem, Order, Refund, Store
from causeway_sandbox.woocommerce.validate import Schema, as_bool, check

REFUND_SCHEMA: Schema = {
    "amount": "string",
    "reason": "string",
    "refunded_by": "integer",
    "meta_data": "array",
    "line_items": "array",
    "api_refund": "boolean",
    "api_restock": "boolean",
}


def _refused(message: str) -> Exception:
    return bare_status_error("woocommerce_rest_cannot_create_order_refund", message, 500)


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value or "0"))
    except InvalidOperation:
        raise _refused("Invalid refund amount.") from None


def _refund_lines(
    store: Store, order: Order, specs: list[Any]
) -> list[tuple[LineItem, int, Decimal, Decimal]]:
    """(order line, quantity, refund total, refund tax) for each line item asked for."""
    by_id = {item.id: item for item in order.line_items}
    lines = []
    for spec in specs:
        if not isinstance(spec, dict) or int(spec.get("id", 0)) not in by_id:
            continue  # WooCommerce skips lines that are not the order's
        item = by_id[int(spec["id"])]
        tax = sum((_decimal(t.get("refund_total")) for t in spec.get("refund_tax", [])), Decimal(0))
        lines.append((item, int(spec.get("quantity", 0)), _decimal(spec.get("refund_total")), tax))
    return lines


def _check_gateway(order: Order, refund_gateways: list[str]) -> None:
    if order.payment_method not in GATEWAY_TITLES and order.payment_method not in refund_gateways:
        raise _refused("The payment gateway for this order does not exist.")
    if order.payment_method not in refund_gateways:
        raise _refused("The payment gateway for this order does not support automatic refunds.")


def _refund_item(
    store: Store, item: LineItem, quantity: int, total: Decimal, tax: Decimal
) -> dict[str, Any]:
    taxes = []
    if tax:
        taxes = [{"id": store.settings.tax_rate_id, "total": str(-tax), "subtotal": str(-tax)}]
    meta: list[dict[str, Any]] = []
    store.add_meta(meta, "_refunded_item_id", str(item.id))
    return {
        "id": store.next_item_id(),
        "name": item.name,
        "product_id": item.product_id,
        "variation_id": item.variation_id,
        "quantity": -quantity,
        "tax_class": "",
        "subtotal": money(-total),
        "subtotal_tax": money(-tax),
        "total": money(-total),
        "total_tax": money(-tax),
        "taxes": taxes,
        "meta_data": meta,
        "sku": item.sku,
        "price": float(-total / quantity) if quantity else 0.0,
    }


def create_refund(store: Store, order: Order, body: Any) -> Refund:
    """POST /orders/{id}/refunds (lock held, inside store.change())."""
    body = check(body, REFUND_SCHEMA)
    lines = _refund_lines(store, order, body.get("line_items", []))
    if "amount" in body and str(body["amount"]).strip():
        amount = _decimal(body["amount"])
    else:
        amount = sum((total + tax for _, _, total, tax in lines), Decimal(0))
    if amount < 0:
        raise bare_status_error(
            "woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero.", 400
        )
    remaining = order_totals(order)["total"] - refunded_total(store, order)
    if amount > remaining:
        raise _refused("Invalid refund amount.")
    api_refund = as_bool(body.get("api_refund", True))
    if api_refund:
        _check_gateway(order, store.settings.refund_gateways)
    refund = Refund(
        id=store.next_post_id(),
        order_id=order.id,
        date_created=store.clock.now(),
        amount=amount,
        reason=body.get("reason", ""),
        refunded_by=int(body.get("refunded_by", 1)),
        refunded_payment=api_refund,
        line_items=[_refund_item(store, i, q, t, x) for i, q, t, x in lines],
    )
    if "meta_data" in body:
        apply_meta(store, refund.meta_data, body["meta_data"])
    store.refunds[refund.id] = refund
    order.refund_ids.append(refund.id)
    if as_bool(body.get("api_restock", True)):
        for note in restock_refunded_items(store, [(item, qty) for item, qty, _, _ in lines]):
            add_note(store, order, note)
    if remaining - amount <= 0 and order.status != "refunded":
        set_status(store, order, "refunded")
    changed(store, order)
    return refund
