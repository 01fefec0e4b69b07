"""The hub's HTTP surface: `POST /webhooks/{system}` and the `/api` read endpoints.

The webhook route answers only after the delivery is committed to the inbox
(group-committed with its neighbours), never before, and never parses more than
it needs: verification and storage are all that stand between the sender and
its 200.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from causeway.connectors.ingress import WebhookRejected
from causeway.engine.inbox import InboxRecord, unstorable
from causeway.hub import Hub
from causeway.observability.instruments import WEBHOOK_LATENCY
from causeway.observability.metrics import exposition, hub_registry
from causeway.web.order_view import order_view


class ErrorAnswer(BaseModel):
    error: str


# Every refusal the hub answers on purpose, as the OpenAPI spec declares it.
_REFUSALS = {
    400: "a signed delivery the hub cannot key or store (the reason says which part)",
    401: "signature missing, forged, or (HubSpot) older than five minutes; nothing stored",
    403: "a HubSpot event for another account than the configured portal_id",
    404: "no such system, order or flow",
    413: "the body is larger than server.max_body_bytes",
    503: "not stored (the hub is starting or its store failed); the sender retries",
}


def _refusals(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorAnswer, "description": _REFUSALS[code]} for code in codes}


# What the webhook route reads itself from the raw request (it must verify the exact
# bytes), declared so that the spec, and fuzzers reading it, know the request's shape.
_WEBHOOK_REQUEST = {
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


async def _read_limited(request: Request, limit: int) -> bytes:
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


def create_app(hub: Hub) -> FastAPI:
    app = FastAPI(title="Causeway", version="0.1.0")
    limit = hub.config.server.max_body_bytes

    # Starlette's own (an unknown path, a wrong method) get the same {"error": ...} shape.
    @app.exception_handler(StarletteHTTPException)
    async def _plain_errors(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.post(
        "/webhooks/{system}",
        responses=_refusals(400, 401, 403, 404, 413, 503),
        openapi_extra=_WEBHOOK_REQUEST,
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
        body = await _read_limited(request, limit)
        try:
            # A Shopify delivery is one event; a HubSpot one is a batch, signed over the URL.
            records = ingress.records("POST", str(request.url), request.headers, body)
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

    @app.get("/api/orders/{system}/{external_id}", responses=_refusals(404))
    def get_order(system: str, external_id: str) -> dict[str, Any]:
        # No stored id holds a NUL (the inbox refuses it), and PostgreSQL cannot search one.
        view = (
            None
            if "\x00" in system + external_id
            else order_view(hub.store, hub.jobs, system, external_id)
        )
        if view is None:
            raise HTTPException(404, f"the hub has seen no order {external_id} from {system!r}")
        return view

    @app.post("/api/flows/{flow}/run", responses=_refusals(404))
    def run_flow(flow: str) -> dict[str, Any]:
        if flow not in hub.flows:
            known = ", ".join(sorted(hub.flows)) or "none"
            raise HTTPException(404, f"no flow named {flow!r} is enabled (enabled: {known})")
        return {"queued": hub.run_flow(flow)}

    registry = hub_registry(hub)

    @app.get(
        "/metrics",
        response_class=Response,
        responses={
            200: {
                "description": "Prometheus text format, or OpenMetrics when the scraper asks",
                "content": {
                    "text/plain": {"schema": {"type": "string"}},
                    "application/openmetrics-text": {"schema": {"type": "string"}},
                },
            }
        },
    )
    def metrics(request: Request) -> Response:
        body, content_type = exposition(registry, request.headers.get("accept"))
        return Response(body, headers={"Content-Type": content_type})

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
