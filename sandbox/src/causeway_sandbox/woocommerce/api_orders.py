"""/wp-json/wc/v3/orders: list, read, create, update, trash (and its notes and refunds)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from causeway_sandbox.woocommerce.errors import WooError
from causeway_sandbox.woocommerce.formats import WPJSONResponse
from causeway_sandbox.woocommerce.listing import page_response, parse_query, select
from causeway_sandbox.woocommerce.order_views import render_order
from causeway_sandbox.woocommerce.orders import create_order, update_order
from causeway_sandbox.woocommerce.routing import JSONBody, collection_url, invalid_id, woo
from causeway_sandbox.woocommerce.store import ORDER_STATUSES, Order
from causeway_sandbox.woocommerce.validate import as_bool

router = APIRouter(prefix="/wp-json/wc/v3")

ORDERBY = ("date", "id", "include", "title", "slug", "modified")
STATUS_FILTER = ("any", "trash", *ORDER_STATUSES)


def get_order(request: Request, order_id: int) -> Order:
    order = woo(request).store.orders.get(order_id)
    if order is None:
        raise invalid_id("shop_order")
    return order


@router.get("/orders")
def list_orders(request: Request) -> WPJSONResponse:
    sandbox = woo(request)
    query = parse_query(
        request.query_params,
        sandbox.clock,
        per_page_max=sandbox.settings.per_page_max,
        orderby=ORDERBY,
        enums={"status": STATUS_FILTER},
    )
    statuses = set(query.values("status")) or {"any"}
    customer = request.query_params.get("customer")
    product = request.query_params.get("product")
    store = sandbox.store
    with store.lock:

        def wanted(order: Order) -> bool:
            if "any" not in statuses and order.status not in statuses:
                return False
            if "any" in statuses and order.status == "trash" and "trash" not in statuses:
                return False
            if customer is not None and str(order.customer_id) != customer:
                return False
            return product is None or any(
                str(i.product_id) == product or str(i.variation_id) == product
                for i in order.line_items
            )

        chosen = select(
            [o for o in store.orders.values() if wanted(o)],
            query,
            created=lambda o: o.date_created,
            modified=lambda o: o.date_modified,
            ident=lambda o: o.id,
            sort_keys={
                "id": lambda o: o.id,
                "modified": lambda o: o.date_modified,
                "title": lambda o: o.id,
                "slug": lambda o: o.id,
            },
            text=lambda o: " ".join([*o.billing.values(), *o.shipping.values(), str(o.id)]),
        )
        return page_response(
            lambda o: render_order(o, store), chosen, query, collection_url(request, "orders")
        )


@router.get("/orders/{order_id:int}")
def read_order(order_id: int, request: Request) -> WPJSONResponse:
    store = woo(request).store
    with store.lock:
        return WPJSONResponse(render_order(get_order(request, order_id), store))


@router.post("/orders")
def post_order(request: Request, body: JSONBody = None) -> WPJSONResponse:
    return _create(request, body)


def _create(request: Request, body: Any) -> WPJSONResponse:
    store = woo(request).store
    with store.change():
        order = create_order(store, body)
        rendered = render_order(order, store)
    return WPJSONResponse(
        rendered,
        status_code=201,
        headers={"Location": collection_url(request, f"orders/{order.id}")},
    )


@router.api_route("/orders/{order_id:int}", methods=["PUT", "PATCH", "POST"])
def put_order(order_id: int, request: Request, body: JSONBody = None) -> WPJSONResponse:
    return _update(request, order_id, body)


def _update(request: Request, order_id: int, body: Any) -> WPJSONResponse:
    store = woo(request).store
    with store.change():
        order = store.orders.get(order_id)
        if order is None:
            raise invalid_id("shop_order", 400, "Invalid ID.")
        update_order(store, order, body)
        return WPJSONResponse(render_order(order, store))


@router.delete("/orders/{order_id:int}")
def delete_order(order_id: int, request: Request) -> WPJSONResponse:
    """Trash (order.deleted fires) or, with force=true, delete for good (nothing fires)."""
    store = woo(request).store
    force = as_bool(request.query_params.get("force", "false"))
    with store.change():
        order = get_order(request, order_id)
        rendered = render_order(order, store)
        if force:
            del store.orders[order_id]
            return WPJSONResponse(rendered)
        if order.status == "trash":
            raise WooError(
                410, "woocommerce_rest_already_trashed", "The shop_order has already been deleted."
            )
        order.trashed_from = order.status
        order.status = "trash"
        order.date_modified = store.clock.now()
        store.emit("order.deleted", order.id)
        return WPJSONResponse(render_order(order, store))
