"""The console's cookie sessions as an authenticator: the `causeway_session` cookie ->
the person it was given to (engine/console_sessions.py keeps the sessions).

The cookie is HttpOnly (no script reads it), SameSite=Lax (another site's form or
script cannot make the browser send it with a POST), Path=/ and, when the console is
reached over https (see secure_cookies), Secure. It holds only a random token; who it
belongs to, their role and the session's CSRF token stay in the store.

A session opens the console and nothing else: `/api` takes API keys only, so the
API's POST routes, which carry no CSRF token, can never be driven by a cookie the
browser attaches on its own.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

from causeway.access.authenticators import NotAuthenticatedError
from causeway.access.permissions import Principal, UnknownScopeError
from causeway.config.console import ConsoleSettings
from causeway.engine import console_sessions
from causeway.engine.console_sessions import SessionPolicy
from causeway.engine.store import Store

COOKIE = "causeway_session"
CONSOLE = "/console"
ENDED = (
    "your console session has ended (signed out, unused for too long, or signed in too "
    "long ago): sign in again"
)


def session_policy(settings: ConsoleSettings) -> SessionPolicy:
    """causeway.yaml `console:` -> how long a session lasts."""
    return SessionPolicy(idle=settings.session_idle, lifetime=settings.session_max)


class SessionCookie:
    """`Cookie: causeway_session=<token>` on a /console request: a signed-in person.
    Leaves the session's CSRF token in `request.state.csrf_token`, where the console's
    CSRF check (web/console/routing.py) and its forms (rendering.py) read it."""

    def __init__(self, store: Store, policy: SessionPolicy) -> None:
        self.store = store
        self.policy = policy

    def authenticate(self, connection: HTTPConnection) -> Principal | None:
        path = connection.url.path
        if path != CONSOLE and not path.startswith(CONSOLE + "/"):
            return None  # the API takes keys only (see the module's docstring)
        token = connection.cookies.get(COOKIE)
        if not token:
            return None
        session = console_sessions.find(self.store, token, self.policy)
        if session is None:
            # A page request with it is sent to sign in (web/access.py), like one without.
            raise NotAuthenticatedError(ENDED)
        try:
            principal = Principal.person(session.email, session.role)
        except UnknownScopeError:  # a role this version does not know grants nothing
            raise NotAuthenticatedError(ENDED) from None
        connection.state.csrf_token = session.csrf_token
        return principal


def set_cookie(response: Response, token: str, *, secure: bool) -> None:
    """Give the browser its session. No Max-Age: the browser forgets it when it
    closes, and the store ends it when idle or too old whatever the browser does."""
    response.set_cookie(COOKIE, token, path="/", httponly=True, samesite="lax", secure=secure)


def clear_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=secure)


def secure_cookies(public_url: str | None, admin_listen: str | None, scheme: str) -> bool:
    """Whether the console's cookies are Secure (sent over https only): when this request
    came over https, or when the console is served at server.public_url and that is
    https. Not when it is served on server.admin_listen over plain http (a private
    address, an SSH tunnel): public_url describes the webhooks' listener, not that one,
    and a browser drops a Secure cookie that plain http sets, so nobody could sign in."""
    if scheme == "https":
        return True
    return admin_listen is None and bool(public_url and public_url.lower().startswith("https://"))
