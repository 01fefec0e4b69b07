"""`POST /collect/{system}`: storefront events (clickstream), beside the webhook ingress.

Browsers call it, so it is a public route whose credential is the system's collect key
(`clickstream.<system>.collect_key`), checked before anything is read; a browser at
another origin than `allowed_origins` is refused, and only allowed origins get CORS
headers (and an answer to their preflight). Everything is checked before anything is
stored: a request that is too large, malformed, over its client's rate or from a
visitor who declined analytics stores nothing. Accepted events are only handed to the
clickstream writer's bounded queue (engine/web_event_writer.py): the route never waits
for the store, so a flood of events never slows a webhook (docs/clickstream.md).
"""

from __future__ import annotations

import hmac
import time

from fastapi import FastAPI, HTTPException, Request, Response
from pydantic import BaseModel

from causeway.clickstream.events import (
    COLLECTED,
    MAX_EVENTS,
    InvalidEvents,
    analytics_declined,
    read_batch,
    web_event,
)
from causeway.clickstream.rate_limit import ClientRateLimit, retry_after
from causeway.config.clickstream import ClickstreamSettings
from causeway.hub import Hub
from causeway.observability.instruments import CLICKSTREAM_REQUESTS
from causeway.web.access import public
from causeway.web.answers import ErrorAnswer
from causeway.web.webhooks import read_limited

KEY_HEADER = "X-Causeway-Collect-Key"
PREFLIGHT_MAX_AGE = "86400"

# The body is read by the route itself (it must count its bytes before parsing them),
# so its shape is declared here for the spec, and for fuzzers reading it.
COLLECT_REQUEST = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {}}, "text/plain": {"schema": {}}},
    },
    "parameters": [
        {"name": KEY_HEADER, "in": "header", "required": False, "schema": {"type": "string"}},
        {"name": "key", "in": "query", "required": False, "schema": {"type": "string"}},
    ],
}


def _refusal(text: str) -> dict[str, object]:
    return {"model": ErrorAnswer, "description": text}


ANSWERS: dict[int | str, dict[str, object]] = {
    204: {"description": "the visitor declined analytics: nothing stored, by design"},
    400: _refusal(
        f"not JSON, or an event that is not valid (one of {', '.join(COLLECTED)}, at most "
        f"{MAX_EVENTS} a request, one client id); nothing of the request stored"
    ),
    401: _refusal("no collect key, or not this system's; nothing stored"),
    403: _refusal("sent from an origin not in clickstream.<system>.allowed_origins"),
    404: _refusal("no clickstream collected for that system"),
    413: _refusal("the body is larger than clickstream.<system>.max_body_bytes"),
    429: _refusal("over the client's events_per_minute: retry after Retry-After seconds"),
    503: _refusal("the hub is not storing events now (starting, or its store is slow)"),
}


class Collected(BaseModel):
    accepted: int


def cors_headers(settings: ClickstreamSettings, origin: str | None) -> dict[str, str]:
    """What lets a browser at an allowed origin read the answer; nothing for others."""
    if not settings.allows(origin):
        return {}
    return {"Access-Control-Allow-Origin": origin or "", "Vary": "Origin"}


def key_matches(settings: ClickstreamSettings, request: Request) -> bool:
    sent = request.headers.get(KEY_HEADER) or request.query_params.get("key") or ""
    expected = settings.collect_key.get_secret_value().strip()
    return hmac.compare_digest(sent.encode(errors="replace"), expected.encode())


def add_collect_routes(app: FastAPI, hub: Hub) -> None:
    limits = ClientRateLimit()

    def settings_of(system: str) -> ClickstreamSettings:
        settings = hub.config.clickstream.get(system)
        if settings is None or not settings.enabled:
            raise HTTPException(404, "no clickstream is collected here for that system")
        return settings

    @app.options("/collect/{system}", include_in_schema=False, **public(403, 404))
    async def collect_preflight(system: str, request: Request) -> Response:
        settings = settings_of(system)
        origin = request.headers.get("origin")
        method = request.headers.get("access-control-request-method", "")
        if not settings.allows(origin) or method.upper() != "POST":
            raise HTTPException(403, "this origin may not send events here")
        headers = cors_headers(settings, origin) | {
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": f"Content-Type, {KEY_HEADER}",
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        }
        return Response(status_code=204, headers=headers)

    @app.post(
        "/collect/{system}",
        status_code=202,
        response_model=Collected,
        **public(responses=ANSWERS),
        openapi_extra=COLLECT_REQUEST,
    )
    async def collect(system: str, request: Request, response: Response) -> Response | Collected:
        settings = settings_of(system)
        origin = request.headers.get("origin")
        cors = cors_headers(settings, origin)
        response.headers.update(cors)
        outcome = "refused"
        try:
            answer = await _collect(system, settings, request, origin, cors)
            outcome = "accepted" if isinstance(answer, Collected) else "declined"
            return answer
        except HTTPException as exc:
            outcome = {429: "rate_limited", 503: "dropped"}.get(exc.status_code, "refused")
            exc.headers = {**cors, **(exc.headers or {})}
            raise
        finally:
            CLICKSTREAM_REQUESTS.labels(system, outcome).inc()

    async def _collect(
        system: str,
        settings: ClickstreamSettings,
        request: Request,
        origin: str | None,
        cors: dict[str, str],
    ) -> Response | Collected:
        if not key_matches(settings, request):
            raise HTTPException(401, f"send this system's collect key in {KEY_HEADER} or ?key=")
        if origin is not None and not settings.allows(origin):
            raise HTTPException(403, "this origin may not send events here")
        body = await read_limited(request, settings.max_body_bytes)
        try:
            batch = read_batch(body)
        except InvalidEvents as exc:
            raise HTTPException(400, f"nothing stored: {exc}") from None
        if analytics_declined(batch, required=settings.require_consent):
            return Response(status_code=204, headers=cors)
        client = batch.events[0].clientId
        wait = limits.take(system, client, len(batch.events), settings.events_per_minute)
        if wait is not None:
            raise HTTPException(
                429,
                f"more than {settings.events_per_minute} events a minute from this client",
                headers={"Retry-After": retry_after(wait)},
            )
        writer = hub.web_event_writer
        received = time.time()
        events = [web_event(system, event, received) for event in batch.events]
        if writer is None or not writer.offer(events):
            raise HTTPException(
                503, "events not stored: the hub is busy; send later", {"Retry-After": "5"}
            )
        return Collected(accepted=len(events))
