"""The hub's HTTP surface, put together: webhook ingress, the `/api` routes, what
operators poll, and the API's own description. Each group of routes lives in its own
module; who may call each route is declared on it and enforced by web/access.py."""

from __future__ import annotations

from typing import Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from causeway.access.authenticators import Authenticator, BearerApiKey
from causeway.access.sessions import SessionCookie, session_policy
from causeway.hub import Hub
from causeway.observability.metrics import hub_registry, process_registry
from causeway.web.access import AccessGuard, check_every_route_declares_access
from causeway.web.api import add_api_routes
from causeway.web.api_docs import add_docs_routes
from causeway.web.console import add_console_routes
from causeway.web.console.rendering import error_page
from causeway.web.console.routing import CONSOLE
from causeway.web.operations import add_health_route, add_metrics_routes, add_ready_routes
from causeway.web.webhooks import add_webhook_routes

DESCRIPTION = (
    "Every operation but webhook ingress, `/health` and `/ready` needs an API key "
    "(`causeway keys create --name N --scope read|run|admin`), sent as "
    "`Authorization: Bearer <key>`: 401 without one, 403 when its scope is too small."
)


def create_app(hub: Hub, *, serves: Literal["all", "webhooks", "admin"] = "all") -> FastAPI:
    """The hub's app. With `server.admin_listen` the hub serves two: `webhooks` (webhook
    ingress, /health, /ready: what faces the internet) on server.host:port, and `admin`
    (the API, /metrics, /docs and the console) on admin_listen."""
    # No docs_url/openapi_url: FastAPI's own would be open to all (web/api_docs.py).
    app = FastAPI(
        title="Causeway",
        version="0.1.0",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    if serves != "admin":
        add_webhook_routes(app, hub)
    add_ready_routes(app, hub)
    if serves == "webhooks":
        add_health_route(app)
        return _guarded(app, hub)
    add_api_routes(app, hub)
    add_metrics_routes(app, hub_registry(hub))
    add_docs_routes(app)
    console = hub.config.console.enabled
    if console:
        add_console_routes(app, hub)
    return _guarded(app, hub, console=console)


def create_worker_app(hub: Hub) -> FastAPI:
    """What a `causeway worker` process serves on its --metrics-port: its own figures
    (retries, rate-budget waits) at `/metrics`, for `read` keys as on the hub, and
    `/health`."""
    app = FastAPI(title="Causeway worker", docs_url=None, redoc_url=None, openapi_url=None)
    add_metrics_routes(app, process_registry(hub))
    return _guarded(app, hub)


def _is_console(request: Request) -> bool:
    path = request.url.path
    return path == CONSOLE or path.startswith(CONSOLE + "/")


def _guarded(app: FastAPI, hub: Hub, *, console: bool = False) -> FastAPI:
    """Every route behind the access guard (web/access.py), refusals in one shape."""

    # Starlette's own (an unknown path, a wrong method) get the same {"error": ...} shape.
    @app.exception_handler(StarletteHTTPException)
    async def _plain_errors(request: Request, exc: StarletteHTTPException) -> Response:
        # Any error text an answer echoes loses the config's secrets first.
        detail = hub.redact(exc.detail) if isinstance(exc.detail, str) else exc.detail
        if console and _is_console(request):  # a person in a browser reads a page
            return error_page(request, exc.status_code, str(detail))
        return JSONResponse({"error": detail}, status_code=exc.status_code, headers=exc.headers)

    check_every_route_declares_access(app)
    authenticators: list[Authenticator] = [BearerApiKey(hub.store)]
    if console:  # people sign in to the console with a cookie session (access/sessions.py)
        authenticators.append(SessionCookie(hub.store, session_policy(hub.config.console)))
    app.add_middleware(
        AccessGuard, router=app.router, authenticators=authenticators, console=console
    )
    # Added last, so it runs first: a request for another host is refused before anything.
    app.add_middleware(
        TrustedHostMiddleware, allowed_hosts=hub.config.server.trusted_hosts(), www_redirect=False
    )
    return app
