"""/orders/{id}/notes and /orders/{id}/refunds: what hangs off an order.

Notes are WordPress comments: adding one does not change the order (no new
`date_modified`, no webhook); a `customer_note` is one WooCommerce e-mails to the
customer. Notes are listed all at once, newest first (the route has no pages);
refunds are a paginated collection like any other.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from causeway_sandbox.woocommerce.errors import WooError, missing_params
from causeway_sandbox.woocommerce.formats import WPJSONResponse
from causeway_sandbox.woocommerce.listing import page_response, parse_query, select
from causeway_sandbox.woocommerce.order_views import render_note, render_refund
from causeway_sandbox.woocommerce.orders import add_note
from causeway_sandbox.woocommerce.refunds import create_refund
from causeway_sandbox.woocommerce.routing import JSONBody, collection_url, invalid_id, woo
from causeway_sandbox.woocommerce.store import Order, Store
from causeway_sandbox.woocommerce.validate import as_bool, check

router = APIRouter(prefix="/wp-json/wc/v3")

NOTE_SCHEMA = {"note": "string", "customer_note": "boolean", "added_by_user": "boolean"}


def _order(store: Store, order_id: int) -> Order:
    order = store.orders.get(order_id)
    if order is None:
        raise WooError(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
    return order


@router.get("/orders/{order_id:int}/notes")
def list_notes(order_id: int, request: Request) -> WPJSONResponse:
    kind = request.query_params.get("type", "any")
    if kind not in ("any", "customer", "internal"):
        raise WooError(400, "rest_invalid_param", "Invalid parameter(s): type")
    store = woo(request).store
    with store.lock:
        _order(store, order_id)
        notes = [
            n
            for n in store.notes.values()
            if n.order_id == order_id and (kind == "any" or n.customer_note == (kind == "customer"))
        ]
        notes.sort(key=lambda n: (n.date_created, n.id), reverse=True)
        return WPJSONResponse([render_note(n, store) for n in notes])


@router.get("/orders/{order_id:int}/notes/{note_id:int}")
def read_note(order_id: int, note_id: int, request: Request) -> WPJSONResponse:
    store = woo(request).store
    with store.lock:
        _order(store, order_id)
        note = store.notes.get(note_id)
        if note is None or note.order_id != order_id:
            raise invalid_id("order_note")
        return WPJSONResponse(render_note(note, store))


@router.post("/orders/{order_id:int}/notes")
def post_note(order_id: int, request: Request, body: JSONBody = None) -> WPJSONResponse:
    body = check(body, NOTE_SCHEMA)
    if not body.get("note"):
        raise missing_params(["note"])
    store = woo(request).store
    with store.lock:
        order = _order(store, order_id)
        author = "admin" if as_bool(body.get("added_by_user", False)) else "system"
        note = add_note(
            store,
            order,
            body["note"],
            customer_note=as_bool(body.get("customer_note", False)),
            author=author,
        )
        location = collection_url(request, f"orders/{order_id}/notes/{note.id}")
        return WPJSONResponse(
            render_note(note, store), status_code=201, headers={"Location": location}
        )


@router.delete("/orders/{order_id:int}/notes/{note_id:int}")
def delete_note(order_id: int, note_id: int, request: Request) -> WPJSONResponse:
    if not as_bool(request.query_params.get("force", "false")):
        raise WooError(
            501, "woocommerce_rest_trash_not_supported", "Order notes do not support trashing."
        )
    store = woo(request).store
    with store.lock:
        note = store.notes.get(note_id)
        if note is None or note.order_id != order_id:
            raise invalid_id("order_note")
        del store.notes[note_id]
        return WPJSONResponse(render_note(note, store))


@router.get("/orders/{order_id:int}/refunds")
def list_refunds(order_id: int, request: Request) -> WPJSONResponse:
    sandbox = woo(request)
    store = sandbox.store
    query = parse_query(
        request.query_params,
        sandbox.clock,
        per_page_max=sandbox.settings.per_page_max,
        orderby=("date", "id", "include", "title", "slug", "modified"),
    )
    with store.lock:
        order = _order(store, order_id)
        chosen = select(
            [store.refunds[r] for r in order.refund_ids],
            query,
            created=lambda r: r.date_created,
            modified=lambda r: r.date_created,
            ident=lambda r: r.id,
            sort_keys={"id": lambda r: r.id},
            text=lambda r: r.reason,
        )
        url = collection_url(request, f"orders/{order_id}/refunds")
        return page_response(lambda r: render_refund(r, store), chosen, query, url)


@router.get("/orders/{order_id:int}/refunds/{refund_id:int}")
def read_refund(order_id: int, refund_id: int, request: Request) -> WPJSONResponse:
    store = woo(request).store
    with store.lock:
        _order(store, order_id)
        refund = store.refunds.get(refund_id)
        if refund is None or refund.order_id != order_id:
            raise invalid_id("shop_order_refund")
        return WPJSONResponse(render_refund(refund, store))


@router.post("/orders/{order_id:int}/refunds")
def post_refund(order_id: int, request: Request, body: JSONBody = None) -> WPJSONResponse:
    return _refund(request, order_id, body)


def _refund(request: Request, order_id: int, body: Any) -> WPJSONResponse:
    store = woo(request).store
    with store.change():
        order = _order(store, order_id)
        refund = create_refund(store, order, body)
        location = collection_url(request, f"orders/{order_id}/refunds/{refund.id}")
        return WPJSONResponse(
            render_refund(refund, store), status_code=201, headers={"Location": location}
        )
