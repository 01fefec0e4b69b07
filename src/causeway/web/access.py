"""Who may call each route, and the guard that holds every request to it.

Every route declares its access where it is added, with the keyword arguments
`**protected(Permission.READ, 404)` or `**public(401, 413)`: the declaration itself,
and the refusals the OpenAPI spec lists for the operation (a protected one also gets
the bearer security requirement, 401 and 403).

The AccessGuard middleware sees every request before any route does and denies by
default: it lets a request through to a route declared public; for anything else it
asks the authenticators who is calling (401 if nobody it knows) and lets the request
through only if the route declares a permission that the caller holds (403 otherwise,
and always for a route that declares nothing). `create_app` also refuses to build an
app with an undeclared route, so a forgotten declaration shows up at once in tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, HTTPException, Request, Security
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from causeway.access.authenticators import Authenticator, NotAuthenticatedError
from causeway.access.permissions import Permission, Principal, PrincipalKind
from causeway.web.answers import ErrorAnswer, refusals

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="causeway"'}
# Where a browser without a session is sent: each area with pages -> its login page
# (web/console/pages/login.py, web/portal/pages/login.py).
CONSOLE, LOGIN = "/console", "/console/login"
PORTAL, PORTAL_LOGIN = "/portal", "/portal/login"
ACCESS_REFUSALS = {
    401: "no API key, or one that is unknown, revoked or mistyped: send "
    "`Authorization: Bearer <key>` with a key from `causeway keys create`",
    403: "the key's scope does not allow this (read < run < admin)",
}

# Declared once, so that the spec names the scheme and Swagger UI offers to send a key.
BEARER = HTTPBearer(
    scheme_name="bearerAuth",
    bearerFormat="cw_<id>_<secret>",
    description="An API key from `causeway keys create`, sent as `Authorization: Bearer <key>`.",
    auto_error=False,
)


class Requires:
    """The declaration of a protected route: the permission it needs. As a dependency
    it hands the route the caller the guard let through (and refuses if the guard did
    not run, so a route can never be open by mistake)."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(  # async: nothing here blocks, so no trip through the thread pool
        self,
        request: Request,
        _declares_the_scheme: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
    ) -> Principal:
        principal = getattr(request.state, "principal", None)
        if not isinstance(principal, Principal):
            raise HTTPException(401, "no API key", headers=CHALLENGE)
        if not principal.may(self.permission):
            raise HTTPException(403, f"{principal.describe()} may not {self.permission.value}")
        return principal


class Public:
    """The declaration of a deliberately public route."""

    async def __call__(self) -> None:  # async: webhook ingress never waits for a thread
        return None


PUBLIC = Public()


def protected(
    permission: Permission, *codes: int, responses: dict[int | str, Any] | None = None
) -> dict[str, Any]:
    """Route keyword arguments: `permission` needed; `codes` are the route's own refusals
    and `responses` any other answers it declares."""
    answers = {
        code: {"model": ErrorAnswer, "description": text} for code, text in ACCESS_REFUSALS.items()
    }
    return {
        "dependencies": [Depends(Requires(permission))],
        "responses": (responses or {}) | refusals(*codes) | answers,
    }


def public(*codes: int, responses: dict[int | str, Any] | None = None) -> dict[str, Any]:
    """Route keyword arguments: anyone may call it; `codes` are its refusals."""
    return {"dependencies": [Depends(PUBLIC)], "responses": (responses or {}) | refusals(*codes)}


def declared_access(route: BaseRoute) -> Permission | Public | None:
    """What a route declared: a permission, PUBLIC, or None (nothing: refused to all)."""
    if isinstance(route, APIRoute):
        for dependency in route.dependencies:
            if isinstance(dependency.dependency, Requires):
                return dependency.dependency.permission
            if isinstance(dependency.dependency, Public):
                return PUBLIC
    return None


def describe_route(route: BaseRoute) -> str:
    methods = sorted(getattr(route, "methods", None) or [])
    return f"{','.join(methods) or 'ANY'} {getattr(route, 'path', route)}".strip()


def check_every_route_declares_access(app: FastAPI) -> None:
    """Refuse to build an app with a route that declares no access."""
    undeclared = [describe_route(r) for r in app.routes if declared_access(r) is None]
    if undeclared:
        raise RuntimeError(
            f"{', '.join(undeclared)}: no access declared, so every request would be refused; "
            "add **public(...) or **protected(Permission..., ...) to the route "
            "(causeway/web/access.py)"
        )


class AccessGuard:
    """Default deny, in front of every route (see the module's docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        router: Router,
        authenticators: Sequence[Authenticator],
        login_pages: Mapping[str, str] | None = None,
    ) -> None:
        """login_pages: the areas of pages the app serves (path prefix -> its login page,
        e.g. "/console" -> "/console/login"): a browser asking for one of their pages
        without a session is sent to that login page rather than refused."""
        self.app = app
        self.router = router
        self.authenticators = list(authenticators)
        self.login_pages = dict(login_pages or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):  # lifespan
            await self.app(scope, receive, send)
            return
        route = self._route_for(scope)
        required = declared_access(route) if route is not None else None
        if not isinstance(required, Public):
            try:
                principal = await run_in_threadpool(self._authenticate, HTTPConnection(scope))
            except NotAuthenticatedError as exc:
                await self._refuse(scope, receive, send, 401, str(exc))
                return
            if (refusal := self._refusal(route, required, principal)) is not None:
                await self._refuse(scope, receive, send, *refusal)
                return
            scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)

    @staticmethod
    def _refusal(
        route: BaseRoute | None, required: Permission | None, principal: Principal | None
    ) -> tuple[int, str] | None:
        if principal is None:
            return 401, (
                "this needs an API key: send `Authorization: Bearer <key>` "
                "(`causeway keys create` makes one)"
            )
        if route is None:  # no such path: the router answers 404, to a caller it knows
            return None
        if required is None:
            return 403, f"{describe_route(route)} declares no permission, so it is refused to all"
        if not principal.may(required):
            if principal.kind is PrincipalKind.CUSTOMER:  # a portal page their role lacks
                return 403, (
                    f"Your role in this company ({principal.level}) does not open this page: "
                    "ask your company's admin."
                )
            return 403, (
                f"{principal.describe()} may not {required.value} here; "
                "use a key with a larger scope"
            )
        return None

    def _route_for(self, scope: Scope) -> BaseRoute | None:
        """The route the router will pick: the first full match, else the first route
        whose path matches (the router answers 405 for it)."""
        partial = None
        for route in self.router.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return route
            if match is Match.PARTIAL and partial is None:
                partial = route
        return partial

    def _authenticate(self, connection: HTTPConnection) -> Principal | None:
        for authenticator in self.authenticators:
            principal = authenticator.authenticate(connection)
            if principal is not None:
                return principal
        return None

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, status: int, reason: str
    ) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": reason[:120]})
            return
        headers = CHALLENGE if status == 401 else None
        response: Response = JSONResponse({"error": reason}, status_code=status, headers=headers)
        if status == 401 and (login := self._login_page_for(scope)) is not None:
            response = _to_login(scope, login)
        await response(scope, receive, send)

    def _login_page_for(self, scope: Scope) -> str | None:
        """The login page of the area a browser's page request is in, if any."""
        if scope.get("method") not in ("GET", "HEAD"):
            return None
        path: str = scope.get("path", "")
        for prefix, login in self.login_pages.items():
            if path == prefix or path.startswith(prefix + "/"):
                return login
        return None


def _to_login(scope: Scope, login: str) -> Response:
    """A browser asking for a page without a session goes to its area's login page,
    and comes back to the page afterwards (`next`: this path only, never another site)."""
    query = urlencode({"next": scope["path"]})
    target = f"{login}?{query}"
    headers = dict(HTTPConnection(scope).headers)
    if headers.get("hx-request") == "true":  # an htmx partial: the whole page moves
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
