"""The portal's cookie sessions as an authenticator: the `causeway_portal` cookie on a
/portal request -> the business customer's person and the company they act for
(engine/portal_sessions.py keeps the sessions).

A cookie of its own, read on /portal only: a portal login never opens the console or the
API, and a console session never opens the portal. Same flags as the console's cookie
(HttpOnly, SameSite=Lax, Secure over https: access/sessions.py).
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

from causeway.access.authenticators import NotAuthenticatedError
from causeway.access.permissions import Principal, UnknownScopeError
from causeway.config.portal import PortalSettings
from causeway.engine import portal_sessions
from causeway.engine.console_sessions import SessionPolicy
from causeway.engine.store import Store

COOKIE = "causeway_portal"
PORTAL = "/portal"
ENDED = "your portal session has ended (signed out, or unused for too long): sign in again"


def portal_policy(settings: PortalSettings) -> SessionPolicy:
    return SessionPolicy(idle=settings.session_idle, lifetime=settings.session_max)


class PortalSessionCookie:
    """`Cookie: causeway_portal=<token>` on a /portal request: a signed-in customer. Leaves
    the session's CSRF token in `request.state.csrf_token` for the forms and their check."""

    def __init__(self, store: Store, policy: SessionPolicy) -> None:
        self.store = store
        self.policy = policy

    def authenticate(self, connection: HTTPConnection) -> Principal | None:
        path = connection.url.path
        if path != PORTAL and not path.startswith(PORTAL + "/"):
            return None
        token = connection.cookies.get(COOKIE)
        if not token:
            return None
        session = portal_sessions.find(self.store, token, self.policy)
        if session is None:
            raise NotAuthenticatedError(ENDED)
        try:
            principal = Principal.customer(
                session.email, session.role, user_id=session.user_id, company_id=session.company_id
            )
        except UnknownScopeError:
            raise NotAuthenticatedError(ENDED) from None
        connection.state.csrf_token = session.csrf_token
        return principal


def set_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(COOKIE, token, path="/", httponly=True, samesite="lax", secure=secure)


def clear_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=secure)


def secure_portal_cookies(
    settings: PortalSettings, server_public_url: str | None, scheme: str
) -> bool:
    """Whether the portal's cookies are Secure (sent over https only): when this request
    came over https, or when customers reach the portal at an https URL (portal.public_url,
    else server.public_url when the portal shares the hub's listener): behind a proxy
    that ends TLS the request itself arrives over plain http."""
    if scheme == "https":
        return True
    url = settings.public_url or (server_public_url if settings.listen is None else None)
    return bool(url and url.lower().startswith("https://"))
