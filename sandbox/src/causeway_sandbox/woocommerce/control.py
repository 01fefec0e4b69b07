"""The control API under `/_sandbox/`: NOT part of WooCommerce, no auth, for tests and demos.

It plays WooCommerce's other actors: a customer checking out on the storefront
(which refuses to sell beyond stock unless backorders are allowed), the merchant
in wp-admin (seeding products, changing a status, refunding, trashing and
restoring an order, setting a stock level), the network (faults), and an observer
(stock, API calls, webhook deliveries).

  GET    /_sandbox                        this description
  POST   /_sandbox/products               a REST product body (POST /products), plus
                                          `variations: [<REST variation body>...]` -> product
  POST   /_sandbox/import/{products|orders}  REST payloads (one or a list, e.g. the vendor
                                          samples) stored as they are, ids and dates kept
  PUT    /_sandbox/refused-skus           {sku: message} a store plugin refuses these products
                                          (per item in a batch), until set again ({} to stop)
  PUT    /_sandbox/stock/{sku}            {stock_quantity} the merchant counts the shelf
  GET    /_sandbox/stock                  {sku: stock_quantity or null} every product/variation
  POST   /_sandbox/purchases              a customer buys (checkout.Purchase) -> 201 REST order,
                                          409 {"error": WooCommerce's message} beyond stock
  GET    /_sandbox/orders[/{id}]          REST orders as stored (any status, trash included)
  POST   /_sandbox/orders/{id}/status     {status, note?} the merchant changes the status
  POST   /_sandbox/orders/{id}/refunds    a REST refund body -> REST refund
  POST   /_sandbox/orders/{id}/trash      order.deleted
  POST   /_sandbox/orders/{id}/restore    order.restored (back to its status before the trash)
  GET|PUT /_sandbox/faults                fault knobs (settings.WooFaultSettings; partial
                                          update; "seed" re-seeds)
  GET|DELETE /_sandbox/calls              REST API call log {method, path, query, status, fault}
  GET    /_sandbox/deliveries             webhook delivery log (pings included)
  POST   /_sandbox/deliveries/wait        {timeout?} until nothing is queued -> counts
  POST   /_sandbox/clock                  {advance_seconds} move the site clock forward
  POST   /_sandbox/reset                  forget everything (webhooks and logs included)
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field

from causeway_sandbox.woocommerce.checkout import OutOfStock, Purchase, place_order
from causeway_sandbox.woocommerce.fixtures import load
from causeway_sandbox.woocommerce.formats import WPJSONResponse
from causeway_sandbox.woocommerce.order_views import render_order, render_refund
from causeway_sandbox.woocommerce.orders import ORDER_STATUSES, set_status
from causeway_sandbox.woocommerce.product_views import render_product
from causeway_sandbox.woocommerce.products import create_product, touch
from causeway_sandbox.woocommerce.refunds import create_refund
from causeway_sandbox.woocommerce.routing import JSONBody, woo
from causeway_sandbox.woocommerce.store import Order

router = APIRouter(prefix="/_sandbox", tags=["sandbox control (not part of WooCommerce)"])


class StatusIn(BaseModel):
    status: str
    note: str = ""


class StockIn(BaseModel):
    stock_quantity: int


class ClockIn(BaseModel):
    advance_seconds: float = Field(ge=0)


class WaitIn(BaseModel):
    timeout: float = Field(default=10.0, gt=0, le=120)


@router.get("")
def describe() -> dict[str, Any]:
    return {"sandbox": "woocommerce", "not_part_of_woocommerce": True, "help": __doc__}


@router.post("/products", status_code=201)
def seed_product(request: Request, body: JSONBody = None) -> WPJSONResponse:
    return _seed(request, body)


def _seed(request: Request, body: Any) -> WPJSONResponse:
    store = woo(request).store
    if not isinstance(body, dict):
        raise HTTPException(422, "send a JSON object: a REST product body")
    body = dict(body)
    variations = body.pop("variations", [])
    with store.change():
        if variations:
            body.setdefault("type", "variable")
        product = create_product(store, body)
        for spec in variations:
            create_product(store, spec, product)
        return WPJSONResponse(render_product(product, store), status_code=201)


@router.post("/import/{kind}", status_code=201)
def import_payloads(kind: str, request: Request, body: JSONBody = None) -> dict[str, list[int]]:
    if kind not in ("products", "orders"):
        raise HTTPException(404, "import products or orders")
    payloads = body if isinstance(body, list) else [body]
    if not all(isinstance(p, dict) and "id" in p for p in payloads):
        raise HTTPException(422, "send REST payloads (objects with an id), one or a list")
    return {"ids": load(woo(request).store, kind, payloads)}


@router.put("/refused-skus")
def refuse_skus(body: dict[str, str], request: Request) -> dict[str, str]:
    store = woo(request).store
    with store.lock:
        store.refused_skus = dict(body)
    return store.refused_skus


@router.put("/stock/{sku}")
def set_stock(sku: str, body: StockIn, request: Request) -> dict[str, Any]:
    store = woo(request).store
    with store.change():
        product = store.product_by_sku(sku)
        if product is None:
            raise HTTPException(404, f"no product with SKU {sku!r}")
        product.manage_stock = True
        product.stock_quantity = body.stock_quantity
        touch(store, product)
        return {"sku": sku, "stock_quantity": product.stock_quantity}


@router.get("/stock")
def stock(request: Request) -> dict[str, int | None]:
    store = woo(request).store
    with store.lock:
        return {p.sku: p.stock_quantity for p in store.products.values() if p.sku}


@router.post("/purchases", status_code=201)
def purchase(body: Purchase, request: Request) -> WPJSONResponse:
    store = woo(request).store
    try:
        with store.change():
            order = place_order(store, body)
            return WPJSONResponse(render_order(order, store), status_code=201)
    except OutOfStock as exc:
        return WPJSONResponse({"error": str(exc)}, status_code=409)


def _order(request: Request, order_id: int) -> Order:
    order = woo(request).store.orders.get(order_id)
    if order is None:
        raise HTTPException(404, f"no order {order_id}")
    return order


@router.get("/orders")
def orders(request: Request) -> WPJSONResponse:
    store = woo(request).store
    with store.lock:
        return WPJSONResponse([render_order(o, store) for o in store.orders.values()])


@router.get("/orders/{order_id}")
def order(order_id: int, request: Request) -> WPJSONResponse:
    store = woo(request).store
    with store.lock:
        return WPJSONResponse(render_order(_order(request, order_id), store))


@router.post("/orders/{order_id}/status")
def change_status(order_id: int, body: StatusIn, request: Request) -> WPJSONResponse:
    if body.status not in ORDER_STATUSES:
        raise HTTPException(422, f"status must be one of {', '.join(ORDER_STATUSES)}")
    store = woo(request).store
    with store.change():
        target = _order(request, order_id)
        set_status(store, target, body.status, body.note)
        return WPJSONResponse(render_order(target, store))


@router.post("/orders/{order_id}/refunds", status_code=201)
def refund(order_id: int, request: Request, body: JSONBody = None) -> WPJSONResponse:
    return _refund(request, order_id, body)


def _refund(request: Request, order_id: int, body: Any) -> WPJSONResponse:
    store = woo(request).store
    with store.change():
        created = create_refund(store, _order(request, order_id), body)
        return WPJSONResponse(render_refund(created, store), status_code=201)


@router.post("/orders/{order_id}/trash")
def trash(order_id: int, request: Request) -> WPJSONResponse:
    store = woo(request).store
    with store.change():
        target = _order(request, order_id)
        if target.status != "trash":
            target.trashed_from = target.status
            target.status = "trash"
            target.date_modified = store.clock.now()
            store.emit("order.deleted", target.id)
        return WPJSONResponse(render_order(target, store))


@router.post("/orders/{order_id}/restore")
def restore(order_id: int, request: Request) -> WPJSONResponse:
    store = woo(request).store
    with store.change():
        target = _order(request, order_id)
        if target.status != "trash":
            raise HTTPException(409, f"order {order_id} is not in the trash")
        target.status = target.trashed_from or "pending"
        target.trashed_from = None
        target.date_modified = store.clock.now()
        store.emit("order.restored", target.id)
        return WPJSONResponse(render_order(target, store))


@router.get("/calls")
def calls(request: Request) -> list[dict[str, Any]]:
    return [dict(c) for c in woo(request).calls]


@router.delete("/calls", status_code=204)
def clear_calls(request: Request) -> Response:
    woo(request).calls.clear()
    return Response(status_code=204)


@router.get("/deliveries")
def deliveries(request: Request) -> list[dict[str, Any]]:
    return woo(request).dispatcher.deliveries()


@router.post("/deliveries/wait")
def wait_deliveries(request: Request, body: WaitIn | None = None) -> dict[str, Any]:
    return woo(request).dispatcher.wait_idle((body or WaitIn()).timeout)


@router.post("/clock")
def advance_clock(body: ClockIn, request: Request) -> dict[str, Any]:
    clock = woo(request).clock
    now = clock.advance(body.advance_seconds)
    return {"now": clock.local(now), "now_gmt": clock.gmt(now)}


@router.post("/reset", status_code=204)
def reset(request: Request) -> Response:
    woo(request).reset()
    return Response(status_code=204)
