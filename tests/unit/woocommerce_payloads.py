"""WooCommerce order, refund and product bodies in the REST API's shape, built per test.

Modelled on WooCommerce's documented order (vendor-samples/woocommerce/order.json),
trimmed to what the connector reads; tests change what their case needs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

RATE_ID = 75


def address(**extra: Any) -> dict[str, Any]:
    return {
        "first_name": "John",
        "last_name": "Doe",
        "company": "",
        "address_1": "969 Market",
        "address_2": "",
        "city": "San Francisco",
        "state": "CA",
        "postcode": "94103",
        "country": "US",
        **extra,
    }


def line(
    line_id: int,
    sku: str,
    quantity: int,
    subtotal: str,
    total: str | None = None,
    tax: str = "0.00",
    **extra: Any,
) -> dict[str, Any]:
    """A line; `total` after coupons (default: the subtotal), `tax` at the one rate."""
    return {
        "id": line_id,
        "name": f"Product {sku}",
        "product_id": 90 + line_id,
        "variation_id": 0,
        "quantity": quantity,
        "subtotal": subtotal,
        "subtotal_tax": tax,
        "total": total or subtotal,
        "total_tax": tax,
        "taxes": [{"id": RATE_ID, "total": tax, "subtotal": tax}] if tax != "0.00" else [],
        "meta_data": [],
        "sku": sku,
        "price": 0,
        **extra,
    }


def order(
    lines: list[dict[str, Any]] | None = None,
    *,
    shipping: str = "10.00",
    shipping_tax: str = "0.00",
    tax_label: str = "State Tax",
    **extra: Any,
) -> dict[str, Any]:
    """A processing, paid order; amounts are summed from its lines."""
    lines = lines if lines is not None else [line(1, "SKU-1", 2, "6.00", tax="0.45")]
    line_tax = sum((Decimal(li["total_tax"]) for li in lines), Decimal(0))
    goods = sum((Decimal(li["total"]) for li in lines), Decimal(0))
    before = sum((Decimal(li["subtotal"]) for li in lines), Decimal(0))
    tax = line_tax + Decimal(shipping_tax)
    body: dict[str, Any] = {
        "id": 727,
        "parent_id": 0,
        "number": "727",
        "status": "processing",
        "currency": "USD",
        "created_via": "checkout",
        "date_created": "2017-03-22T16:28:02",
        "date_created_gmt": "2017-03-22T19:28:02",
        "date_modified": "2017-03-22T16:28:08",
        "date_modified_gmt": "2017-03-22T19:28:08",
        "date_paid_gmt": "2017-03-22T19:28:08",
        "date_completed_gmt": None,
        "discount_total": str(before - goods),
        "shipping_total": shipping,
        "shipping_tax": shipping_tax,
        "total": str(goods + Decimal(shipping) + tax),
        "total_tax": str(tax),
        "prices_include_tax": False,
        "customer_id": 0,
        "customer_note": "",
        "billing": address(email="John.Doe@Example.com", phone="(555) 555-5555"),
        "shipping": address(),
        "payment_method": "bacs",
        "meta_data": [],
        "line_items": lines,
        "tax_lines": [
            {
                "id": 318,
                "rate_code": "US-CA-STATE TAX",
                "rate_id": RATE_ID,
                "label": tax_label,
                "compound": False,
                "tax_total": str(line_tax),
                "shipping_tax_total": shipping_tax,
            }
        ]
        if tax
        else [],
        "shipping_lines": [
            {
                "id": 317,
                "method_title": "Flat Rate",
                "method_id": "flat_rate",
                "total": shipping,
                "total_tax": shipping_tax,
                "taxes": [{"id": RATE_ID, "total": shipping_tax, "subtotal": ""}]
                if shipping_tax != "0.00"
                else [],
            }
        ],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": [],
    }
    return body | extra


def refund(refund_id: int, lines: list[tuple[int, int, str]], amount: str, **extra: Any) -> dict:
    """A refund of (order line id, units, amount) lines, as /orders/{id}/refunds gives it."""
    return {
        "id": refund_id,
        "date_created": "2017-03-23T10:00:00",
        "date_created_gmt": "2017-03-23T13:00:00",
        "amount": amount,
        "reason": "",
        "refunded_by": 1,
        "refunded_payment": False,
        "meta_data": [],
        "line_items": [
            {
                "id": 900 + n,
                "name": "refunded",
                "product_id": 0,
                "variation_id": 0,
                "quantity": -units,
                "subtotal": f"-{money}",
                "total": f"-{money}",
                "meta_data": [{"id": 1, "key": "_refunded_item_id", "value": str(line_id)}],
                "sku": "",
            }
            for n, (line_id, units, money) in enumerate(lines)
        ],
        **extra,
    }


def product(product_id: int, sku: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": product_id,
        "name": f"Product {sku}",
        "type": "simple",
        "status": "publish",
        "description": "",
        "sku": sku,
        "price": "12.00",
        "regular_price": "12.00",
        "sale_price": "",
        "manage_stock": True,
        "stock_quantity": 5,
        "weight": "",
        "parent_id": 0,
        "variations": [],
        **extra,
    }
