"""The sandbox's own control API under /_sandbox/ (NOT part of Amazon): seed and change
orders, move the clock, expire access tokens, read the calls made, reset.

    POST  /_sandbox/orders            an order in Amazon's v2026-01-01 shape, or a list
    POST  /_sandbox/checkouts         {"lines": [{"sku", "quantity", "unit_price"}], ...}:
                                      an order made from SKUs (checkout.py); a
                                      merchant-fulfilled one takes its units off the
                                      SKUs' listed quantities (with the setting
                                      sell_from_listings: 409 beyond them)
    PATCH /_sandbox/orders/{id}       {"fulfillmentStatus": "UNSHIPPED"} or whole blocks;
                                      lastUpdatedTime becomes the clock's now
    POST  /_sandbox/clock             {"advance_seconds": 120}
    POST  /_sandbox/tokens/expire     every access token issued so far expires now
    GET   /_sandbox/calls             the API calls, oldest first
    GET   /_sandbox/shipment-confirmations[?orderId=]  confirmShipment bodies accepted
                                      (shipments.py)
    GET   /_sandbox/stats             tokens issued, requests refused for quota
    POST  /_sandbox/reset
    POST  /_sandbox/notifications/destination, GET /_sandbox/notifications: ORDER_CHANGE
                                      to an SQS queue (notifications.py)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import ValidationError

from causeway_sandbox.amazon.checkout import Checkout, order_from_checkout

router = APIRouter(prefix="/_sandbox", tags=["sandbox control (not part of Amazon)"])


def _sandbox(request: Request) -> Any:
    return request.app.state.amazon


@router.post("/orders")
async def seed_orders(request: Request) -> list[dict[str, Any]]:
    body = await request.json()
    orders = body if isinstance(body, list) else [body]
    if not all(isinstance(o, dict) and isinstance(o.get("orderId"), str) for o in orders):
        raise HTTPException(422, "send an order (with its orderId) or a list of them")
    return [_sandbox(request).store.put(o) for o in orders]


@router.post("/checkouts")
async def checkout(request: Request) -> dict[str, Any]:
    try:
        bought = Checkout.model_validate(await request.json())
    except (ValidationError, ValueError) as error:
        raise HTTPException(422, f"not a checkout: {error}") from None
    sandbox = _sandbox(request)
    if bought.fulfilled_by == "MERCHANT" and bought.status != "CANCELLED":
        sandbox.feeds.settle()  # a feed Amazon has processed by now counts first
        wanted: dict[str, int] = {}
        for line in bought.lines:
            wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
        refused = sandbox.listings.sell(wanted, strict=sandbox.settings.sell_from_listings)
        if refused is not None:
            raise HTTPException(409, f"not enough stock: {refused}")
    return sandbox.store.put(order_from_checkout(bought))  # type: ignore[no-any-return]


@router.patch("/orders/{order_id}")
async def change_order(request: Request, order_id: str) -> dict[str, Any]:
    changes = await request.json()
    if not isinstance(changes, dict):
        raise HTTPException(422, "send a JSON object of changes")
    order = _sandbox(request).store.update(order_id, changes)
    if order is None:
        raise HTTPException(404, f"no order {order_id}")
    return order  # type: ignore[no-any-return]


@router.post("/clock")
async def move_clock(request: Request) -> dict[str, Any]:
    body = await request.json()
    sandbox = _sandbox(request)
    sandbox.clock.offset += timedelta(seconds=float(body.get("advance_seconds", 0)))
    return {"now": sandbox.clock.now().isoformat()}


@router.post("/tokens/expire")
def expire_tokens(request: Request) -> dict[str, Any]:
    _sandbox(request).expire_tokens()
    return {"expired": True}


@router.get("/calls")
def calls(request: Request) -> list[dict[str, object]]:
    return list(_sandbox(request).calls)


@router.get("/stats")
def stats(request: Request) -> dict[str, int]:
    sandbox = _sandbox(request)
    return {"tokens_issued": sandbox.tokens_issued, "quota_refusals": sandbox.buckets.refused}


@router.post("/reset")
def reset(request: Request) -> dict[str, bool]:
    _sandbox(request).reset()
    return {"reset": True}
