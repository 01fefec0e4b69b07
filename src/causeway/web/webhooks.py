"""`POST /webhooks/{system}`: the ingress every store and CRM delivers its changes to.

The route answers only after the delivery is committed to the inbox (group-committed
with its neighbours), never before, and never parses more than it needs: verification
and storage are all that stand between the sender and its 200.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import FastAPI, HTTPException, Request

from causeway.connectors.ingress import WebhookRejected
from causeway.engine.inbox import InboxRecord, unstorable
from causeway.hub import Hub
from causeway.observability.instruments import WEBHOOK_LATENCY
from causeway.web.access import public

# What the webhook route reads itself from the raw request (it must verify the exact
# bytes), declared so that the spec, and fuzzers reading it, know the request's shape.
WEBHOOK_REQUEST = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {}}},
    },
    "parameters": [
        {"name": name, "in": "header", "required": False, "schema": {"type": "string"}}
        for name in (
            "X-Shopify-Hmac-Sha256",
            "X-Shopify-Topic",
            "X-Shopify-Event-Id",
            "X-HubSpot-Signature-v3",
            "X-HubSpot-Request-Timestamp",
        )
    ],
}


def request_target(request: Request) -> str:
    """The path and query exactly as the sender requested them.

    Not `request.url`: Starlette builds that from the Host header, which the sender
    chooses; a receiver that needs the full URL (HubSpot's signature) puts its own
    configured public address in front.
    """
    scope = request.scope
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else scope["path"]
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to be larger than `limit`:
    from its Content-Length, else while it streams in."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"body larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def add_webhook_routes(app: FastAPI, hub: Hub) -> None:
    limit = hub.config.server.max_body_bytes

    @app.post(
        "/webhooks/{system}",
        **public(400, 401, 403, 404, 413, 503),
        openapi_extra=WEBHOOK_REQUEST,
    )
    async def receive_webhook(system: str, request: Request) -> dict[str, Any]:
        started = time.perf_counter()
        outcome = "failed"
        try:
            answer = await _receive(system, request)
            outcome = "stored" if answer.get("stored") else "duplicate"
            return answer
        except HTTPException as exc:
            outcome = "rejected" if exc.status_code < 500 else "failed"
            raise
        finally:
            if system in hub.ingress:  # unknown names would be unbounded label values
                WEBHOOK_LATENCY.labels(system, outcome).observe(time.perf_counter() - started)

    async def _receive(system: str, request: Request) -> dict[str, Any]:
        ingress = hub.ingress.get(system)
        if ingress is None:
            raise HTTPException(
                404, f"no webhook-receiving system named {system!r} in causeway.yaml"
            )
        body = await read_limited(request, limit)
        try:
            # A Shopify delivery is one event; a HubSpot one is a batch, signed over the URL.
            records = ingress.records("POST", request_target(request), request.headers, body)
        except WebhookRejected as exc:
            raise HTTPException(exc.status, str(exc)) from None
        for record in records:
            # Refused alone, before it could fail the group commit of its neighbours.
            if problem := unstorable(record):
                raise HTTPException(400, f"event {record.event_id[:64]!r} not stored: {problem}")
        if len(records) != 1:
            return await _store_all(records)
        (record,) = records
        if hub.writer is None:
            raise HTTPException(503, "the hub is not accepting webhooks yet; retry")
        try:
            stored = await asyncio.wrap_future(hub.writer.submit(record))
        except Exception as exc:  # not stored: the sender must retry
            raise HTTPException(
                503, f"could not store the webhook ({type(exc).__name__}); retry"
            ) from None
        return {"stored": stored, "duplicate": not stored, "event_id": record.event_id}

    async def _store_all(records: list[InboxRecord]) -> dict[str, Any]:
        if hub.writer is None:
            raise HTTPException(503, "the hub is not accepting webhooks yet; retry")
        writer = hub.writer
        try:
            # Submitted together so they share one group commit.
            futures = [asyncio.wrap_future(writer.submit(r)) for r in records]
            stored = [bool(s) for s in await asyncio.gather(*futures)]
        except Exception as exc:  # not all stored: the sender retries, duplicates are skipped
            raise HTTPException(
                503, f"could not store the webhook ({type(exc).__name__}); retry"
            ) from None
        return {"stored": sum(stored), "duplicates": len(stored) - sum(stored)}
