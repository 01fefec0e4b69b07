"""The control API of the sandbox's stock (NOT part of Amazon), under /_sandbox/:

POST /_sandbox/listings             a listing or a list: {"sku", "productType",
                                    "quantity"} merchant-fulfilled, or
                                    {"sku", "productType", "fulfillmentChannelCode":
                                    "AMAZON_NA"} fulfilled by Amazon
GET  /_sandbox/listings             SKU -> its DEFAULT quantity (null: FBA or none)
POST /_sandbox/listings/refusals    {"sku", "code", "message"}: every change of that
                                    SKU (feed message or patch) is refused so
GET  /_sandbox/feeds                every feed: id, status, the document sent, the report
POST /_sandbox/feeds/processing     {"seconds": 0.2}: how long a feed takes from now on
POST /_sandbox/feeds/finish         every feed not processed yet is processed now
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, HTTPException, Request

router = APIRouter(prefix="/_sandbox", tags=["sandbox control (not part of Amazon)"])


def _sandbox(request: Request) -> Any:
    return request.app.state.amazon


@router.post("/listings")
async def seed_listings(request: Request) -> list[dict[str, Any]]:
    body = await request.json()
    seeds = body if isinstance(body, list) else [body]
    if not all(
        isinstance(s, dict)
        and isinstance(s.get("sku"), str)
        and isinstance(s.get("productType"), str)
        for s in seeds
    ):
        raise HTTPException(422, "send a listing ({sku, productType, quantity}) or a list of them")
    return [_sandbox(request).listings.put(s) for s in seeds]


@router.get("/listings")
def listed(request: Request) -> dict[str, int | None]:
    sandbox = _sandbox(request)
    sandbox.feeds.settle()
    return sandbox.listings.quantities()  # type: ignore[no-any-return]


@router.post("/listings/refusals")
async def refuse(request: Request) -> dict[str, str]:
    body = await request.json()
    if not isinstance(body, dict) or not all(
        isinstance(body.get(k), str) and body[k] for k in ("sku", "code", "message")
    ):
        raise HTTPException(422, 'send {"sku": ..., "code": "90220", "message": ...}')
    _sandbox(request).listings.refusals[body["sku"]] = (body["code"], body["message"])
    return {"sku": body["sku"]}


@router.delete("/listings/refusals/{sku:path}")
def accept(request: Request, sku: str) -> dict[str, bool]:
    return {"removed": _sandbox(request).listings.refusals.pop(sku, None) is not None}


@router.get("/feeds")
def feeds(request: Request) -> list[dict[str, Any]]:
    store = _sandbox(request).feeds
    store.settle()
    now = time.monotonic()
    return [
        {
            "feedId": feed.feed_id,
            "processingStatus": feed.status(now),
            "sent": store.sent(feed.feed_id),
            "report": store.report_of(feed.feed_id),
        }
        for feed in list(store.feeds.values())
    ]


@router.post("/feeds/processing")
async def processing(request: Request) -> dict[str, float]:
    body = await request.json()
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if not isinstance(seconds, int | float) or seconds < 0:
        raise HTTPException(422, 'send {"seconds": 0.2}')
    _sandbox(request).feeds.processing_s = float(seconds)
    return {"seconds": float(seconds)}


@router.post("/feeds/finish")
async def finish(request: Request) -> dict[str, int]:
    return {"finished": _sandbox(request).feeds.finish_pending()}
