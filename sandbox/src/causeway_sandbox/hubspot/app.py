"""The HubSpot sandbox as a FastAPI app: the CRM endpoints plus the /_sandbox/ control API.

Faults, the Bearer token check and the rate limit are applied at the HTTP edge
to /crm/ and /account-info/ paths only, in HubSpot's order: an edge fault first, then
authentication, then the limit; every answer that reached the limit check
carries the X-HubSpot-RateLimit-* headers.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from causeway_sandbox.common import fault_routes
from causeway_sandbox.hubspot.api import router as api_router
from causeway_sandbox.hubspot.associations import router as associations_router
from causeway_sandbox.hubspot.control import router as control_router
from causeway_sandbox.hubspot.faults import HubSpotFaultInjector, rate_limit_body
from causeway_sandbox.hubspot.ratelimit import RollingLimit
from causeway_sandbox.hubspot.settings import HubSpotSandboxSettings
from causeway_sandbox.hubspot.store import CrmError, CrmStore
from causeway_sandbox.hubspot.webhooks import WebhookDispatcher


class HubSpotSandbox:
    """One sandbox portal: every component, and how to reset them."""

    def __init__(self, settings: HubSpotSandboxSettings) -> None:
        self.settings = settings
        self.store = CrmStore()
        self.faults = HubSpotFaultInjector(settings.faults, settings.seed)
        self.limit = RollingLimit(settings)
        self.dispatcher = WebhookDispatcher(settings, self.faults)
        self.store.listeners.append(self.dispatcher.publish)

    def reset(self) -> None:
        self.dispatcher.clear()
        self.store.reset()
        self.limit.reset()


def _error(status: int, category: str, message: str, **extra: object) -> JSONResponse:
    body = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
        **extra,
    }
    return JSONResponse(body, status_code=status)


def create_app(settings: HubSpotSandboxSettings | None = None) -> FastAPI:
    settings = settings or HubSpotSandboxSettings()
    sandbox = HubSpotSandbox(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sandbox.dispatcher.start()
        try:
            yield
        finally:
            await run_in_threadpool(sandbox.dispatcher.stop)

    app = FastAPI(
        title="Causeway HubSpot sandbox",
        description="A wire-compatible subset of HubSpot's CRM v3 API and webhooks. "
        "Everything under /_sandbox/ is the sandbox's own control API, NOT HubSpot's.",
        lifespan=lifespan,
    )
    app.state.hubspot = sandbox

    @app.exception_handler(CrmError)
    async def _crm_error(_: Request, exc: CrmError) -> JSONResponse:
        extra = {"context": exc.context} if exc.context else {}
        return _error(exc.status, exc.category, exc.message, **extra)

    @app.middleware("http")
    async def edge(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not request.url.path.startswith(("/crm/", "/account-info/")):
            return await call_next(request)
        latency = sandbox.faults.latency_seconds()
        if latency:
            await asyncio.sleep(latency)
        fault = sandbox.faults.api_fault()
        if fault is not None:
            return Response(
                fault.body, status_code=fault.status, media_type=fault.media_type,
                headers=fault.headers,
            )  # fmt: skip
        if request.headers.get("authorization") != f"Bearer {settings.access_token}":
            return _error(
                401,
                "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports OAuth 2.0 "
                "authentication and you can find more details at "
                "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            )
        allowed, headers, policy = sandbox.limit.take()
        if not allowed:
            return Response(
                rate_limit_body(policy or "TEN_SECONDLY_ROLLING"),
                status_code=429,
                media_type="application/json;charset=utf-8",
                headers=headers,
            )
        response = await call_next(request)
        response.headers.update(headers)
        return response

    app.include_router(api_router)
    app.include_router(control_router)
    app.include_router(fault_routes(lambda _: sandbox.faults, write="POST"))
    app.include_router(associations_router)
    return app
