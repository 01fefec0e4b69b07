"""The hub's HTTP surface, put together: webhook ingress (and storefront events beside
it, `/collect`), the `/api` routes, what operators poll, and the API's own description.
Each group of routes lives in its own module; who may call each route is declared on it
and enforced by web/access.py."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from causeway.access.authenticators import Authenticator, BearerApiKey
from causeway.access.portal_sessions import PortalSessionCookie, portal_policy
from causeway.access.sessions import SessionCookie, session_policy
from causeway.config.models import host_pattern
from causeway.hub import Hub
from causeway.observability.metrics import hub_registry, process_registry
from causeway.web.access import (
    CONSOLE,
    LOGIN,
    PORTAL,
    PORTAL_LOGIN,
    AccessGuard,
    check_every_route_declares_access,
    public,
)
from causeway.web.api import add_api_routes
from causeway.web.api_docs import add_docs_routes
from causeway.web.collect import add_collect_routes
from causeway.web.console import add_console_routes
from causeway.web.console.rendering import error_page
from causeway.web.mail_api import add_mail_routes
from causeway.web.operations import add_health_route, add_metrics_routes, add_ready_routes
from causeway.web.page_headers import CONSOLE_POLICY, PORTAL_POLICY, PageHeaders, page_headers
from causeway.web.portal import add_portal_routes
from causeway.web.portal.rendering import error_page as portal_error_page
from causeway.web.portal.routing import NOT_FOUND
from causeway.web.webhooks import add_webhook_routes

DESCRIPTION = (
    "Every operation but webhook ingress, storefront events (`/collect`, with the "
    "system's collect key), `/health` and `/ready` needs an API key "
    "(`causeway keys create --name N --scope read|run|admin`), sent as "
    "`Authorization: Bearer <key>`: 401 without one, 403 when its scope is too small."
)


Serves = Literal["all", "webhooks", "admin", "portal"]


def create_app(hub: Hub, *, serves: Serves = "all") -> FastAPI:
    """The hub's app. With `server.admin_listen` the hub serves two: `webhooks` (webhook
    ingress, /health, /ready: what faces the internet) on server.host:port, and `admin`
    (the API, /metrics, /docs and the console) on admin_listen. With `portal.listen` the
    B2B portal has a listener of its own (`portal`: the portal, /health, /ready) and the
    others do not serve it."""
    # No docs_url/openapi_url: FastAPI's own would be open to all (web/api_docs.py).
    app = FastAPI(
        title="Causeway",
        version="0.1.0",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    portal = hub.config.portal
    own_portal_listener = portal.listen is not None
    if serves == "portal":
        add_ready_routes(app, hub)
        add_health_route(app)
        add_portal_routes(app, hub)
        _root_is_the_portal(app)
        return _guarded(app, hub, areas=(PORTAL,))
    if serves != "admin":
        add_webhook_routes(app, hub)
        add_collect_routes(app, hub)
    add_ready_routes(app, hub)
    if serves == "webhooks":
        add_health_route(app)
        return _guarded(app, hub)
    add_api_routes(app, hub)
    add_mail_routes(app, hub)
    add_metrics_routes(app, hub_registry(hub))
    add_docs_routes(app)
    areas: list[str] = []
    if hub.config.console.enabled:
        add_console_routes(app, hub)
        areas.append(CONSOLE)
    if portal.enabled and not own_portal_listener:
        add_portal_routes(app, hub)
        areas.append(PORTAL)
    return _guarded(app, hub, areas=tuple(areas))


def create_worker_app(hub: Hub) -> FastAPI:
    """What a `causeway worker` process serves on its --metrics-port: its own figures
    (retries, rate-budget waits) at `/metrics`, for `read` keys as on the hub, and
    `/health`."""
    app = FastAPI(title="Causeway worker", docs_url=None, redoc_url=None, openapi_url=None)
    add_metrics_routes(app, process_registry(hub))
    return _guarded(app, hub)


def _root_is_the_portal(app: FastAPI) -> None:
    """On the portal's own listener (portal.example.com), the bare host name is the portal."""

    @app.get("/", include_in_schema=False, **public())
    def to_the_portal() -> RedirectResponse:
        return RedirectResponse(PORTAL, status_code=303)


def allowed_hosts(hub: Hub) -> list[str]:
    """The Host headers the hub answers: server.allowed_hosts when written; else its
    defaults (server.trusted_hosts()) and the host of portal.public_url, the name
    customers reach the portal at."""
    hosts = hub.config.server.trusted_hosts()
    portal_url = hub.config.portal.public_url
    if hub.config.server.allowed_hosts is None and hub.config.portal.enabled and portal_url:
        if name := urlsplit(portal_url).hostname:
            hosts.append(host_pattern(name))
    return list(dict.fromkeys(hosts))


def _area_of(request: Request, areas: tuple[str, ...]) -> str | None:
    path = request.url.path
    return next((a for a in areas if path == a or path.startswith(a + "/")), None)


def _guarded(app: FastAPI, hub: Hub, *, areas: tuple[str, ...] = ()) -> FastAPI:
    """areas: the page areas the app serves (CONSOLE, PORTAL): their refusals are pages,
    a browser without a session goes to their login page, their cookies are read.
    Every route behind the access guard (web/access.py), refusals in one shape."""

    # Starlette's own (an unknown path, a wrong method) get the same {"error": ...} shape.
    @app.exception_handler(StarletteHTTPException)
    async def _plain_errors(request: Request, exc: StarletteHTTPException) -> Response:
        # Any error text an answer echoes loses the config's secrets first.
        detail = hub.redact(exc.detail) if isinstance(exc.detail, str) else exc.detail
        area = _area_of(request, areas)  # a person in a browser reads a page
        if area == CONSOLE:
            return error_page(request, exc.status_code, str(detail))
        if area == PORTAL:
            return portal_error_page(request, exc.status_code, str(detail))
        return JSONResponse({"error": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _area_of(request, areas) != PORTAL:
            return await request_validation_exception_handler(request, exc)
        errors = exc.errors()
        if any(error.get("loc", ("",))[0] == "path" for error in errors):
            # /portal/orders/abc or an id out of range: no such record, the same answer
            # as another company's id (never a different one an attacker could tell).
            return portal_error_page(request, 404, NOT_FOUND)
        problems = "; ".join(
            f"{error.get('loc', ('', 'field'))[-1]}: {error.get('msg', 'not valid')}"
            for error in errors
        )  # never the value sent: the page must not echo what an attacker wrote
        return portal_error_page(request, 422, f"The form could not be read ({problems}).")

    check_every_route_declares_access(app)
    authenticators: list[Authenticator] = [BearerApiKey(hub.store)]
    if CONSOLE in areas:  # people sign in with a cookie session (access/sessions.py)
        authenticators.append(SessionCookie(hub.store, session_policy(hub.config.console)))
    if PORTAL in areas:  # customers with one of their own (access/portal_sessions.py)
        authenticators.append(PortalSessionCookie(hub.store, portal_policy(hub.config.portal)))
    logins = {CONSOLE: LOGIN, PORTAL: PORTAL_LOGIN}
    app.add_middleware(
        AccessGuard,
        router=app.router,
        authenticators=authenticators,
        login_pages={area: logins[area] for area in areas},
    )
    # Outside the guard, so that its refusals and redirects carry the headers too.
    policies = {CONSOLE: CONSOLE_POLICY, PORTAL: PORTAL_POLICY}
    app.add_middleware(PageHeaders, areas={a: page_headers(policies[a]) for a in areas})
    # Added last, so it runs first: a request for another host is refused before anything.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(hub), www_redirect=False)
    return app
