"""Signing in to the portal and out of it, asking for a sign-in link or a password reset,
and switching company (docs/portal/accounts.md).

The defences are the console's (web/console/pages/login.py):
- login CSRF: every form a person sends without a session (signing in, asking for a
  link, choosing a password with one) carries a token that must match the
  `causeway_portal_login` cookie set with it, so another site cannot sign a browser in
  as somebody else;
- failed sign-ins are limited per e-mail and per client address (engine/login_throttle.py,
  scope "portal": its own counts, never the console's), then 429 with Retry-After;
- every bad sign-in gets one sentence and about the same time (engine/portal_people.py);
- asking for a link answers the same whether or not the address has a login;
- a new session token at every sign-in, the browser's previous session ended;
- `next` is a portal path or nothing, never another site.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import BackgroundTasks, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from causeway.access.permissions import Permission
from causeway.access.portal_sessions import COOKIE, clear_cookie, portal_policy, set_cookie
from causeway.access.sessions import secure_cookies
from causeway.engine import login_throttle, portal_accounts, portal_people, portal_sessions
from causeway.engine.users import UserError, normalise_email
from causeway.hub import Hub
from causeway.portal import accounts
from causeway.web.access import public
from causeway.web.console.pages.login import next_in
from causeway.web.console.routing import csrf_exempt
from causeway.web.login_forms import LoginToken
from causeway.web.portal.rendering import render
from causeway.web.portal.routing import PORTAL, action, customer, not_found

log = logging.getLogger("causeway.portal")

LOGIN = "/portal/login"
LOGIN_COOKIE = "causeway_portal_login"
BAD_LOGIN = "The e-mail or the password is not right, or this login is disabled."
STALE = "The form had expired. Please try again."
THROTTLE = login_throttle.Limits(scope="portal")
LINK_SENT = (
    "If {email} has a login to this portal, an e-mail with a link is on its way. "
    "The link works once, for {hours}."
)


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a portal page, else the catalogue."""
    return next_in(value, PORTAL, LOGIN)


def hours(seconds: float) -> str:
    count = max(1, round(seconds / 3600))
    return f"{count} hour{'s' if count > 1 else ''}"


class LoginForms(LoginToken):
    """The portal's login-CSRF token (web/login_forms.py) and signing a person in."""

    def __init__(self, hub: Hub) -> None:
        super().__init__(LOGIN_COOKIE, PORTAL, render, self._secure)
        self.hub = hub

    def _secure(self, request: Request) -> bool:
        public_url = self.hub.config.portal.public_url or self.hub.config.server.public_url
        return secure_cookies(public_url, None, request.url.scheme)

    def signed_in(
        self, request: Request, user_id: int, company_id: int, next_path: str = PORTAL
    ) -> Response:
        """A new session for this person acting for this company, the old one ended."""
        if previous := request.cookies.get(COOKIE):
            portal_sessions.end(self.hub.store, previous)
        policy = portal_policy(self.hub.config.portal)
        token = portal_sessions.start(self.hub.store, user_id, company_id, policy)
        response = RedirectResponse(next_path, status_code=303)
        set_cookie(response, token, secure=self.secure(request))
        self.forget(request, response)
        return response

    def first_company(self, user_id: int) -> int | None:
        memberships = portal_accounts.memberships_of(self.hub.store, user_id)
        return memberships[0].company_id if memberships else None


def add_routes(app: FastAPI, hub: Hub) -> None:
    forms = LoginForms(hub)
    lifetime = hub.config.portal.link_lifetime

    def login_form(
        request: Request,
        next_path: str,
        email: str = "",
        *,
        error: str | None = None,
        status_code: int = 200,
        retry_after: float | None = None,
    ) -> Response:
        context = {"next": next_path, "email": email, "error": error}
        return forms.render(request, "login.html", context, status_code, retry_after)

    @app.get(LOGIN, include_in_schema=False, response_class=HTMLResponse, **public())
    def login_page(request: Request, next: str | None = None) -> Response:
        return login_form(request, safe_next(next))

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
            return login_form(request, next_path, email, error=STALE, status_code=403)
        address = request.client.host if request.client else None
        wait = await run_in_threadpool(
            login_throttle.retry_after, hub.store, email, address, THROTTLE
        )
        if wait is not None:
            log.warning("portal sign-in refused: too many failures (client %s)", address)
            minutes = max(1, math.ceil(wait / 60))
            message = (
                f"Too many failed sign-ins. Try again in {minutes} minute"
                f"{'s' if minutes > 1 else ''}, or ask for a sign-in link by e-mail."
            )
            return login_form(
                request, next_path, email, error=message, status_code=429, retry_after=wait
            )
        # argon2 takes tens of milliseconds of CPU: off the event loop.
        person = await run_in_threadpool(portal_people.authenticate, hub.store, email, password)
        company_id = (
            await run_in_threadpool(forms.first_company, person.id) if person is not None else None
        )
        if person is None or company_id is None:
            await run_in_threadpool(
                login_throttle.record_failure, hub.store, email, address, THROTTLE
            )
            log.info("portal sign-in failed (client %s)", address)
            return login_form(request, next_path, email, error=BAD_LOGIN, status_code=401)
        await run_in_threadpool(login_throttle.clear, hub.store, email, THROTTLE)
        return await run_in_threadpool(forms.signed_in, request, person.id, company_id, next_path)

    def ask_form(
        request: Request,
        purpose: str,
        *,
        email: str = "",
        error: str | None = None,
        sent: str | None = None,
        status_code: int = 200,
    ) -> Response:
        context = {"purpose": purpose, "email": email, "error": error, "sent": sent}
        return forms.render(request, "ask_link.html", context, status_code)

    def send_asked_link(email: str, purpose: str, address: str | None) -> None:
        try:
            accounts.ask_for_link(hub.store, hub.config, email, purpose, address)
        except Exception:  # the answer is sent already: the log is where this can go
            log.exception("portal: could not send a %s link (client %s)", purpose, address)

    def asked(purpose: str) -> Callable[..., Awaitable[Response]]:
        async def ask(
            request: Request,
            background: BackgroundTasks,
            email: Annotated[str, Form(max_length=320)] = "",
            login_token: Annotated[str, Form(max_length=100)] = "",
        ) -> Response:
            if not forms.fresh(request, login_token):
                return ask_form(request, purpose, email=email, error=STALE, status_code=403)
            try:
                normalise_email(email)
            except UserError as exc:
                return ask_form(request, purpose, email=email, error=str(exc), status_code=422)
            address = request.client.host if request.client else None
            # After the answer is sent: whether an e-mail goes out (and the time making it
            # takes) never shows in the answer, so it tells nobody who has a login.
            background.add_task(send_asked_link, email, purpose, address)
            sent = LINK_SENT.format(email=email.strip(), hours=hours(lifetime))
            return ask_form(request, purpose, sent=sent)

        return csrf_exempt(ask)

    def shown(purpose: str) -> Callable[[Request], Response]:
        def show(request: Request) -> Response:  # no parameter but the request: no query
            return ask_form(request, purpose)

        return show

    for path, purpose in (("/portal/login/link", "magic"), ("/portal/login/forgot", "reset")):
        app.add_api_route(path, shown(purpose), methods=["GET"], include_in_schema=False,
                          response_class=HTMLResponse, **public())  # fmt: skip
        app.add_api_route(path, asked(purpose), methods=["POST"], include_in_schema=False,
                          response_class=HTMLResponse, **public())  # fmt: skip

    @app.post("/portal/logout", **action(Permission.SHOP))
    def sign_out(request: Request) -> Response:
        if token := request.cookies.get(COOKIE):
            portal_sessions.end(hub.store, token)
        response = RedirectResponse(LOGIN, status_code=303)
        clear_cookie(response, secure=forms.secure(request))
        return response

    @app.post("/portal/switch", **action(Permission.SHOP, 404))
    def switch(request: Request, company_id: Annotated[str, Form(max_length=20)] = "") -> Response:
        person = customer(request)
        token = request.cookies.get(COOKIE, "")
        mine = {m.company_id for m in portal_accounts.memberships_of(hub.store, person.user_id)}
        if not company_id.isdigit() or int(company_id) not in mine:
            not_found()  # another company's id, or none: as if it did not exist
        if not portal_sessions.switch_company(hub.store, token, int(company_id)):
            not_found()
        return RedirectResponse(PORTAL, status_code=303)
