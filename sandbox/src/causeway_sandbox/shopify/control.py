"""The control API under `/_sandbox/`: NOT part of Shopify, no auth, for tests and demos.

It plays the roles Shopify's other actors would: a shopper checking out
(`POST /_sandbox/orders`), a merchant editing an order or stocking a product, the
chaos of the network (`PUT /_sandbox/faults`), and an observer that lets a test
assert what the hub did (`GET /_sandbox/calls`, `GET /_sandbox/deliveries`).

  GET    /_sandbox                      this description
  POST   /_sandbox/products             {title, sku, price, quantity, tracked?, inventory_policy?,
                                         vendor?, grams?, requires_shipping?, taxable?, barcode?}
  POST   /_sandbox/orders               a checkout (see inputs.OrderIn) -> the REST order, with
                                         the same order also under "order"; with checkout_id, it
                                         completes that checkout (checkouts/update, completed_at)
  POST   /_sandbox/checkouts            {email?, lines: [{sku, quantity}], currency?} a shopper's
                                         checkout -> {checkout}; checkouts/create
  GET    /_sandbox/checkouts            REST checkouts as stored (completed ones too)
  POST   /_sandbox/checkouts/{id}/update  {email?, lines?} -> checkouts/update
  GET    /_sandbox/orders[/{id}]        REST orders as stored
  POST   /_sandbox/orders/{id}/update   {note?, tags?, email?, financial_status?,
                                         fulfillment_status?, cancel_reason?} -> orders/updated
  POST   /_sandbox/orders/{id}/pay      {amount?, gateway?} a payment: a sale transaction;
                                         orders/paid once nothing is outstanding, orders/updated
  GET    /_sandbox/orders/{id}/transactions  the order's transactions (REST Transaction)
  POST   /_sandbox/orders/{id}/edit     {lines: [{sku, quantity}]} set current quantities (0
                                         removes, a new SKU adds) -> orders/edited, orders/updated
  POST   /_sandbox/orders/{id}/cancel   {reason?, refund?, restock?} -> orders/cancelled,
                                         (refunds/create,) orders/updated; 422 if fulfilled
  POST   /_sandbox/orders/{id}/refunds  {lines: [{line_item_id | sku, quantity, restock_type?}],
                                         note?} -> the REST Refund; refunds/create, orders/updated
  GET    /_sandbox/inventory            {sku: available at the default location}
  POST   /_sandbox/locations            {name} a location of the merchant's, stocking nothing yet
  PUT    /_sandbox/webhooks             {uri, topics?} subscribe (default orders/create+updated)
  GET    /_sandbox/webhooks             subscriptions
  GET|PUT /_sandbox/faults              fault knobs (partial update; "seed" re-seeds)
  GET|DELETE /_sandbox/calls            GraphQL call log {operationName, cost, at, status...}
  GET    /_sandbox/deliveries           webhook delivery log {event_id, topic, attempt, status, at}
  POST   /_sandbox/deliveries/wait      {timeout?} wait until no delivery is pending -> counts
  POST   /_sandbox/clock                {advance_seconds} move the shop clock forward
  POST   /_sandbox/reset                forget all data, logs and throttle state
  PUT    /_sandbox/compliance_webhooks  {uri} and POST /_sandbox/customers/{id}/data_request,
                                         .../customers/{id}/redact, /_sandbox/shop/redact:
                                         the privacy webhooks (sandbox/shopify/compliance.py)
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from causeway_sandbox.shopify.checkouts import (
    CheckoutIn,
    CheckoutUpdateIn,
    UnknownSku,
    create_checkout,
    update_checkout,
)
from causeway_sandbox.shopify.edits import EditRefused, OrderEditIn, edit_order
from causeway_sandbox.shopify.formats import gid
from causeway_sandbox.shopify.inputs import OrderIn, OrderUpdateIn
from causeway_sandbox.shopify.orders import (
    CheckoutClosedError,
    OutOfStockError,
    UnknownSkuError,
    create_order,
    update_order,
)
from causeway_sandbox.shopify.payments import PaymentIn, PaymentRefused, pay_order
from causeway_sandbox.shopify.refunds import (
    CancelIn,
    RefundIn,
    RefundRefused,
    cancel_order,
    refund_order,
)
from causeway_sandbox.shopify.store import TOPIC_ENUMS, TOPICS, Location

if TYPE_CHECKING:
    from causeway_sandbox.shopify.app import Sandbox

router = APIRouter(prefix="/_sandbox", tags=["sandbox control (not part of Shopify)"])


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox  # type: ignore[no-any-return]


class ProductIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    sku: str = Field(min_length=1)
    price: Decimal = Field(ge=0)
    quantity: int = 0
    tracked: bool = True
    inventory_policy: Literal["deny", "continue"] = "deny"
    vendor: str = "Causeway Sandbox"
    grams: int = Field(default=0, ge=0)
    requires_shipping: bool = True
    taxable: bool = True
    barcode: str | None = None


class LocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)


class WebhooksIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uri: str
    topics: list[str] = Field(default_factory=lambda: ["orders/create", "orders/updated"])


class WaitIn(BaseModel):
    timeout: float = Field(default=10.0, gt=0, le=120)


class ClockIn(BaseModel):
    advance_seconds: float = Field(ge=0)


@router.get("")
def describe() -> dict[str, Any]:
    return {"sandbox": "shopify", "not_part_of_shopify": True, "help": __doc__}


@router.post("/products", status_code=201)
def create_product(body: ProductIn, request: Request) -> dict[str, Any]:
    sandbox = _sandbox(request)
    try:
        product, variant, item, level = sandbox.store.create_product(**body.model_dump())
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from exc
    return {
        "product_id": product.id,
        "variant_id": variant.id,
        "inventory_item_id": item.id,
        "location_id": level.location_id,
        "sku": variant.sku,
        "available": level.get("available"),
        "product_gid": gid("Product", product.id),
        "variant_gid": gid("ProductVariant", variant.id),
        "inventory_item_gid": gid("InventoryItem", item.id),
        "location_gid": gid("Location", level.location_id),
    }


@router.post("/locations", status_code=201)
def add_location(body: LocationIn, request: Request) -> dict[str, Any]:
    store = _sandbox(request).store
    with store.lock:
        now = store.clock.now()
        location = Location(store.next_id("Location"), body.name, True, now, now)
        store.locations[location.id] = location
    return {"location_id": location.id, "location_gid": gid("Location", location.id)}


@router.post("/orders", status_code=201)
def place_order(body: OrderIn, request: Request) -> dict[str, Any]:
    sandbox = _sandbox(request)
    currency = body.currency or sandbox.settings.currency
    if currency not in sandbox.currencies:
        raise HTTPException(422, f"currency {currency!r} is not a CurrencyCode the sandbox knows")
    try:
        order = create_order(sandbox.store, body, sandbox.settings.currency)
    except (UnknownSkuError, OutOfStockError, CheckoutClosedError) as exc:
        raise HTTPException(422, str(exc)) from exc
    # The REST order itself, and the same under "order" (Shopify's REST envelope), so
    # both `resp["id"]` and `resp["order"]["id"]` work.
    return {**order, "order": order}


@router.post("/checkouts", status_code=201)
def start_checkout(body: CheckoutIn, request: Request) -> dict[str, Any]:
    sandbox = _sandbox(request)
    currency = body.currency or sandbox.settings.currency
    if currency not in sandbox.currencies:
        raise HTTPException(422, f"currency {currency!r} is not a CurrencyCode the sandbox knows")
    try:
        checkout = create_checkout(sandbox.store, body, sandbox.settings.currency)
    except UnknownSku as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"checkout": checkout}


@router.get("/checkouts")
def list_checkouts(request: Request) -> dict[str, Any]:
    store = _sandbox(request).store
    with store.lock:
        return {"checkouts": list(store.checkouts.values())}


@router.post("/checkouts/{checkout_id}/update")
def change_checkout(checkout_id: int, body: CheckoutUpdateIn, request: Request) -> dict[str, Any]:
    try:
        checkout = update_checkout(_sandbox(request).store, checkout_id, body)
    except UnknownSku as exc:
        raise HTTPException(422, str(exc)) from exc
    if checkout is None:
        raise HTTPException(404, f"no checkout {checkout_id}")
    return {"checkout": checkout}


@router.get("/orders")
def list_orders(request: Request) -> dict[str, Any]:
    store = _sandbox(request).store
    with store.lock:
        return {"orders": list(store.orders.values())}


@router.get("/orders/{order_id}")
def get_order(order_id: int, request: Request) -> dict[str, Any]:
    store = _sandbox(request).store
    with store.lock:
        order = store.orders.get(order_id)
    if order is None:
        raise HTTPException(404, f"no order {order_id}")
    return {"order": order}


@router.post("/orders/{order_id}/update")
def change_order(order_id: int, body: OrderUpdateIn, request: Request) -> dict[str, Any]:
    order = update_order(_sandbox(request).store, order_id, body)
    if order is None:
        raise HTTPException(404, f"no order {order_id}")
    return {"order": order}


@router.post("/orders/{order_id}/pay")
def take_payment(order_id: int, body: PaymentIn, request: Request) -> dict[str, Any]:
    try:
        paid = pay_order(_sandbox(request).store, order_id, body)
    except PaymentRefused as exc:
        raise HTTPException(422, str(exc)) from exc
    if paid is None:
        raise HTTPException(404, f"no order {order_id}")
    return paid


@router.get("/orders/{order_id}/transactions")
def transactions(order_id: int, request: Request) -> dict[str, Any]:
    store = _sandbox(request).store
    with store.lock:
        if order_id not in store.orders:
            raise HTTPException(404, f"no order {order_id}")
        return {"transactions": list(store.transactions.get(order_id, []))}


@router.post("/orders/{order_id}/edit")
def change_lines(order_id: int, body: OrderEditIn, request: Request) -> dict[str, Any]:
    try:
        order = edit_order(_sandbox(request).store, order_id, body)
    except EditRefused as exc:
        raise HTTPException(422, str(exc)) from exc
    if order is None:
        raise HTTPException(404, f"no order {order_id}")
    return {"order": order}


@router.post("/orders/{order_id}/cancel")
def cancel(order_id: int, body: CancelIn, request: Request) -> dict[str, Any]:
    try:
        order = cancel_order(_sandbox(request).store, order_id, body)
    except RefundRefused as exc:
        raise HTTPException(422, str(exc)) from exc
    if order is None:
        raise HTTPException(404, f"no order {order_id}")
    return {"order": order}


@router.post("/orders/{order_id}/refunds", status_code=201)
def refund(order_id: int, body: RefundIn, request: Request) -> dict[str, Any]:
    try:
        created = refund_order(_sandbox(request).store, order_id, body)
    except RefundRefused as exc:
        raise HTTPException(422, str(exc)) from exc
    if created is None:
        raise HTTPException(404, f"no order {order_id}")
    return {"refund": created}


@router.get("/inventory")
def inventory(request: Request) -> dict[str, int]:
    return _sandbox(request).store.inventory_by_sku()


@router.put("/webhooks")
def subscribe(body: WebhooksIn, request: Request) -> dict[str, Any]:
    store = _sandbox(request).store
    created = []
    for topic in body.topics:
        enum = topic if topic in TOPICS else TOPIC_ENUMS.get(topic)
        if enum is None:
            raise HTTPException(422, f"unknown topic {topic!r}")
        sub = store.find_subscription(enum, body.uri) or store.add_subscription(
            topic=enum, uri=body.uri
        )
        created.append({"id": sub.id, "topic": TOPICS[enum], "uri": sub.uri})
    return {"subscriptions": created}


@router.get("/webhooks")
def subscriptions(request: Request) -> dict[str, Any]:
    store = _sandbox(request).store
    with store.lock:
        return {
            "subscriptions": [
                {"id": s.id, "topic": TOPICS[s.topic], "uri": s.uri}
                for s in store.subscriptions.values()
            ]
        }


@router.get("/calls")
def calls(request: Request) -> list[dict[str, Any]]:
    store = _sandbox(request).store
    with store.lock:
        return [dict(c) for c in store.calls]


@router.get("/notifications")
def notifications(request: Request) -> list[dict[str, Any]]:
    """Shipping confirmations the shop would have e-mailed (fulfillmentCreate notifyCustomer)."""
    store = _sandbox(request).store
    with store.lock:
        return [dict(n) for n in store.notifications]


@router.delete("/calls", status_code=204)
def clear_calls(request: Request) -> Response:
    store = _sandbox(request).store
    with store.lock:
        store.calls.clear()
    return Response(status_code=204)


@router.get("/deliveries")
def deliveries(request: Request) -> list[dict[str, Any]]:
    return _sandbox(request).dispatcher.deliveries()


@router.post("/deliveries/wait")
def wait_deliveries(request: Request, body: WaitIn | None = None) -> dict[str, Any]:
    return _sandbox(request).dispatcher.wait_idle((body or WaitIn()).timeout)


@router.post("/clock")
def advance_clock(body: ClockIn, request: Request) -> dict[str, Any]:
    clock = _sandbox(request).store.clock
    now = clock.advance(body.advance_seconds)
    return {"now": clock.rest_time(now)}


@router.post("/reset", status_code=204)
def reset(request: Request) -> Response:
    _sandbox(request).reset()
    return Response(status_code=204)
