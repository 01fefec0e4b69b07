"""/wp-json/wc/v3/products and /products/{id}/variations: list, read, create, update, delete.

The batch routes are in `batch.py`. A variation read through /products/{id} comes
back in the product shape with type "variation", as WooCommerce answers it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request

from causeway_sandbox.woocommerce.formats import WPJSONResponse
from causeway_sandbox.woocommerce.listing import page_response, parse_query, select
from causeway_sandbox.woocommerce.product_views import (
    current_price,
    derived_stock_status,
    render_product,
    render_variation,
)
from causeway_sandbox.woocommerce.products import create_product, delete_product, update_product
from causeway_sandbox.woocommerce.routing import JSONBody, collection_url, invalid_id, woo
from causeway_sandbox.woocommerce.store import Product, Store
from causeway_sandbox.woocommerce.validate import as_bool

router = APIRouter(prefix="/wp-json/wc/v3")

ORDERBY = (
    *("date", "modified", "id", "include", "title", "slug"),
    *("price", "popularity", "rating", "menu_order"),
)
STATUS_FILTER = ("any", "future", "trash", "draft", "pending", "private", "publish")
TYPES = ("simple", "grouped", "external", "variable")
STOCK = ("instock", "outofstock", "onbackorder")


def find_product(store: Store, product_id: int, *, variations: bool = True) -> Product:
    product = store.products.get(product_id)
    if product is None or (not variations and product.type == "variation"):
        raise invalid_id("product")
    return product


def find_variation(store: Store, parent_id: int, variation_id: int) -> Product:
    variation = store.products.get(variation_id)
    if variation is None or variation.parent_id != parent_id or variation.type != "variation":
        raise invalid_id("product_variation")
    return variation


def _listing(request: Request, candidates: list[Product], render: Any, path: str) -> WPJSONResponse:
    sandbox = woo(request)
    store = sandbox.store
    query = parse_query(
        request.query_params,
        sandbox.clock,
        per_page_max=sandbox.settings.per_page_max,
        orderby=ORDERBY,
        enums={"status": STATUS_FILTER, "type": TYPES, "stock_status": STOCK},
    )
    statuses = set(query.values("status")) or {"any"}
    skus = set(query.values("sku"))
    types = set(query.values("type"))
    stock = set(query.values("stock_status"))

    def wanted(p: Product) -> bool:
        if "any" in statuses:
            if p.status == "trash":
                return False
        elif p.status not in statuses:
            return False
        if skus and p.sku not in skus:
            return False
        if types and p.type not in types:
            return False
        return not stock or derived_stock_status(p, store) in stock

    chosen = select(
        [p for p in candidates if wanted(p)],
        query,
        created=lambda p: p.date_created,
        modified=lambda p: p.date_modified,
        ident=lambda p: p.id,
        sort_keys={
            "id": lambda p: p.id,
            "modified": lambda p: p.date_modified,
            "title": lambda p: p.name.lower(),
            "slug": lambda p: p.slug,
            "price": lambda p: Decimal(current_price(p, store) or "0"),
            "popularity": lambda p: p.total_sales,
            "rating": lambda p: 0,
            "menu_order": lambda p: p.menu_order,
        },
        text=lambda p: f"{p.name} {p.sku}",
    )
    return page_response(lambda p: render(p, store), chosen, query, collection_url(request, path))


@router.get("/products")
def list_products(request: Request) -> WPJSONResponse:
    store = woo(request).store
    with store.lock:
        products = [p for p in store.products.values() if p.type != "variation"]
        return _listing(request, products, render_product, "products")


@router.get("/products/{product_id:int}")
def read_product(product_id: int, request: Request) -> WPJSONResponse:
    store = woo(request).store
    with store.lock:
        return WPJSONResponse(render_product(find_product(store, product_id), store))


@router.post("/products")
def post_product(request: Request, body: JSONBody = None) -> WPJSONResponse:
    return _create(request, body, None)


@router.api_route("/products/{product_id:int}", methods=["PUT", "PATCH", "POST"])
def put_product(product_id: int, request: Request, body: JSONBody = None) -> WPJSONResponse:
    return _update(request, product_id, None, body)


@router.delete("/products/{product_id:int}")
def remove_product(product_id: int, request: Request) -> WPJSONResponse:
    store = woo(request).store
    with store.change():
        product = find_product(store, product_id)
        rendered = render_product(product, store)
        delete_product(store, product, force=as_bool(request.query_params.get("force", "false")))
        if product.id in store.products:
            rendered = render_product(product, store)
        return WPJSONResponse(rendered)


@router.get("/products/{product_id:int}/variations")
def list_variations(product_id: int, request: Request) -> WPJSONResponse:
    store = woo(request).store
    with store.lock:
        parent = find_product(store, product_id, variations=False)
        children = [store.products[i] for i in parent.variations if i in store.products]
        return _listing(request, children, render_variation, f"products/{product_id}/variations")


@router.get("/products/{product_id:int}/variations/{variation_id:int}")
def read_variation(product_id: int, variation_id: int, request: Request) -> WPJSONResponse:
    store = woo(request).store
    with store.lock:
        return WPJSONResponse(
            render_variation(find_variation(store, product_id, variation_id), store)
        )


@router.post("/products/{product_id:int}/variations")
def post_variation(product_id: int, request: Request, body: JSONBody = None) -> WPJSONResponse:
    return _create(request, body, product_id)


@router.api_route(
    "/products/{product_id:int}/variations/{variation_id:int}", methods=["PUT", "PATCH", "POST"]
)
def put_variation(
    product_id: int, variation_id: int, request: Request, body: JSONBody = None
) -> WPJSONResponse:
    return _update(request, variation_id, product_id, body)


def _create(request: Request, body: Any, parent_id: int | None) -> WPJSONResponse:
    store = woo(request).store
    with store.change():
        parent = find_product(store, parent_id, variations=False) if parent_id else None
        product = create_product(store, body, parent)
        if parent is None:
            rendered, path = render_product(product, store), f"products/{product.id}"
        else:
            rendered = render_variation(product, store)
            path = f"products/{parent.id}/variations/{product.id}"
    return WPJSONResponse(
        rendered, status_code=201, headers={"Location": collection_url(request, path)}
    )


def _update(request: Request, product_id: int, parent_id: int | None, body: Any) -> WPJSONResponse:
    store = woo(request).store
    with store.change():
        if parent_id is None:
            product = store.products.get(product_id)
            if product is None:
                raise invalid_id("product", 400)
            update_product(store, product, body)
            return WPJSONResponse(render_product(product, store))
        find_product(store, parent_id, variations=False)
        variation = store.products.get(product_id)
        if variation is None or variation.parent_id != parent_id:
            raise invalid_id("product_variation", 400)
        update_product(store, variation, body)
        return WPJSONResponse(render_variation(variation, store))
