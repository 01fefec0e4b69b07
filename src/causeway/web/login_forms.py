"""Login CSRF for the forms people send without a session (the console's and the portal's
sign-in, the portal's "e-mail me a link" and its links' forms): each such form carries a
random token that must match a cookie set with it. Another site can make a browser post
a form, never read the cookie, so it cannot sign a browser in as somebody else.

The cookie is HttpOnly, SameSite=Strict, scoped to its area's path, Secure where the area
is served over https, and lives an hour.
"""

from __future__ import annotations

import hmac
import math
import secrets
from collections.abc import Callable, Mapping

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

Render = Callable[..., HTMLResponse]


class LoginToken:
    """One area's login-CSRF cookie: `cookie` on `path`, its pages drawn with `render`
    (the area's rendering.render), Secure when `secure(request)` says so."""

    def __init__(
        self, cookie: str, path: str, render: Render, secure: Callable[[Request], bool]
    ) -> None:
        self.cookie, self.path = cookie, path
        self._render, self.secure = render, secure

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, object],
        status_code: int = 200,
        retry_after: float | None = None,
    ) -> HTMLResponse:
        """The form's page with a new token (`login_token` in the template), its cookie set."""
        login_token = secrets.token_urlsafe(32)
        response = self._render(
            request, template, {**context, "login_token": login_token}, status_code=status_code
        )
        if retry_after is not None:
            response.headers["Retry-After"] = str(math.ceil(retry_after))
        response.set_cookie(
            self.cookie, login_token, path=self.path, httponly=True, samesite="strict",
            secure=self.secure(request), max_age=3600,
        )  # fmt: skip
        return response

    def fresh(self, request: Request, login_token: str) -> bool:
        """The form sent back the token its cookie holds."""
        expected = request.cookies.get(self.cookie, "")
        return bool(expected) and hmac.compare_digest(expected, login_token)

    def forget(self, request: Request, response: Response) -> None:
        """Signed in: the token has done its work."""
        response.delete_cookie(
            self.cookie, path=self.path, secure=self.secure(request), httponly=True
        )
