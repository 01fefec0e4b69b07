"""The sandbox as a FastAPI app: Login with Amazon's token endpoint, the Orders
v2026-01-01 API (searchOrders, getOrder), Orders v0 confirmShipment (shipments.py), the
feeds and listings of stock (stock_routes.py) and the `/_sandbox/` control API
(control.py, stock_control.py).

At the edge of the Selling Partner API and in this order, as a request meets Amazon:
injected faults, the access token (`x-amz-access-token`), the operation's token bucket,
then the operation. Errors leave in Amazon's format; every API call is logged for tests.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from causeway_sandbox.amazon import event_groups, finances
from causeway_sandbox.amazon.control import router as control_router
from causeway_sandbox.amazon.faults import QUOTA_EXCEEDED, AmazonFaultInjector, error_body
from causeway_sandbox.amazon.feeds import FeedStore
from causeway_sandbox.amazon.limits import Buckets
from causeway_sandbox.amazon.listings import ListingsStore
from causeway_sandbox.amazon.notifications import OrderChangeNotifier
from causeway_sandbox.amazon.notifications import router as notifications_router
from causeway_sandbox.amazon.settings import AmazonSandboxSettings
from causeway_sandbox.amazon.shipments import CONFIRM_PATH, Confirmations, Refused, confirm_shipment
from causeway_sandbox.amazon.shipments import router as shipments_router
from causeway_sandbox.amazon.stock_control import router as stock_control_router
from causeway_sandbox.amazon.stock_routes import stock_router
from causeway_sandbox.amazon.store import (
    BLOCKS,
    Clock,
    OrderStore,
    decode_token,
    encode_token,
    iso,
    parse_time,
)
from causeway_sandbox.common import fault_routes

ORDERS = "/orders/2026-01-01/orders"
TOKEN_PATH = "/auth/o2/token"


class AmazonSandbox:
    """One sandbox seller: every component, and how to reset them."""

    def __init__(self, settings: AmazonSandboxSettings) -> None:
        self.settings = settings
        self.clock = Clock()
        self.notifier = OrderChangeNotifier(settings.selling_partner_id, settings.seed)
        self.store = OrderStore(self.clock, self.notifier.order_changed)
        self.confirmations = Confirmations()
        self.listings = ListingsStore(self.clock, settings.marketplace_id)
        self.feeds = FeedStore(
            self.clock, self.listings, settings.selling_partner_id, settings.feed_processing_s
        )
        self.buckets = Buckets(settings.usage_plans)
        self.faults = AmazonFaultInjector(settings.faults, settings.seed)
        self.tokens: dict[str, datetime] = {}  # access token -> when it expires
        self.tokens_issued = 0
        self._lock = threading.Lock()
        self.calls: list[dict[str, object]] = []
        self.finances = finances.FinancialEvents()
        self.event_groups = event_groups.EventGroups()

    def reset(self) -> None:
        self.store.reset()
        self.notifier.reset()
        self.confirmations.reset()
        self.listings.reset()
        self.feeds.reset(self.settings.feed_processing_s)
        self.finances.reset()
        self.event_groups.reset()
        self.clock.offset = timedelta()
        self.buckets.reset(self.settings.usage_plans)
        self.faults.reset(self.settings.faults)
        with self._lock:
            self.tokens.clear()
            self.tokens_issued = 0
        self.calls.clear()

    def issue_token(self) -> tuple[str, int]:
        token = "Atza|" + secrets.token_urlsafe(24)
        life = self.settings.token_lifetime_s
        with self._lock:
            self.tokens[token] = self.clock.now() + timedelta(seconds=life)
            self.tokens_issued += 1
        return token, life

    def token_state(self, token: str | None) -> str:
        """valid, expired or unknown."""
        with self._lock:
            expires = self.tokens.get(token or "")
        if expires is None:
            return "unknown"
        return "valid" if self.clock.now() < expires else "expired"

    def expire_tokens(self) -> None:
        with self._lock:
            now = self.clock.now()
            self.tokens = {t: now for t in self.tokens}


def _amazon_error(status: int, code: str, message: str, details: str = "") -> Response:
    return Response(error_body(code, message, details), status, media_type="application/json")


def create_app(settings: AmazonSandboxSettings | None = None) -> FastAPI:
    settings = settings or AmazonSandboxSettings()
    sandbox = AmazonSandbox(settings)
    app = FastAPI(
        title="Causeway Amazon Selling Partner API sandbox",
        description="Login with Amazon's token endpoint and Orders v2026-01-01. Everything "
        "under /_sandbox/ is the sandbox's own control API and is NOT part of Amazon.",
    )
    app.state.amazon = sandbox

    @app.post(TOKEN_PATH)
    async def token(request: Request) -> Response:
        form = await request.form()
        if form.get("grant_type") != "refresh_token":
            return JSONResponse(
                {"error": "unsupported_grant_type", "error_description": "grant_type"}, 400
            )
        if form.get("client_id") != settings.client_id or (
            form.get("client_secret") != settings.client_secret
        ):
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Client authentication failed"},
                401,
            )
        if form.get("refresh_token") != settings.refresh_token:
            return JSONResponse(
                {
                    "error": "invalid_grant",
                    "error_description": "The request has an invalid "
                    "grant parameter : refresh_token",
                },
                400,
            )
        access, life = sandbox.issue_token()
        return JSONResponse(
            {
                "access_token": access,
                "refresh_token": settings.refresh_token,
                "token_type": "bearer",
                "expires_in": life,
            }
        )

    async def edge(request: Request, operation: str) -> Response | None:
        """The answer that stops a call before its operation runs, or None."""
        latency = sandbox.faults.latency_seconds()
        if latency:
            await asyncio.sleep(latency)
        fault = sandbox.faults.api_fault()
        if fault is not None:
            return Response(fault.body, fault.status, media_type=fault.media_type)
        state = sandbox.token_state(request.headers.get("x-amz-access-token"))
        if state == "expired":
            return _amazon_error(
                settings.expired_token_status,
                "Unauthorized",
                "Access to requested resource is denied.",
                "The access token you provided has expired.",
            )
        if state != "valid":
            return _amazon_error(403, "Unauthorized", "Access to requested resource is denied.")
        if not sandbox.buckets.take(operation):
            return Response(QUOTA_EXCEEDED, 429, media_type="application/json")
        return None

    def log(request: Request, operation: str, response: Response) -> Response:
        response.headers.setdefault("x-amzn-RequestId", secrets.token_hex(8))
        if response.status_code != 429 and response.status_code < 500:
            response.headers["x-amzn-RateLimit-Limit"] = sandbox.buckets.rate(operation)
        sandbox.calls.append(
            {
                "operation": operation,
                "path": request.url.path,
                "query": str(request.url.query),
                "status": response.status_code,
                "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            }
        )
        return response

    @app.get(ORDERS)
    async def search_orders(request: Request) -> Response:
        stopped = await edge(request, "searchOrders")
        return log(request, "searchOrders", stopped or _search(sandbox, request))

    @app.get(ORDERS + "/{order_id}")
    async def get_order(request: Request, order_id: str) -> Response:
        stopped = await edge(request, "getOrder")
        if stopped is not None:
            return log(request, "getOrder", stopped)
        included = _included(request)
        if included is None:
            answer = _amazon_error(400, "InvalidInput", "Invalid Input", "includedData")
        else:
            order = sandbox.store.get(order_id, included)
            answer = (
                JSONResponse({"order": order})
                if order is not None
                else _amazon_error(404, "NotFound", "Order not found", order_id)
            )
        return log(request, "getOrder", answer)

    @app.post(CONFIRM_PATH)
    async def confirm(request: Request, order_id: str) -> Response:
        stopped = await edge(request, "confirmShipment")
        if stopped is not None:
            return log(request, "confirmShipment", stopped)
        try:
            confirm_shipment(sandbox.store, sandbox.confirmations, order_id, await _json(request))
            answer = Response(status_code=204)
        except Refused as no:
            answer = _amazon_error(no.status, no.code, no.message, no.details)
        return log(request, "confirmShipment", answer)

    app.include_router(
        stock_router(sandbox.feeds, sandbox.listings, settings.selling_partner_id, edge, log)
    )
    finances.install(app, sandbox, edge, log)
    event_groups.install(app, sandbox, edge, log)
    app.include_router(control_router)
    app.include_router(stock_control_router)
    app.include_router(shipments_router)
    app.include_router(notifications_router)
    app.include_router(fault_routes(lambda _: sandbox.faults))
    return app


async def _json(request: Request) -> object:
    try:
        return await request.json()
    except ValueError:
        return None


def _csv(request: Request, name: str) -> list[str]:
    return [v for raw in request.query_params.getlist(name) for v in raw.split(",") if v]


def _included(request: Request) -> list[str] | None:
    included = _csv(request, "includedData")
    return included if all(name in BLOCKS for name in included) else None


def _search(sandbox: AmazonSandbox, request: Request) -> Response:
    q = request.query_params
    included = _included(request)
    try:
        size = int(q.get("maxResultsPerPage", "100"))
    except ValueError:
        size = 0
    if included is None or not 1 <= size <= 100:
        return _amazon_error(400, "InvalidInput", "Invalid Input", "includedData or page size")
    token = q.get("paginationToken")
    if token:
        state = decode_token(token)
        if state is None:
            return _amazon_error(400, "InvalidInput", "Invalid Input", "paginationToken")
        after, before = parse_time(state["after"]), parse_time(state["before"])
        by_creation = bool(state.get("created"))
        key: tuple[str, str] | None = (state["key"][0], state["key"][1])
    else:
        if ("createdAfter" in q) == ("lastUpdatedAfter" in q):
            return _amazon_error(
                400,
                "InvalidInput",
                "Invalid Input",
                "exactly one of createdAfter and lastUpdatedAfter is required",
            )
        # createdAfter lists the orders created since (with createdBefore), whatever
        # happened to them since: a status change is not a creation.
        by_creation = "createdAfter" in q
        since = "createdAfter" if by_creation else "lastUpdatedAfter"
        until = since.replace("After", "Before")
        try:
            after = parse_time(q[since])
            asked = parse_time(q[until]) if until in q else None
        except ValueError:
            return _amazon_error(400, "InvalidInput", "Invalid Input", since)
        # The first page fixes the instant every page stops at (the answer says it).
        before = min(asked, sandbox.clock.now()) if asked else sandbox.clock.now()
        key = None
    orders, last = sandbox.store.search(
        updated_after=after,
        updated_before=before,
        by_creation=by_creation,
        marketplaces=_csv(request, "marketplaceIds"),
        included=included,
        page_size=size,
        after_key=key,
    )
    body: dict[str, object] = {"orders": orders}
    body["createdBefore" if by_creation else "lastUpdatedBefore"] = iso(before)
    if last is not None:
        state = {"after": iso(after), "before": iso(before), "key": last, "created": by_creation}
        body["pagination"] = {"nextToken": encode_token(state)}
    return JSONResponse(body)
