"""JSON-RPC client for Tryton 8.2: one logged-in session over one keep-alive connection.

Protocol (trytond 8.2, ``trytond/protocols/jsonrpc.py`` and ``dispatcher.py``):

- POST ``<url>/<database>/rpc/`` with ``{"id": n, "method": ..., "params": [...]}``.
- ``common.db.login [login, {"password": pwd}, lang]`` -> ``[user_id, token, bus_url]``; then
  ``Authorization: Session base64("login:user_id:token")`` (Basic auth would re-check the
  password, ~190 ms, on every call).
- Every ``model.*`` call takes the context dict as its LAST parameter (422 without it);
  the client fetches it once from ``model.res.user.get_preferences``.
- Values and errors: see ``protocol.py`` (tagged types, error classification).

Failing fast matters: the ERP being down, restarting or slow is a ``RetryableError`` raised
within seconds; the engine does the long backoff, not this client.

Only requests that certainly did not reach Tryton (connection refused, connect timeout) are
retried inside a call, plus any failure of a read-only method. A write that timed out may
still commit on the server, so it is never re-sent blindly: the caller's next attempt
searches by natural key first (``sale.reference``).
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_fixed

from causeway.connectors.tls import http_client
from causeway.connectors.tryton.protocol import (
    TrytonUnavailableError,
    TrytonUserError,
    classify_error,
    dumps,
    loads,
    status_error,
)
from causeway.errors import PermanentError, RetryableError

__all__ = [
    "TrytonRPC",
    "TrytonUnavailableError",
    "TrytonUserError",
    "classify_error",
    "dumps",
    "loads",
]

log = logging.getLogger(__name__)

Domain = Sequence[Any]
Context = dict[str, Any]

# Methods that never write: any failure may be retried (also after a read timeout).
_READ_ONLY_SUFFIXES = (".search_read", ".read", ".search", ".search_count", ".get_preferences")


def _may_retry_transport(exc: BaseException, method: str) -> bool:
    """Retry inside the call only what is safe and quick.

    A connection refused or not made never reached Tryton: safe for any method. A read
    may also be repeated after a broken connection (a keep-alive the server dropped). A
    timeout is never repeated here: a hung ERP must surface quickly, not after 2x timeout.
    """
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return True
    broken = isinstance(exc, httpx.TransportError) and not isinstance(exc, httpx.TimeoutException)
    return broken and method.endswith(_READ_ONLY_SUFFIXES)


# --- the client ---------------------------------------------------------------------------


class TrytonRPC:
    """A logged-in JSON-RPC session on one Tryton database, over one keep-alive connection."""

    def __init__(
        self,
        url: str,
        database: str,
        username: str,
        password: str,
        *,
        timeout: float = 60.0,
        connect_timeout: float = 3.0,
        transport_tries: int = 2,
        language: str = "en",
        system: str | None = None,
    ) -> None:
        """system: its name in causeway.yaml, so that errors name the key to fix."""
        self.system = system
        self.url = url.rstrip("/")
        self.database = database
        self.username = username
        self._password = password
        self.language = language
        self.endpoint = f"{self.url}/{database}/rpc/"
        self._tries = max(1, transport_tries)
        self._http = http_client(
            timeout=httpx.Timeout(timeout, connect=min(connect_timeout, timeout)),
            headers={"Content-Type": "application/json", "Accept-Encoding": "gzip"},
        )
        self._auth: str | None = None
        self._id = 0
        self.user_id: int | None = None
        self.context: Context = {}
        self.calls = 0  # RPC round trips made, for benchmarks and tests of batching

    # -- session -------------------------------------------------------------------------

    def login(self) -> int:
        """Open a session and load the user's context (company, language, ...)."""
        self._auth = None
        try:
            result = self._post(
                "common.db.login", [self.username, {"password": self._password}, self.language]
            )
        except PermanentError as exc:
            raise PermanentError(
                f"cannot log in to Tryton at {self.endpoint} as {self.username!r}: {exc}"
            ) from exc
        user_id, token = int(result[0]), str(result[1])
        raw = f"{self.username}:{user_id}:{token}".encode()
        self._auth = "Session " + base64.b64encode(raw).decode("ascii")
        self.user_id = user_id
        self.context = self._post("model.res.user.get_preferences", [True, {}])
        return user_id

    def close(self) -> None:
        self._http.close()

    def watch(self, hook: Callable[[httpx.Response], None]) -> None:
        """Call `hook` with every HTTP answer (the hub notes when each system last answered)."""
        self._http.event_hooks["response"].append(hook)

    # -- calls ---------------------------------------------------------------------------

    def call(self, method: str, *params: Any, context: Mapping[str, Any] | None = None) -> Any:
        """Call an RPC method; model/wizard/report calls get the context appended last."""
        if self._auth is None:
            self.login()
        args = list(params)
        if method.startswith(("model.", "wizard.", "report.")):
            args.append(dict(self.context if context is None else context))
        try:
            return self._post(method, args)
        except _SessionExpired:
            log.info("tryton session expired, logging in again")
            self.login()
            return self._post(method, args)

    def model(
        self, model: str, method: str, *params: Any, context: Mapping[str, Any] | None = None
    ) -> Any:
        return self.call(f"model.{model}.{method}", *params, context=context)

    def search_read(
        self,
        model: str,
        domain: Domain,
        fields: Sequence[str],
        *,
        offset: int = 0,
        limit: int | None = None,
        order: Sequence[tuple[str, str]] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = self.model(
            model,
            "search_read",
            list(domain),
            offset,
            limit,
            [list(o) for o in order] if order else None,
            list(fields),
            context=context,
        )
        return records

    def read(
        self,
        model: str,
        ids: Sequence[int],
        fields: Sequence[str],
        *,
        context: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = self.model(
            model, "read", list(ids), list(fields), context=context
        )
        return records

    def create(
        self,
        model: str,
        values: Sequence[Mapping[str, Any]],
        *,
        context: Mapping[str, Any] | None = None,
    ) -> list[int]:
        return list(self.model(model, "create", [dict(v) for v in values], context=context))

    def write(
        self,
        model: str,
        ids: Sequence[int],
        values: Mapping[str, Any],
        *,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        self.model(model, "write", list(ids), dict(values), context=context)

    def button(
        self,
        model: str,
        button: str,
        ids: Sequence[int],
        *,
        context: Mapping[str, Any] | None = None,
    ) -> Any:
        """Run a workflow button (quote, confirm, ...) on many records in one call."""
        return self.model(model, button, list(ids), context=context)

    # -- transport -----------------------------------------------------------------------

    def _post(self, method: str, params: list[Any]) -> Any:
        retrying = Retrying(
            stop=stop_after_attempt(self._tries),
            wait=wait_fixed(0.2),
            retry=retry_if_exception(lambda exc: _may_retry_transport(exc, method)),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    response = self._send(method, params)
        except httpx.TimeoutException as exc:
            raise RetryableError(
                f"Tryton did not answer {method} in time ({type(exc).__name__}); "
                f"if it was a write it may still complete: the next attempt checks first"
            ) from exc
        except httpx.TransportError as exc:
            key = f"systems.{self.system}.url" if self.system else "its url"
            raise TrytonUnavailableError(
                f"Tryton unreachable at {self.url} ({type(exc).__name__}: {exc}) calling "
                f"{method}: check that Tryton runs there, or fix {key}"
            ) from exc
        if response.status_code == 401 and method != "common.db.login":
            raise _SessionExpired()
        if response.status_code == 401:
            raise PermanentError("wrong username or password (HTTP 401)")
        if response.status_code != 200:
            raise status_error(response, method)
        try:
            body = loads(response.content)
        except ValueError as exc:
            raise TrytonUnavailableError(
                f"Tryton answered {method} with something that is not JSON: {response.text[:200]!r}"
            ) from exc
        if body.get("error") is not None:
            raise classify_error(body["error"], method)
        return body.get("result")

    def _send(self, method: str, params: list[Any]) -> httpx.Response:
        self._id += 1
        self.calls += 1
        headers = {"Authorization": self._auth} if self._auth else None
        content = dumps({"id": self._id, "method": method, "params": params})
        return self._http.post(self.endpoint, content=content, headers=headers)


class _SessionExpired(Exception):
    """Internal: HTTP 401 on a model call, answered by one transparent re-login."""
