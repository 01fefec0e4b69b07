"""Loading REST payloads as stored state: a vendor sample, or a store's export, becomes
records the API then serves (control API `POST /_sandbox/import/{products|orders}`).

Ids, dates, keys and line ids are kept as given, so a loaded payload reads back with
its own values; what WooCommerce computes (totals, stock status, price) is computed
again from what was loaded, and must agree with the payload for a consistent one.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from causeway_sandbox.woocommerce.orders import BILLING_KEYS, SHIPPING_KEYS
from causeway_sandbox.woocommerce.store import LineItem, Order, Product, Store

_PRODUCT_FIELDS = (
    *("name", "slug", "type", "parent_id", "status", "featured", "catalog_visibility"),
    *("description", "short_description", "sku", "regular_price", "sale_price", "virtual"),
    *("downloadable", "tax_status", "tax_class", "manage_stock", "stock_quantity"),
    *("stock_status", "backorders", "sold_individually", "weight", "dimensions"),
    *("shipping_class", "reviews_allowed", "purchase_note", "total_sales", "menu_order"),
    *("categories", "tags", "images", "attributes", "default_attributes", "variations"),
    "meta_data",
)


def _gmt(payload: dict[str, Any], name: str, store: Store) -> datetime | None:
    value = payload.get(f"{name}_gmt")
    return store.clock.parse(value, gmt=True) if value else None


def import_product(store: Store, payload: dict[str, Any]) -> Product:
    now = store.clock.now()
    product = Product(
        id=int(payload["id"]),
        type=payload.get("type", "simple"),
        name=payload.get("name", ""),
        slug=payload.get("slug", ""),
        date_created=_gmt(payload, "date_created", store) or now,
        date_modified=_gmt(payload, "date_modified", store) or now,
    )
    for field in _PRODUCT_FIELDS:
        if field in payload:
            setattr(product, field, payload[field])
    if payload.get("image"):
        product.images = [payload["image"]]
    store.products[product.id] = product
    return product


def _rate_percent(payload: dict[str, Any]) -> Decimal | None:
    """The tax line's rate_percent; None for an order taxed before WooCommerce 5.7."""
    for line in payload.get("tax_lines", []):
        if line.get("rate_percent") is not None:
            return Decimal(str(line["rate_percent"]))
    return None


def import_order(store: Store, payload: dict[str, Any]) -> Order:
    now = store.clock.now()
    order = Order(
        id=int(payload["id"]),
        order_key=payload.get("order_key", ""),
        status=payload.get("status", "pending"),
        currency=payload.get("currency", store.settings.currency),
        date_created=_gmt(payload, "date_created", store) or now,
        date_modified=_gmt(payload, "date_modified", store) or now,
        created_via=payload.get("created_via", ""),
        billing={k: str(payload.get("billing", {}).get(k, "")) for k in BILLING_KEYS},
        shipping={k: str(payload.get("shipping", {}).get(k, "")) for k in SHIPPING_KEYS},
        date_paid=_gmt(payload, "date_paid", store),
        date_completed=_gmt(payload, "date_completed", store),
        stock_reduced=payload.get("status") in ("processing", "completed", "on-hold"),
    )
    for field in ("payment_method", "payment_method_title", "transaction_id", "customer_note"):
        setattr(order, field, payload.get(field, ""))
    order.customer_id = int(payload.get("customer_id", 0))
    order.customer_ip_address = payload.get("customer_ip_address", "")
    order.customer_user_agent = payload.get("customer_user_agent", "")
    order.meta_data = [dict(m) for m in payload.get("meta_data", [])]
    order.tax_rate_percent = _rate_percent(payload)
    for line in payload.get("line_items", []):
        order.line_items.append(
            LineItem(
                id=int(line["id"]),
                name=line.get("name", ""),
                product_id=int(line.get("product_id", 0)),
                variation_id=int(line.get("variation_id", 0)),
                quantity=int(line.get("quantity", 1)),
                price=Decimal(str(line.get("subtotal", "0"))) / int(line.get("quantity", 1)),
                sku=line.get("sku", ""),
                tax=Decimal(str(line.get("total_tax", "0"))),
                meta_data=[dict(m) for m in line.get("meta_data", [])],
            )
        )
    for line in payload.get("shipping_lines", []):
        total = Decimal(str(line.get("total", "0")))
        order.shipping_lines.append({**line, "total": total})
        order.shipping_total += total
    store.orders[order.id] = order
    return order


def load(store: Store, kind: str, payloads: list[dict[str, Any]]) -> list[int]:
    """Store each payload (lock taken here); the ids loaded."""
    loader = import_product if kind == "products" else import_order
    with store.lock:
        return [loader(store, payload).id for payload in payloads]
