"""Signing in to the console and out of it (docs/security.md, "People, roles and
sessions").

Signing in is the one console POST without a session, so it has defences of its own:
- login CSRF: the form carries a token that must match the `causeway_login` cookie set
  with it (another site cannot read it), so nobody can sign a browser in as someone
  else;
- failed logins are limited per e-mail and per client address in the store
  (engine/login_throttle.py): past the limit, 429 with Retry-After, and the password
  is not even checked;
- every bad login gets the same sentence and takes about the same time, whether or
  not the e-mail has a login (engine/users.py);
- a new session token at every login (a token planted earlier never logs in), and the
  session the browser had before is ended;
- `next`, where to go afterwards, is a console path or nothing: never another site.
"""

from __future__ import annotations

import logging
import math
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from causeway.access.permissions import Permission
from causeway.access.sessions import (
    COOKIE,
    clear_cookie,
    secure_cookies,
    session_policy,
    set_cookie,
)
from causeway.engine import console_sessions, login_throttle, users
from causeway.hub import Hub
from causeway.web.access import public
from causeway.web.console.rendering import render
from causeway.web.console.routing import CONSOLE, action, csrf_exempt
from causeway.web.login_forms import LoginToken

log = logging.getLogger("causeway.console")

LOGIN = "/console/login"
LOGIN_COOKIE = "causeway_login"
BAD_LOGIN = "The e-mail or the password is not right, or this login is disabled."
STALE = "The sign-in form had expired. Please sign in again."


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path of the console, else the overview."""
    return next_in(value, CONSOLE, LOGIN)


def next_in(value: str | None, area: str, login: str) -> str:
    """`value` when it is a path of this area (the console's, the portal's), else the
    area's home. Never another site (`//evil.example`, `https://...`, `/\\evil`), nor
    anything odd, nor the login page itself."""
    if not value or len(value) > 2000:
        return area
    if any(ch in value for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in value):
        return area
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or value.startswith("//"):
        return area
    if parts.path != area and not parts.path.startswith(area + "/"):
        return area
    if parts.path.startswith(login):
        return area
    return value


def add_routes(app: FastAPI, hub: Hub) -> None:
    server = hub.config.server
    policy = session_policy(hub.config.console)

    def secure(request: Request) -> bool:
        return secure_cookies(server.public_url, server.admin_listen, request.url.scheme)

    forms = LoginToken(LOGIN_COOKIE, LOGIN, render, secure)

    def login_form(
        request: Request,
        *,
        next_path: str,
        email: str = "",
        error: str | None = None,
        status_code: int = 200,
        retry_after: float | None = None,
    ) -> HTMLResponse:
        context = {"next": next_path, "email": email, "error": error}
        return forms.render(request, "login.html", context, status_code, retry_after)

    @app.get(LOGIN, include_in_schema=False, response_class=HTMLResponse, **public())
    def login_page(request: Request, next: str | None = None) -> HTMLResponse:
        return login_form(request, next_path=safe_next(next))

    @app.post(LOGIN, include_in_schema=False, response_class=HTMLResponse, **public())
    @csrf_exempt
    async def sign_in(
        request: Request,
        email: Annotated[str, Form(max_length=320)] = "",
        password: Annotated[str, Form(max_length=4096)] = "",
        next: Annotated[str, Form(max_length=2000)] = "",
        login_token: Annotated[str, Form(max_length=100)] = "",
    ) -> Response:
        next_path = safe_next(next)
        if not forms.fresh(request, login_token):
            return login_form(request, next_path=next_path, email=email, error=STALE,
                              status_code=403)  # fmt: skip
        address = request.client.host if request.client else None
        wait = await run_in_threadpool(login_throttle.retry_after, hub.store, email, address)
        if wait is not None:
            # The address only: an e-mail in the log would be personal data to erase later.
            log.warning("console sign-in refused: too many failures (client %s)", address)
            minutes = max(1, math.ceil(wait / 60))
            message = (
                f"Too many failed sign-ins. Try again in {minutes} minute"
                f"{'s' if minutes > 1 else ''}, or ask an admin to set a new password."
            )
            return login_form(request, next_path=next_path, email=email, error=message,
                              status_code=429, retry_after=wait)  # fmt: skip
        # argon2 takes tens of milliseconds of CPU: off the event loop.
        user = await run_in_threadpool(users.authenticate, hub.store, email, password)
        if user is None:
            await run_in_threadpool(login_throttle.record_failure, hub.store, email, address)
            log.info("console sign-in failed (client %s)", address)
            return login_form(request, next_path=next_path, email=email, error=BAD_LOGIN,
                              status_code=401)  # fmt: skip
        await run_in_threadpool(login_throttle.clear, hub.store, email)
        if previous := request.cookies.get(COOKIE):
            await run_in_threadpool(console_sessions.end, hub.store, previous)
        token = await run_in_threadpool(console_sessions.start, hub.store, user.id, policy)
        response = RedirectResponse(next_path, status_code=303)
        set_cookie(response, token, secure=secure(request))
        forms.forget(request, response)
        return response

    @app.post("/console/logout", **action(Permission.READ))
    def sign_out(request: Request) -> Response:
        if token := request.cookies.get(COOKIE):
            console_sessions.end(hub.store, token)
        response = RedirectResponse(LOGIN, status_code=303)
        clear_cookie(response, secure=secure(request))
        return response
