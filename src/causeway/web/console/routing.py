"""How a console route declares who may call it, and the CSRF check on every action.

- `page(Permission.READ)`: a page or an htmx partial (GET). Behind the access guard
  (web/access.py) like every route; a browser without a session is sent to the login
  page instead of getting a JSON 401.
- `action(Permission.OPERATE)`: anything that changes state (POST). The same, plus the
  CSRF check: a request made with the session cookie must carry the session's CSRF
  token, as the form field `csrf_token` (`{{ csrf_field() }}` in a form) or the header
  `X-CSRF-Token` (base.html makes htmx send it). A cookie is sent by the browser on
  every request to the hub, including one another site makes it send; the token is
  what only the console's own pages know. A request made with an API key carries no
  ambient credential, so it needs no token.

`check_console_actions(app)` refuses to build an app with a console POST route that
skips the check, as web/access.py refuses a route that declares no access.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from causeway.access.permissions import Permission, Principal, PrincipalKind
from causeway.web.access import protected

CONSOLE = "/console"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The refusal of a form without the session's token (the console's and the portal's).
STALE_FORM = "The form is stale or was not sent by this site's own page: reload the page and retry."


def principal_of(request: Request) -> Principal | None:
    principal = getattr(request.state, "principal", None)
    return principal if isinstance(principal, Principal) else None


def actor(request: Request) -> str:
    """Who is acting, as the audit log names them: a person's e-mail, `key:<name>`."""
    principal = principal_of(request)
    if principal is None:  # the guard lets nobody through to an action without one
        raise HTTPException(401, "nobody is signed in")
    if principal.kind is PrincipalKind.API_KEY:
        return f"key:{principal.name}"
    return principal.name


async def check_csrf(request: Request) -> None:
    """The CSRF check (see the module's docstring)."""
    principal = principal_of(request)
    if principal is not None and principal.kind is PrincipalKind.API_KEY:
        return
    expected = getattr(request.state, "csrf_token", None)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and "form" in request.headers.get("content-type", ""):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise HTTPException(403, STALE_FORM)


def page(permission: Permission, *codes: int) -> dict[str, Any]:
    """Route keyword arguments of a console page or partial."""
    return {
        **protected(permission, *codes),
        "include_in_schema": False,
        "response_class": HTMLResponse,
    }


def action(permission: Permission, *codes: int) -> dict[str, Any]:
    """Route keyword arguments of a console action: page() plus the CSRF check."""
    kwargs = page(permission, 403, *codes)
    kwargs["dependencies"] = [*kwargs["dependencies"], Depends(check_csrf)]
    return kwargs


def checks_csrf(route: APIRoute) -> bool:
    return any(d.dependency is check_csrf for d in route.dependencies)


def check_console_actions(app: FastAPI, prefix: str = CONSOLE) -> None:
    """Refuse to build an app with a route under `prefix` (the console's, the portal's)
    that changes state without the CSRF check (one declared with page(), or neither)."""
    unchecked = [
        f"{','.join(sorted(route.methods or ()))} {route.path}"
        for route in app.routes
        if isinstance(route, APIRoute)
        and route.path.startswith(prefix)
        and not (route.methods or set()) <= SAFE_METHODS
        and not checks_csrf(route)
        and not getattr(route.endpoint, "csrf_exempt", False)
    ]
    if unchecked:
        raise RuntimeError(
            f"{', '.join(unchecked)}: a route that changes state must be declared with "
            "**action(...) (causeway/web/console/routing.py, web/portal/routing.py), which "
            "checks the CSRF token"
        )


def csrf_exempt(endpoint: Any) -> Any:
    """Mark the one console POST that cannot carry a session's token: signing in, which
    has no session yet (it sets its own defences: web/console/pages/login.py)."""
    endpoint.csrf_exempt = True
    return endpoint
