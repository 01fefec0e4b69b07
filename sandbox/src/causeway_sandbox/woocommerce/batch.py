"""POST /products/batch and /products/{id}/variations/batch, as WC_REST_Controller::batch_items.

At most `batch_limit` (100) items in create, update and delete together, else 413
`woocommerce_rest_request_entity_too_large` and nothing is done. Otherwise each
item is done on its own and the answer is 200 whatever happened: a failed item
is `{"id": <its id, 0 for a create>, "error": {"code", "message", "data"}}` in its
place, the others are the resource. Only the operations asked for appear in the
answer. Deletes are for good (`force`), as WooCommerce's batch deletes are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request

from causeway_sandbox.woocommerce.errors import WooError, invalid_params
from causeway_sandbox.woocommerce.formats import WPJSONResponse
from causeway_sandbox.woocommerce.product_views import render_product, render_variation
from causeway_sandbox.woocommerce.products import create_product, delete_product, update_product
from causeway_sandbox.woocommerce.routing import JSONBody, invalid_id, woo
from causeway_sandbox.woocommerce.store import Product, Store

router = APIRouter(prefix="/wp-json/wc/v3")

OPERATIONS = ("create", "update", "delete")


def _failed(item_id: Any, error: WooError) -> dict[str, Any]:
    return {
        "id": item_id,
        "error": {"code": error.code, "message": error.message, "data": error.data},
    }


def _check_limit(body: Any, limit: int) -> dict[str, list[Any]]:
    if not isinstance(body, dict):
        raise WooError(400, "rest_invalid_json", "Invalid JSON body passed.")
    items = {}
    for name in OPERATIONS:
        if name in body:
            if not isinstance(body[name], list):
                raise invalid_params({name: f"{name} is not of type array."})
            items[name] = body[name]
    if sum(len(v) for v in items.values()) > limit:
        raise WooError(
            413,
            "woocommerce_rest_request_entity_too_large",
            f"Unable to accept more than {limit} items for this request.",
        )
    return items


def run_batch(
    store: Store,
    items: dict[str, list[Any]],
    parent: Product | None,
    render: Callable[[Product, Store], dict[str, Any]],
) -> dict[str, list[dict[str, Any]]]:
    kind = "product_variation" if parent else "product"
    answer: dict[str, list[dict[str, Any]]] = {}

    def own(product_id: int) -> Product:
        product = store.products.get(product_id)
        if product is None or (parent is not None and product.parent_id != parent.id):
            raise invalid_id(kind, 400)
        return product

    if items.get("create"):
        answer["create"] = []
        for body in items["create"]:
            try:
                created = create_product(store, body, parent, batch=True)
                answer["create"].append(render(created, store))
            except WooError as error:
                answer["create"].append(_failed(0, error))
    if items.get("update"):
        answer["update"] = []
        for body in items["update"]:
            item_id = body.get("id") if isinstance(body, dict) else None
            try:
                product = own(int(item_id or 0))
                update_product(
                    store, product, {k: v for k, v in body.items() if k != "id"}, batch=True
                )
                answer["update"].append(render(product, store))
            except (WooError, ValueError) as error:
                problem = error if isinstance(error, WooError) else invalid_id(kind, 400)
                answer["update"].append(_failed(item_id, problem))
    if items.get("delete"):
        answer["delete"] = []
        for raw in items["delete"]:
            try:
                item_id = int(raw)
            except (TypeError, ValueError):
                continue
            if item_id == 0:
                continue  # WooCommerce skips what does not read as an id
            try:
                target = store.products.get(item_id)
                if target is None or (parent is not None and target.parent_id != parent.id):
                    raise invalid_id(kind, 404)
                rendered = render(target, store)
                delete_product(store, target, force=True)
                answer["delete"].append(rendered)
            except WooError as error:
                answer["delete"].append(_failed(item_id, error))
    return answer


@router.post("/products/batch")
def products_batch(request: Request, body: JSONBody = None) -> WPJSONResponse:
    return _batch(request, body, None)


@router.post("/products/{product_id:int}/variations/batch")
def variations_batch(product_id: int, request: Request, body: JSONBody = None) -> WPJSONResponse:
    return _batch(request, body, product_id)


def _batch(request: Request, body: Any, parent_id: int | None) -> WPJSONResponse:
    sandbox = woo(request)
    items = _check_limit(body, sandbox.settings.batch_limit)
    store = sandbox.store
    with store.change():
        parent = None
        if parent_id is not None:
            parent = store.products.get(parent_id)
            if parent is None or parent.type == "variation":
                raise invalid_id("product", 404)
        render = render_variation if parent is not None else render_product
        return WPJSONResponse(run_batch(store, items, parent, render))
