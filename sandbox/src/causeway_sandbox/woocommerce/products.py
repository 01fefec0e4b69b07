"""Product and variation writes as WooCommerce's REST controllers make them.

SKUs are unique across products and variations (`product_invalid_sku`, with the
owner's id in `data.resource_id`, as WC_Product::set_sku reports it). With
`manage_stock`, `stock_quantity` is absolute and the stock status follows from it;
without, the stock status is whatever was set. Each save stamps `date_modified`
and fires `product.created` / `product.updated` (a variation's events carry the
variation's id, as WooCommerce's `woocommerce_*_product_variation` hooks do).
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from causeway_sandbox.woocommerce.errors import WooError, invalid_params
from causeway_sandbox.woocommerce.meta import apply_meta
from causeway_sandbox.woocommerce.store import Product, Store
from causeway_sandbox.woocommerce.validate import Schema, as_bool, check

PRODUCT_SCHEMA: Schema = {
    "name": "string",
    "slug": "string",
    "type": ("simple", "grouped", "external", "variable"),
    "status": ("draft", "pending", "private", "publish", "future"),
    "featured": "boolean",
    "catalog_visibility": ("visible", "catalog", "search", "hidden"),
    "description": "string",
    "short_description": "string",
    "sku": "string",
    "regular_price": "string",
    "sale_price": "string",
    "virtual": "boolean",
    "downloadable": "boolean",
    "tax_status": ("taxable", "shipping", "none"),
    "tax_class": "string",
    "manage_stock": "boolean",
    "stock_quantity": "integer",
    "stock_status": ("instock", "outofstock", "onbackorder"),
    "backorders": ("no", "notify", "yes"),
    "sold_individually": "boolean",
    "weight": "string",
    "dimensions": "object",
    "shipping_class": "string",
    "reviews_allowed": "boolean",
    "purchase_note": "string",
    "menu_order": "integer",
    "categories": "array",
    "tags": "array",
    "images": "array",
    "attributes": "array",
    "default_attributes": "array",
    "meta_data": "array",
}
VARIATION_SCHEMA: Schema = {
    k: v for k, v in PRODUCT_SCHEMA.items() if k not in ("name", "slug", "type", "featured")
} | {"status": ("draft", "pending", "private", "publish"), "image": "object"}

_TEXT = "description short_description tax_class weight shipping_class purchase_note".split()
_FLAGS = "featured virtual downloadable sold_individually reviews_allowed".split()
_CHOICES = "catalog_visibility tax_status backorders".split()


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "product"


def _unique_slug(store: Store, wanted: str, own_id: int) -> str:
    taken = {p.slug for p in store.products.values() if p.id != own_id}
    slug, n = wanted, 1
    while slug in taken:
        n += 1
        slug = f"{wanted}-{n}"
    return slug


def _price(body: dict[str, Any], name: str) -> str | None:
    if name not in body:
        return None
    text = str(body[name]).strip()
    if text == "":
        return ""
    try:
        Decimal(text)
    except InvalidOperation:
        raise invalid_params({name: f"{name} is not a valid price."}) from None
    return text


def check_plugins(store: Store, product: Product) -> None:
    """A plugin's `woocommerce_rest_pre_insert_product_object` filter (a catalogue rule,
    a required field...) refusing the product with a WP_Error: nothing is saved."""
    message = store.refused_skus.get(product.sku)
    if message is not None:
        raise WooError(400, "woocommerce_rest_product_not_created", message)


def check_sku(store: Store, sku: str, own_id: int) -> None:
    owner = store.product_by_sku(sku)
    if sku and owner is not None and owner.id != own_id:
        raise WooError(
            400,
            "product_invalid_sku",
            "Invalid or duplicated SKU.",
            resource_id=owner.id,
            unique_sku=f"{sku}-1",
        )


def _terms(values: list[Any], kind: str) -> list[dict[str, Any]]:
    out = []
    for value in values:
        if not isinstance(value, dict) or "id" not in value:
            raise invalid_params({kind: f"{kind}[0][id] is not of type integer."})
        name = str(value.get("name") or f"{kind.rstrip('s').title()} {value['id']}")
        out.append(
            {"id": int(value["id"]), "name": name, "slug": value.get("slug") or slugify(name)}
        )
    return out


def _images(store: Store, values: list[Any]) -> list[dict[str, Any]]:
    now = store.clock.now()
    out = []
    for value in values:
        if not isinstance(value, dict):
            raise invalid_params({"images": "images[0] is not of type object."})
        out.append(
            {
                "id": int(value.get("id") or store.next_image_id()),
                **store.clock.pair("date_created", now),
                **store.clock.pair("date_modified", now),
                "src": str(value.get("src", "")),
                "name": str(value.get("name", "")),
                "alt": str(value.get("alt", "")),
            }
        )
    return out


def _attributes(values: list[Any], *, variation: bool) -> list[dict[str, Any]]:
    out = []
    for position, value in enumerate(values):
        if not isinstance(value, dict):
            raise invalid_params({"attributes": "attributes[0] is not of type object."})
        entry: dict[str, Any] = {"id": int(value.get("id", 0)), "name": str(value.get("name", ""))}
        if variation:
            entry["option"] = str(value.get("option", ""))
        else:
            entry |= {
                "position": int(value.get("position", position)),
                "visible": as_bool(value.get("visible", False)),
                "variation": as_bool(value.get("variation", False)),
                "options": [str(o) for o in value.get("options", [])],
            }
        out.append(entry)
    return out


def apply_fields(store: Store, product: Product, body: dict[str, Any]) -> None:
    """Copy the writable fields of a REST body onto `product` (types already checked)."""
    if "sku" in body:
        sku = body["sku"].strip()
        check_sku(store, sku, product.id)
        product.sku = sku
    if "name" in body:
        product.name = body["name"]
    if "slug" in body or ("name" in body and not product.slug):
        product.slug = _unique_slug(store, slugify(body.get("slug") or product.name), product.id)
    for name in ("regular_price", "sale_price"):
        price = _price(body, name)
        if price is not None:
            setattr(product, name, price)
    for name in _TEXT + _CHOICES + ["status"]:
        if name in body:
            setattr(product, name, body[name])
    for name in _FLAGS:
        if name in body:
            setattr(product, name, as_bool(body[name]))
    if "menu_order" in body:
        product.menu_order = int(body["menu_order"])
    if "dimensions" in body:
        product.dimensions |= {
            k: str(body["dimensions"][k]) for k in product.dimensions if k in body["dimensions"]
        }
    if "manage_stock" in body:
        product.manage_stock = as_bool(body["manage_stock"])
    if "stock_quantity" in body and product.manage_stock:
        quantity = body["stock_quantity"]
        product.stock_quantity = None if quantity is None else int(quantity)
    if product.manage_stock and product.stock_quantity is None:
        product.stock_quantity = 0
    if not product.manage_stock:
        product.stock_quantity = None
    if "stock_status" in body:
        product.stock_status = body["stock_status"]
    for kind in ("categories", "tags"):
        if kind in body:
            setattr(product, kind, _terms(body[kind], kind))
    if "images" in body:
        product.images = _images(store, body["images"])
    if "image" in body:
        product.images = _images(store, [body["image"]]) if body["image"] else []
    if "attributes" in body:
        product.attributes = _attributes(body["attributes"], variation=product.type == "variation")
    if "default_attributes" in body:
        product.default_attributes = [
            {
                "id": int(a.get("id", 0)),
                "name": str(a.get("name", "")),
                "option": str(a.get("option", "")),
            }
            for a in body["default_attributes"]
            if isinstance(a, dict)
        ]
    if "meta_data" in body:
        apply_meta(store, product.meta_data, body["meta_data"])


def create_product(
    store: Store, body: Any, parent: Product | None = None, *, batch: bool = False
) -> Product:
    """POST /products or /products/{parent}/variations (lock held, inside store.change())."""
    body = check(body, VARIATION_SCHEMA if parent else PRODUCT_SCHEMA, coerce=batch)
    kind = "variation" if parent else "product"
    if body.get("id"):
        raise WooError(400, f"woocommerce_rest_{kind}_exists", f"Cannot create existing {kind}.")
    now = store.clock.now()
    product = Product(
        id=store.next_post_id(),
        type="variation" if parent else body.get("type", "simple"),
        name=parent.name if parent else body.get("name", ""),
        slug="",
        date_created=now,
        date_modified=now,
        parent_id=parent.id if parent else 0,
    )
    apply_fields(store, product, body)
    check_plugins(store, product)
    if not product.slug:  # WordPress falls back on the post id for a nameless post
        wanted = slugify(product.name) if product.name else str(product.id)
        product.slug = _unique_slug(store, wanted, product.id)
    store.products[product.id] = product
    if parent is not None:
        parent.variations.append(product.id)
    store.emit("product.created", product.id)
    return product


def update_product(store: Store, product: Product, body: Any, *, batch: bool = False) -> Product:
    """PUT /products/{id} or a variation (lock held, inside store.change())."""
    schema = VARIATION_SCHEMA if product.type == "variation" else PRODUCT_SCHEMA
    body = check(body, schema, coerce=batch)
    draft = copy.deepcopy(product)  # all or nothing, as WooCommerce saves only a valid object
    apply_fields(store, draft, body)
    check_plugins(store, draft)
    product.__dict__.update(draft.__dict__)
    touch(store, product)
    return product


def touch(store: Store, product: Product) -> None:
    """A save: a new date_modified and a product.updated event."""
    product.date_modified = store.clock.now()
    store.emit("product.updated", product.id)


def delete_product(store: Store, product: Product, *, force: bool) -> None:
    """Trash (fires product.deleted, as the `wp_trash_post` hook does) or delete for good
    (no webhook: WooCommerce's product.deleted topic listens to trashing only)."""
    if not force:
        if product.status == "trash":
            raise WooError(
                410, "woocommerce_rest_already_trashed", "The product has already been deleted."
            )
        product.status = "trash"
        product.date_modified = store.clock.now()
        store.emit("product.deleted", product.id)
        return
    for child in list(product.variations):
        store.products.pop(child, None)
    if product.parent_id and product.parent_id in store.products:
        store.products[product.parent_id].variations.remove(product.id)
    store.products.pop(product.id, None)
