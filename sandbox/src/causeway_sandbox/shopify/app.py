"""The sandbox as a FastAPI app: Shopify's endpoint plus the `/_sandbox/` control API.

`create_app(settings)` wires one shop: its store, fault injector, webhook
dispatcher (started and stopped with the app's lifespan) and GraphQL service.
API faults are applied here, at the HTTP edge, before authentication, because
that is where Shopify's own 502s and 429s come from.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from graphql import GraphQLEnumType
from starlette.concurrency import run_in_threadpool

from causeway_sandbox.common import fault_routes
from causeway_sandbox.shopify.compliance import router as compliance_router
from causeway_sandbox.shopify.control import router as control_router
from causeway_sandbox.shopify.faults import FaultInjector
from causeway_sandbox.shopify.formats import SandboxClock, gql_time
from causeway_sandbox.shopify.graphql_api import GraphQLService
from causeway_sandbox.shopify.published_schema import available_versions, served_version
from causeway_sandbox.shopify.settings import SandboxSettings
from causeway_sandbox.shopify.store import Store
from causeway_sandbox.shopify.webhooks import WebhookDispatcher


class Sandbox:
    """One sandbox shop: every component, and the knowledge of how to reset them."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.clock = SandboxClock(settings.shop_utc_offset_minutes)
        self.store = Store(clock=self.clock, seed=settings.seed, shop_domain=settings.shop_domain)
        self.faults = FaultInjector(settings.faults, settings.seed)
        self.dispatcher = WebhookDispatcher(self.store, settings, self.faults)
        self.store.listeners.append(self.dispatcher.publish)
        self.graphql = GraphQLService(self.store, settings)
        currency_enum = self.graphql.schema.get_type("CurrencyCode")
        assert isinstance(currency_enum, GraphQLEnumType)
        self.currencies = frozenset(currency_enum.values)
        if settings.currency not in self.currencies:
            raise ValueError(f"shop currency {settings.currency!r} is not a known CurrencyCode")

    def reset(self) -> None:
        self.dispatcher.clear()
        self.store.reset()
        self.graphql.reset_buckets()


def create_app(settings: SandboxSettings | None = None) -> FastAPI:
    """Build the sandbox app; run it with uvicorn or `SandboxServer`."""
    settings = settings or SandboxSettings()
    sandbox = Sandbox(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sandbox.dispatcher.start()
        try:
            yield
        finally:
            await run_in_threadpool(sandbox.dispatcher.stop)

    app = FastAPI(
        title="Causeway Shopify sandbox",
        description=(
            "A wire-compatible subset of Shopify's Admin GraphQL API "
            f"({', '.join(available_versions())}, on Shopify's published schema of each) and "
            "webhooks. Everything under /_sandbox/ is the sandbox's own control API and is "
            "NOT part of Shopify."
        ),
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    app.include_router(control_router)
    app.include_router(fault_routes(lambda _: sandbox.faults))
    app.include_router(compliance_router)

    @app.post("/admin/api/{version}/graphql.json")
    async def graphql_endpoint(version: str, request: Request) -> Response:
        served = served_version(version)
        if served is None:
            return JSONResponse(
                {
                    "errors": f"Not Found: the sandbox serves Admin API "
                    f"{', '.join(available_versions())} (older versions as the oldest of "
                    f"these, as Shopify does), not {version}"
                },
                status_code=404,
            )
        latency = sandbox.faults.latency_seconds()
        if latency:
            await asyncio.sleep(latency)
        fault = sandbox.faults.api_fault()
        if fault is not None:
            sandbox.store.record_call(
                {
                    "operationName": None,
                    "cost": None,
                    "actualCost": None,
                    "status": fault.status,
                    "outcome": "injected fault",
                    "at": gql_time(sandbox.clock.now()),
                }
            )
            return Response(
                fault.body,
                status_code=fault.status,
                media_type=fault.media_type,
                headers=fault.headers,
            )
        raw = await request.body()
        body: Any
        if request.headers.get("content-type", "").startswith("application/graphql"):
            body = {"query": raw.decode("utf-8", "replace")}
        else:
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = None
        token = request.headers.get("x-shopify-access-token")
        status, payload = await run_in_threadpool(sandbox.graphql.handle, token, body, served)
        headers = {"X-Request-Id": str(uuid.uuid4())}
        if status != 401:
            headers["X-Shopify-API-Version"] = served
        return JSONResponse(payload, status_code=status, headers=headers)

    return app
