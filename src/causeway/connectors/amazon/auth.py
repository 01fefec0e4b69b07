"""Login with Amazon: the app's refresh token exchanged for an access token, kept until
shortly before it expires, exchanged again when the Selling Partner API refuses it.

The Selling Partner API needs no AWS signature any more: each request carries the
access token in `x-amz-access-token`. The token lives an hour (`expires_in`); it is
renewed a minute early so that a request never leaves with a token about to lapse, and
at once when the API answers that it is expired or invalid (`invalidate`). One lock
keeps the workers of one process from exchanging the refresh token all at the same time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from causeway.connectors.http_retry import Transient
from causeway.errors import PermanentError

# Renew this long before Amazon's expiry: a request in flight never carries a lapsed token.
EARLY_RENEWAL = 60.0


@dataclass(frozen=True)
class LwaCredentials:
    token_url: str
    client_id: str
    client_secret: str
    refresh_token: str


class LwaTokens:
    """The current access token of one seller's authorisation of the app."""

    def __init__(
        self,
        credentials: LwaCredentials,
        http: httpx.Client,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._credentials = credentials
        self._http = http
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.exchanges = 0  # how many times the refresh token was exchanged (for tests)

    def access_token(self) -> str:
        """A token valid for at least EARLY_RENEWAL more seconds; Transient when the token
        endpoint is unavailable, PermanentError when it refuses the app's credentials."""
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at - EARLY_RENEWAL:
                self._exchange()
            assert self._token is not None
            return self._token

    def invalidate(self, token: str) -> None:
        """The API refused `token`: the next request exchanges the refresh token again (a
        token another thread renewed meanwhile is kept)."""
        with self._lock:
            if self._token == token:
                self._token = None

    def _exchange(self) -> None:
        c = self._credentials
        try:
            response = self._http.post(
                c.token_url,
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": c.refresh_token,
                    "client_id": c.client_id,
                    "client_secret": c.client_secret,
                },
                headers={"Accept": "application/json"},
            )
        except httpx.TransportError as error:
            raise Transient(f"{type(error).__name__} on the Login with Amazon token") from error
        if response.status_code == 429 or response.status_code >= 500:
            raise Transient(f"HTTP {response.status_code} from the Login with Amazon token URL")
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not isinstance(body, dict):
            code = body.get("error") if isinstance(body, dict) else None
            detail = body.get("error_description") if isinstance(body, dict) else None
            raise PermanentError(
                f"Login with Amazon refused the app's credentials (HTTP {response.status_code}"
                f"{', ' + str(code) if code else ''}{': ' + str(detail) if detail else ''}): "
                f"check client_id and client_secret, and that refresh_token is the one the "
                f"seller's authorisation of this app gave (it ends when the seller revokes the "
                f"app or after a year of a self-authorised app: authorise it again)"
            )
        token, expires_in = body.get("access_token"), body.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int | float):
            raise Transient("Login with Amazon answered without access_token and expires_in")
        self._token = token
        self._expires_at = self._clock() + float(expires_in)
        self.exchanges += 1
