"""The sandbox as a FastAPI app: WooCommerce's REST API v3 plus the `/_sandbox/` control API.

At the HTTP edge of `/wp-json/` and in this order, as a request meets a real
site: injected faults (the host's), then the API key (WC_REST_Authentication),
then the route. Errors leave as WordPress writes a WP_Error; an unknown route is
`rest_no_route`. Every API call is logged for tests (`GET /_sandbox/calls`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from causeway_sandbox.common import fault_routes
from causeway_sandbox.woocommerce.api_order_children import router as order_children_router
from causeway_sandbox.woocommerce.api_orders import router as orders_router
from causeway_sandbox.woocommerce.api_products import router as products_router
from causeway_sandbox.woocommerce.api_settings import router as settings_router
from causeway_sandbox.woocommerce.api_webhooks import router as webhooks_router
from causeway_sandbox.woocommerce.auth import authenticate
from causeway_sandbox.woocommerce.batch import router as batch_router
from causeway_sandbox.woocommerce.control import router as control_router
from causeway_sandbox.woocommerce.errors import WooError
from causeway_sandbox.woocommerce.faults import WooFaultInjector
from causeway_sandbox.woocommerce.formats import SiteClock, WPJSONResponse
from causeway_sandbox.woocommerce.settings import WooSandboxSettings
from causeway_sandbox.woocommerce.store import Store
from causeway_sandbox.woocommerce.webhooks import WebhookDispatcher

API_PREFIX = "/wp-json/"


class WooSandbox:
    """One sandbox store: every component, and how to reset them."""

    def __init__(self, settings: WooSandboxSettings) -> None:
        self.settings = settings
        self.clock = SiteClock(settings.utc_offset_minutes)
        self.store = Store(settings, self.clock)
        if settings.site_url:
            self.store.site_url = settings.site_url.rstrip("/") + "/"
        self.faults = WooFaultInjector(settings.faults, settings.seed)
        self.dispatcher = WebhookDispatcher(self.store, settings)
        self.store.listeners.append(self.dispatcher.publish)
        self.calls: list[dict[str, object]] = []

    def reset(self) -> None:
        self.dispatcher.clear()
        self.store.reset()
        self.clock.reset()
        self.faults.reset(self.settings.faults)
        self.calls.clear()


def _error_response(error: WooError) -> WPJSONResponse:
    return WPJSONResponse(error.body(), status_code=error.status)


def create_app(settings: WooSandboxSettings | None = None) -> FastAPI:
    """Build the sandbox app; run it with uvicorn or `WooSandboxServer`."""
    settings = settings or WooSandboxSettings()
    sandbox = WooSandbox(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sandbox.dispatcher.start()
        try:
            yield
        finally:
            await run_in_threadpool(sandbox.dispatcher.stop)

    app = FastAPI(
        title="Causeway WooCommerce sandbox",
        description=(
            "A wire-compatible subset of the WooCommerce REST API v3 (/wp-json/wc/v3/) and "
            "its webhooks. Everything under /_sandbox/ is the sandbox's own control API "
            "and is NOT part of WooCommerce."
        ),
        lifespan=lifespan,
    )
    app.state.woo = sandbox

    @app.exception_handler(WooError)
    async def _woo_error(_: Request, exc: WooError) -> WPJSONResponse:
        return _error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _unreadable(_: Request, exc: RequestValidationError) -> WPJSONResponse:
        # Every route takes its body as any JSON: only a body that is not JSON lands here.
        detail = "; ".join(str(e.get("msg", "")) for e in exc.errors())
        return _error_response(
            WooError(
                400,
                "rest_invalid_json",
                "Invalid JSON body passed.",
                json_error_code=4,
                json_error_message=f"Syntax error: {detail}",
            )
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith(API_PREFIX) and exc.status_code in (404, 405):
            return _error_response(
                WooError(
                    404, "rest_no_route", "No route was found matching the URL and request method."
                )
            )
        return WPJSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    @app.middleware("http")
    async def edge(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not sandbox.store.site_url:
            sandbox.store.site_url = str(request.base_url)
        if not request.url.path.startswith(API_PREFIX):
            return await call_next(request)
        latency = sandbox.faults.latency_seconds()
        if latency:
            await asyncio.sleep(latency)
        fault = sandbox.faults.api_fault()
        if fault is not None:
            response: Response = Response(
                fault.body,
                status_code=fault.status,
                media_type=fault.media_type,
                headers=fault.headers,
            )
        else:
            try:
                authenticate(request, settings)
                response = await call_next(request)
            except WooError as error:
                response = _error_response(error)
        sandbox.calls.append(
            {
                "method": request.method,
                "path": request.url.path,
                "query": str(request.url.query),
                "status": response.status_code,
                "fault": fault is not None,
                "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            }
        )
        return response

    app.include_router(orders_router)
    app.include_router(order_children_router)
    app.include_router(batch_router)
    app.include_router(products_router)
    app.include_router(webhooks_router)
    app.include_router(settings_router)
    app.include_router(control_router)
    app.include_router(fault_routes(lambda _: sandbox.faults))
    return app
