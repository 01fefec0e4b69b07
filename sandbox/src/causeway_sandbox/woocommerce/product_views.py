"""Products and variations in WooCommerce's REST shape (vendor-samples product.json).

Stock status is derived as WC_Product does: a product that manages stock is
`instock` with a positive quantity, else `onbackorder` when backorders are
allowed, else `outofstock`; a variable product is in stock while any of its
variations is.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from causeway_sandbox.woocommerce.formats import SiteClock
from causeway_sandbox.woocommerce.store import Product, Store

API = "wp-json/wc/v3"


def links(site: str, path: str, collection: str, up: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "self": [{"href": f"{site}{API}/{path}"}],
        "collection": [{"href": f"{site}{API}/{collection}"}],
    }
    if up is not None:
        out["up"] = [{"href": f"{site}{API}/{up}"}]
    return out


def backorders_allowed(product: Product) -> bool:
    return product.backorders in ("yes", "notify")


def derived_stock_status(product: Product, store: Store) -> str:
    if product.type == "variable" and product.variations:
        children = [store.products[i] for i in product.variations if i in store.products]
        statuses = {derived_stock_status(child, store) for child in children}
        for status in ("instock", "onbackorder"):
            if status in statuses:
                return status
        return "outofstock"
    stock = stock_holder(product, store)
    if stock is None:
        return product.stock_status
    if (stock.stock_quantity or 0) > 0:
        return "instock"
    return "onbackorder" if backorders_allowed(stock) else "outofstock"


def stock_holder(product: Product, store: Store) -> Product | None:
    """Whose quantity a sale of `product` reduces: itself, its parent ("parent"), or none."""
    if product.manage_stock:
        return product
    if product.type == "variation":
        parent = store.products.get(product.parent_id)
        if parent is not None and parent.manage_stock:
            return parent
    return None


def current_price(product: Product, store: Store) -> str:
    if product.type == "variable":
        prices = [
            Decimal(p)
            for p in (current_price(store.products[i], store) for i in product.variations)
            if p
        ]
        return str(min(prices)) if prices else ""
    if product.sale_price and product.regular_price:
        if Decimal(product.sale_price) < Decimal(product.regular_price):
            return product.sale_price
    return product.regular_price


def on_sale(product: Product) -> bool:
    return bool(product.sale_price) and product.sale_price != product.regular_price


def price_html(price: str) -> str:
    if not price:
        return ""
    return (
        '<span class="woocommerce-Price-amount amount"><span class="woocommerce-Price-'
        f'currencySymbol">&#36;</span>{Decimal(price):.2f}</span>'
    )


def _stock_fields(product: Product, store: Store) -> dict[str, Any]:
    holder = stock_holder(product, store)
    quantity = holder.stock_quantity if holder is not None else None
    return {
        "stock_quantity": quantity,
        "stock_status": derived_stock_status(product, store),
        "backorders": product.backorders,
        "backorders_allowed": backorders_allowed(product),
        "backordered": holder is not None and backorders_allowed(holder) and (quantity or 0) < 0,
    }


def render_product(product: Product, store: Store) -> dict[str, Any]:
    """GET /products/{id}: the keys of product.json, in its order."""
    clock: SiteClock = store.clock
    site = store.site_url
    price = current_price(product, store)
    related = [
        p.id
        for p in store.products.values()
        if p.id != product.id and p.type != "variation" and p.status == "publish"
    ][:5]
    stock = _stock_fields(product, store)
    return {
        "id": product.id,
        "name": product.name,
        "slug": product.slug,
        "permalink": f"{site}product/{product.slug}/",
        **clock.pair("date_created", product.date_created),
        **clock.pair("date_modified", product.date_modified),
        "type": product.type,
        "status": product.status,
        "featured": product.featured,
        "catalog_visibility": product.catalog_visibility,
        "description": product.description,
        "short_description": product.short_description,
        "sku": product.sku,
        "price": price,
        "regular_price": product.regular_price,
        "sale_price": product.sale_price,
        "date_on_sale_from": None,
        "date_on_sale_from_gmt": None,
        "date_on_sale_to": None,
        "date_on_sale_to_gmt": None,
        "price_html": price_html(price),
        "on_sale": on_sale(product),
        "purchasable": price != "" and product.status == "publish",
        "total_sales": product.total_sales,
        "virtual": product.virtual,
        "downloadable": product.downloadable,
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "external_url": "",
        "button_text": "",
        "tax_status": product.tax_status,
        "tax_class": product.tax_class,
        "manage_stock": product.manage_stock,
        **{k: stock[k] for k in ("stock_quantity", "stock_status", "backorders")},
        "backorders_allowed": stock["backorders_allowed"],
        "backordered": stock["backordered"],
        "sold_individually": product.sold_individually,
        "weight": product.weight,
        "dimensions": dict(product.dimensions),
        "shipping_required": not product.virtual,
        "shipping_taxable": product.tax_status in ("taxable", "shipping"),
        "shipping_class": product.shipping_class,
        "shipping_class_id": 0,
        "reviews_allowed": product.reviews_allowed,
        "average_rating": "0.00",
        "rating_count": 0,
        "related_ids": related,
        "upsell_ids": [],
        "cross_sell_ids": [],
        "parent_id": product.parent_id,
        "purchase_note": product.purchase_note,
        "categories": [dict(c) for c in product.categories],
        "tags": [dict(t) for t in product.tags],
        "images": [dict(i) for i in product.images],
        "attributes": [dict(a) for a in product.attributes],
        "default_attributes": [dict(a) for a in product.default_attributes],
        "variations": list(product.variations),
        "grouped_products": [],
        "menu_order": product.menu_order,
        "meta_data": [dict(m) for m in product.meta_data],
        "_links": links(site, f"products/{product.id}", "products"),
    }


def render_variation(variation: Product, store: Store) -> dict[str, Any]:
    """GET /products/{parent}/variations/{id}: the documented variation shape."""
    clock = store.clock
    site = store.site_url
    parent = store.products.get(variation.parent_id)
    query = "&".join(
        f"attribute_{a['name'].lower()}={a['option'].lower()}" for a in variation.attributes
    )
    permalink = f"{site}product/{parent.slug if parent else variation.slug}/"
    price = current_price(variation, store)
    stock = _stock_fields(variation, store)
    return {
        "id": variation.id,
        **clock.pair("date_created", variation.date_created),
        **clock.pair("date_modified", variation.date_modified),
        "description": variation.description,
        "permalink": f"{permalink}?{query}" if query else permalink,
        "sku": variation.sku,
        "price": price,
        "regular_price": variation.regular_price,
        "sale_price": variation.sale_price,
        "date_on_sale_from": None,
        "date_on_sale_from_gmt": None,
        "date_on_sale_to": None,
        "date_on_sale_to_gmt": None,
        "on_sale": on_sale(variation),
        "status": variation.status,
        "purchasable": price != "" and variation.status == "publish",
        "virtual": variation.virtual,
        "downloadable": variation.downloadable,
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "tax_status": variation.tax_status,
        "tax_class": variation.tax_class,
        "manage_stock": variation_manage_stock(variation, store),
        **stock,
        "weight": variation.weight,
        "dimensions": dict(variation.dimensions),
        "shipping_class": variation.shipping_class,
        "shipping_class_id": 0,
        "image": dict(variation.images[0]) if variation.images else None,
        "attributes": [dict(a) for a in variation.attributes],
        "menu_order": variation.menu_order,
        "meta_data": [dict(m) for m in variation.meta_data],
        "_links": links(
            site,
            f"products/{variation.parent_id}/variations/{variation.id}",
            f"products/{variation.parent_id}/variations",
            up=f"products/{variation.parent_id}",
        ),
    }


def variation_manage_stock(variation: Product, store: Store) -> bool | str:
    """true, false or "parent" (the parent's quantity is the one that moves)."""
    if variation.manage_stock:
        return True
    holder = stock_holder(variation, store)
    return "parent" if holder is not None else False
