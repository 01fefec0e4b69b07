"""Products in the sandbox: `products(query:)`, productCreate, productUpdate and
productVariantsBulkUpdate, with Shopify's 2026-10 behaviour and webhooks.

As on Shopify, productCreate makes a product with one default variant ("Default
Title", price 0.00, no SKU, inventory not tracked); price, compare-at price, SKU
and weight are then set by productVariantsBulkUpdate. Bad input is answered with
`userErrors` and HTTP 200, and changes nothing: a bulk update without
`allowPartialUpdates` applies all of its variants or none. Every change is
announced as `products/create` or `products/update` with the REST product, the
shape of vendor-samples/shopify/product.json.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLResolveInfo

from causeway_sandbox.shopify.connections import paginate
from causeway_sandbox.shopify.formats import gid, money, parse_gid, rest_money
from causeway_sandbox.shopify.store import InventoryItem, Product, Store, Variant

Info = GraphQLResolveInfo
STATUSES = ("ACTIVE", "ARCHIVED", "DRAFT")
# Grams per unit, for the REST `grams` of a variant.
GRAMS = {"GRAMS": 1.0, "KILOGRAMS": 1000.0, "OUNCES": 28.349523125, "POUNDS": 453.59237}
REST_WEIGHT_UNIT = {"GRAMS": "g", "KILOGRAMS": "kg", "OUNCES": "oz", "POUNDS": "lb"}
MAX_HANDLE = 255
_TAG = re.compile(r"<[^>]+>")


def plain_text(description_html: str, truncate_at: int | None = None) -> str:
    """Product.description: the HTML description without its tags."""
    text = " ".join(html.unescape(_TAG.sub(" ", description_html)).split())
    if truncate_at is not None and len(text) > truncate_at:
        return text[: max(0, truncate_at - 3)] + "..."
    return text


def handleize(text: str) -> str:
    """Shopify's handle rule: lowercase letters, digits and single hyphens."""
    return "-".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())[:MAX_HANDLE]


def _error(field: list[str], message: str, code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"field": field, "message": message}
    if code is not None:
        error["code"] = code
    return error


def rest_product(store: Store, p: Product) -> dict[str, Any]:
    """The REST product (body of products/create and products/update)."""
    variants = [store.variants[v] for v in p.variant_ids]
    return {
        "admin_graphql_api_id": gid("Product", p.id),
        "body_html": p.description_html,
        "created_at": store.clock.rest_time(p.created_at),
        "handle": p.handle,
        "id": p.id,
        "product_type": p.product_type,
        "published_at": store.clock.rest_time(p.created_at) if p.status == "ACTIVE" else None,
        "template_suffix": None,
        "title": p.title,
        "updated_at": store.clock.rest_time(p.updated_at),
        "vendor": p.vendor,
        "status": p.status.lower(),
        "published_scope": "global",
        "tags": ", ".join(p.tags),
        "variants": [_rest_variant(store, v) for v in variants],
        "options": [{"name": "Title", "position": 1, "product_id": p.id, "values": []}],
        "images": [],
        "image": None,
        "media": [],
        "variant_gids": [{"admin_graphql_api_id": gid("ProductVariant", v.id)} for v in variants],
        "has_variants_that_requires_components": False,
        "category": None,
    }


def _rest_variant(store: Store, v: Variant) -> dict[str, Any]:
    item = store.items[v.inventory_item_id]
    level = store.levels.get((item.id, store.default_location_id))
    return {
        "admin_graphql_api_id": gid("ProductVariant", v.id),
        "barcode": v.barcode,
        "compare_at_price": rest_money(v.compare_at_price) if v.compare_at_price else None,
        "created_at": store.clock.rest_time(v.created_at),
        "fulfillment_service": "manual",
        "grams": v.grams,
        "id": v.id,
        "inventory_item_id": item.id,
        "inventory_management": "shopify" if item.tracked else None,
        "inventory_policy": v.inventory_policy,
        "inventory_quantity": level.get("available") if level else 0,
        "option1": v.title,
        "option2": None,
        "option3": None,
        "position": v.position,
        "price": rest_money(v.price),
        "product_id": v.product_id,
        "requires_shipping": v.requires_shipping,
        "sku": v.sku or None,
        "taxable": v.taxable,
        "title": v.title,
        "updated_at": store.clock.rest_time(v.updated_at),
        "weight": item.weight_value,
        "weight_unit": REST_WEIGHT_UNIT.get(item.weight_unit, "kg"),
    }


def _product_field(p: Product, field: str) -> list[Any] | None:
    """Search fields of `products(query:)`."""
    values: dict[str, list[Any]] = {
        "handle": [p.handle],
        "title": [p.title],
        "status": [p.status.lower()],
        "id": [p.id],
        "vendor": [p.vendor],
        "product_type": [p.product_type],
        "updated_at": [p.updated_at],
        "created_at": [p.created_at],
        "default": [p.title, p.handle],
    }
    return values.get(field)


class ProductQueries:
    """QueryRoot.products; a mixin of QueryRootResolver (needs store, views, _search)."""

    store: Store
    views: Any
    _search: Callable[..., list[Any]]

    def products(
        self,
        info: Info,
        sortKey: str = "ID",
        query: str | None = None,
        savedSearchId: str | None = None,
        **page: Any,
    ) -> dict[str, Any]:
        rows = self._search(info, query, _product_field, list(self.store.products.values()))
        keys: dict[str, Callable[[Product], tuple[Any, int]]] = {
            "TITLE": lambda p: (p.title, p.id),
            "UPDATED_AT": lambda p: (p.updated_at, p.id),
            "CREATED_AT": lambda p: (p.created_at, p.id),
        }
        key = keys.get(sortKey, lambda p: (p.id, p.id))
        return paginate(rows, sort=sortKey, key=key, node=self.views.product, **page)


class ProductMutations:
    """The product mutations; a mixin of MutationResolver (needs store and views)."""

    store: Store
    views: Any

    def productCreate(self, info: Info, product: dict[str, Any] | None = None) -> dict[str, Any]:
        data = product or {}
        title = (data.get("title") or "").strip()
        if not title:
            return {"product": None, "userErrors": [_error(["title"], "Title can't be blank")]}
        handle = handleize(data.get("handle") or title) or "product"
        with self.store.lock:
            if any(p.handle == handle for p in self.store.products.values()):
                if data.get("handle"):
                    message = f"Handle '{handle}' already in use. Please provide a new handle."
                    return {"product": None, "userErrors": [_error(["handle"], message)]}
                handle = self._free_handle(handle)
            created = self._create(data, title, handle)
            self.store.emit("products/create", rest_product(self.store, created))
            return {"product": self.views.product(created), "userErrors": []}

    def productUpdate(self, info: Info, product: dict[str, Any] | None = None) -> dict[str, Any]:
        data = product or {}
        found = self._product(data.get("id"))
        if found is None:
            return {"product": None, "userErrors": [_error(["id"], "Product does not exist")]}
        if "title" in data and not (data["title"] or "").strip():
            return {"product": None, "userErrors": [_error(["title"], "Title can't be blank")]}
        with self.store.lock:
            if data.get("title"):
                found.title = data["title"].strip()
            if data.get("descriptionHtml") is not None:
                found.description_html = data["descriptionHtml"]
            if data.get("status"):
                found.status = data["status"]
            if data.get("vendor") is not None:
                found.vendor = data["vendor"]
            if data.get("productType") is not None:
                found.product_type = data["productType"]
            if data.get("tags") is not None:
                found.tags = list(data["tags"])
            found.updated_at = self.store.clock.now()
            self.store.emit("products/update", rest_product(self.store, found))
            return {"product": self.views.product(found), "userErrors": []}

    def productVariantsBulkUpdate(
        self,
        info: Info,
        productId: str,
        variants: list[dict[str, Any]],
        allowPartialUpdates: bool = False,
    ) -> dict[str, Any]:
        product = self._product(productId)
        if product is None:
            error = _error(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")
            return {"product": None, "productVariants": None, "userErrors": [error]}
        with self.store.lock:
            checked = [self._check_variant(product, i, v) for i, v in enumerate(variants)]
            errors = [e for _, e in checked if e is not None]
            if errors and not allowPartialUpdates:
                return {"product": None, "productVariants": None, "userErrors": errors}
            updated: list[Variant] = []
            for (variant, problem), fields in zip(checked, variants, strict=True):
                if problem is None and variant is not None:
                    self._apply(variant, fields)
                    updated.append(variant)
            if updated:
                product.updated_at = self.store.clock.now()
                self.store.emit("products/update", rest_product(self.store, product))
            return {
                "product": self.views.product(product),
                "productVariants": [self.views.variant(v) for v in updated],
                "userErrors": errors,
            }

    # ------------------------------------------------------------------ helpers

    def _product(self, product_gid: str | None) -> Product | None:
        if not product_gid:
            return None
        kind, number = parse_gid(product_gid)
        return self.store.products.get(number) if kind == "Product" else None

    def _free_handle(self, handle: str) -> str:
        taken = {p.handle for p in self.store.products.values()}
        n = 1
        while f"{handle}-{n}" in taken:
            n += 1
        return f"{handle}-{n}"

    def _create(self, data: dict[str, Any], title: str, handle: str) -> Product:
        s = self.store
        now = s.clock.now()
        product = Product(
            s.next_id("Product"),
            title,
            handle,
            data.get("vendor") or "Causeway Sandbox",
            data.get("productType") or "",
            data.get("status") or "ACTIVE",
            list(data.get("tags") or []),
            now,
            now,
            description_html=data.get("descriptionHtml") or "",
        )
        variant_id = s.next_id("ProductVariant")
        item = InventoryItem(s.next_id("InventoryItem"), variant_id, "", False, True, now, now)
        variant = Variant(
            variant_id,
            product.id,
            "",
            "Default Title",
            Decimal("0.00"),
            item.id,
            "deny",
            True,
            True,
            0,
            1,
            None,
            now,
            now,
        )
        product.variant_ids.append(variant_id)
        s.products[product.id] = product
        s.variants[variant_id] = variant
        s.items[item.id] = item
        return product

    def _check_variant(
        self, product: Product, index: int, data: dict[str, Any]
    ) -> tuple[Variant | None, dict[str, Any] | None]:
        at = ["variants", str(index)]
        if not data.get("id"):
            message = "Product variant is missing ID attribute for update."
            return None, _error([*at, "id"], message, "PRODUCT_VARIANT_ID_MISSING")
        kind, number = parse_gid(data["id"])
        variant = self.store.variants.get(number) if kind == "ProductVariant" else None
        if variant is None or variant.product_id != product.id:
            message = "Product variant does not exist"
            return None, _error([*at, "id"], message, "PRODUCT_VARIANT_DOES_NOT_EXIST")
        for name in ("price", "compareAtPrice"):
            if data.get(name) is None:
                continue
            try:
                amount = Decimal(str(data[name]))
            except InvalidOperation:
                return None, _error([*at, name], f"{name} is invalid", "INVALID_INPUT")
            if amount < 0:
                message = "Price must be greater than or equal to 0"
                return None, _error([*at, name], message, "GREATER_THAN_OR_EQUAL_TO")
        weight = ((data.get("inventoryItem") or {}).get("measurement") or {}).get("weight")
        if weight is not None and weight["value"] < 0:
            field = [*at, "inventoryItem", "measurement", "weight", "value"]
            return None, _error(field, "Weight must be greater than or equal to 0", "INVALID_INPUT")
        return variant, None

    def _apply(self, variant: Variant, data: dict[str, Any]) -> None:
        now = self.store.clock.now()
        if data.get("price") is not None:
            variant.price = money(data["price"])
        if "compareAtPrice" in data:
            value = data["compareAtPrice"]
            variant.compare_at_price = money(value) if value is not None else None
        if data.get("barcode") is not None:
            variant.barcode = data["barcode"]
        if data.get("taxable") is not None:
            variant.taxable = data["taxable"]
        if data.get("inventoryPolicy"):
            variant.inventory_policy = data["inventoryPolicy"].lower()
        item = self.store.items[variant.inventory_item_id]
        item_data = data.get("inventoryItem") or {}
        if item_data.get("sku") is not None:
            variant.sku = item.sku = item_data["sku"]
        if item_data.get("tracked") is not None:
            item.tracked = item_data["tracked"]
        if item_data.get("requiresShipping") is not None:
            item.requires_shipping = variant.requires_shipping = item_data["requiresShipping"]
        weight = (item_data.get("measurement") or {}).get("weight")
        if weight is not None:
            item.weight_value, item.weight_unit = float(weight["value"]), weight["unit"]
            variant.grams = round(item.weight_value * GRAMS[item.weight_unit])
        variant.updated_at = item.updated_at = now
