"""Orders, refunds and notes in WooCommerce's REST shape (vendor-samples order.json)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from causeway_sandbox.woocommerce.formats import money
from causeway_sandbox.woocommerce.product_views import links
from causeway_sandbox.woocommerce.store import LineItem, Note, Order, Refund, Store


def _taxes(store: Store, amount: Decimal) -> list[dict[str, Any]]:
    if not store.settings.tax_rate_percent:
        return []
    text = money(amount)
    return [{"id": store.settings.tax_rate_id, "total": text, "subtotal": text}]


def _number(value: Decimal) -> float:
    """A PHP float: a line's unit `price`, a tax line's `rate_percent` (a JSON number,
    not a string; WC_Order_Item_Tax casts a rate_percent never stored, '', to 0)."""
    return float(value)


def render_line(store: Store, item: LineItem) -> dict[str, Any]:
    amount = item.price * item.quantity
    return {
        "id": item.id,
        "name": item.name,
        "product_id": item.product_id,
        "variation_id": item.variation_id,
        "quantity": item.quantity,
        "tax_class": "",
        "subtotal": money(amount),
        "subtotal_tax": money(item.tax),
        "total": money(amount),
        "total_tax": money(item.tax),
        "taxes": _taxes(store, item.tax),
        "meta_data": [dict(m) for m in item.meta_data],
        "sku": item.sku,
        "price": _number(item.price),
    }


def order_totals(order: Order) -> dict[str, Decimal]:
    items = sum((i.price * i.quantity for i in order.line_items), Decimal("0"))
    cart_tax = sum((i.tax for i in order.line_items), Decimal("0"))
    return {
        "items": items,
        "cart_tax": cart_tax,
        "total": items + cart_tax + order.shipping_total,
    }


def refunded_total(store: Store, order: Order) -> Decimal:
    return sum((store.refunds[r].amount for r in order.refund_ids), Decimal("0"))


def render_order(order: Order, store: Store) -> dict[str, Any]:
    """GET /orders/{id}: every key of order.json, in its order."""
    clock = store.clock
    totals = order_totals(order)
    tax_lines = []
    if totals["cart_tax"] or (store.settings.tax_rate_percent and order.line_items):
        tax_lines.append(
            {
                "id": order.id * 10 + 1,  # stable: one tax line per order
                "rate_code": store.settings.tax_rate_code,
                "rate_id": store.settings.tax_rate_id,
                "label": store.settings.tax_label,
                "compound": False,
                "tax_total": money(totals["cart_tax"]),
                "shipping_tax_total": "0.00",
                "rate_percent": _number(order.tax_rate_percent or Decimal(0)),
                "meta_data": [],
            }
        )
    return {
        "id": order.id,
        "parent_id": 0,
        "number": str(order.id),
        "order_key": order.order_key,
        "created_via": order.created_via,
        "version": store.settings.wc_version,
        "status": order.status,
        "currency": order.currency,
        **clock.pair("date_created", order.date_created),
        **clock.pair("date_modified", order.date_modified),
        "discount_total": "0.00",
        "discount_tax": "0.00",
        "shipping_total": money(order.shipping_total),
        "shipping_tax": "0.00",
        "cart_tax": money(totals["cart_tax"]),
        "total": money(totals["total"]),
        "total_tax": money(totals["cart_tax"]),
        "prices_include_tax": False,
        "customer_id": order.customer_id,
        "customer_ip_address": order.customer_ip_address,
        "customer_user_agent": order.customer_user_agent,
        "customer_note": order.customer_note,
        "billing": dict(order.billing),
        "shipping": dict(order.shipping),
        "payment_method": order.payment_method,
        "payment_method_title": order.payment_method_title,
        "transaction_id": order.transaction_id,
        **clock.pair("date_paid", order.date_paid),
        **clock.pair("date_completed", order.date_completed),
        "cart_hash": "",
        "meta_data": [dict(m) for m in order.meta_data],
        "line_items": [render_line(store, item) for item in order.line_items],
        "tax_lines": tax_lines,
        "shipping_lines": [
            {
                "id": line["id"],
                "method_title": line["method_title"],
                "method_id": line["method_id"],
                "total": money(line["total"]),
                "total_tax": "0.00",
                "taxes": [],
                "meta_data": [],
            }
            for line in order.shipping_lines
        ],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": [
            {
                "id": refund.id,
                "reason": refund.reason,
                "total": money(-refund.amount),
            }
            for refund in (store.refunds[r] for r in reversed(order.refund_ids))
        ],
        "_links": links(store.site_url, f"orders/{order.id}", "orders"),
    }


def render_refund(refund: Refund, store: Store) -> dict[str, Any]:
    return {
        "id": refund.id,
        **store.clock.pair("date_created", refund.date_created),
        "amount": money(refund.amount),
        "reason": refund.reason,
        "refunded_by": refund.refunded_by,
        "refunded_payment": refund.refunded_payment,
        "meta_data": [dict(m) for m in refund.meta_data],
        "line_items": [dict(item) for item in refund.line_items],
        "_links": links(
            store.site_url,
            f"orders/{refund.order_id}/refunds/{refund.id}",
            f"orders/{refund.order_id}/refunds",
            up=f"orders/{refund.order_id}",
        ),
    }


def render_note(note: Note, store: Store) -> dict[str, Any]:
    return {
        "id": note.id,
        "author": note.author,
        **store.clock.pair("date_created", note.date_created),
        "note": note.note,
        "customer_note": note.customer_note,
        "_links": links(
            store.site_url,
            f"orders/{note.order_id}/notes/{note.id}",
            f"orders/{note.order_id}/notes",
            up=f"orders/{note.order_id}",
        ),
    }
