"""JSON-RPC client for Tryton 8.2, and the classification of what can go wrong with it.

Protocol (trytond 8.2, ``trytond/protocols/jsonrpc.py`` and ``dispatcher.py``):

- POST ``<url>/<database>/rpc/`` with ``{"id": n, "method": ..., "params": [...]}``.
- ``common.db.login [login, {"password": pwd}, lang]`` -> ``[user_id, token, bus_url]``; then
  ``Authorization: Session base64("login:user_id:token")`` (Basic auth would re-check the
  password, ~190 ms, on every call).
- Every ``model.*`` call takes the context dict as its LAST parameter (422 without it);
  the client fetches it once from ``model.res.user.get_preferences``.
- Non-JSON values travel tagged: ``{"__class__": "Decimal", "decimal": "10.00"}``, date,
  datetime, time, timedelta, bytes.
- Business errors come back as HTTP 200 with ``"error": [name, args]``.

Why the error classes matter: the engine decides retry vs. park from the exception class.
A UserError (validation, access, missing data) will fail the same way again, so it is a
``PermanentError`` carrying Tryton's own message. The ERP being down, restarting, slow or
locked is a ``RetryableError`` raised *quickly* (the engine does the long backoff, not us).

Only requests that certainly did not reach Tryton (connection refused, connect timeout) are
retried inside a call, plus any failure of a read-only method. A write that timed out may
still commit on the server, so it is never re-sent blindly: the caller's next attempt
searches by natural key first (``sale.reference``).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_fixed

from causeway.errors import PermanentError, RetryableError

log = logging.getLogger(__name__)

Domain = Sequence[Any]
Context = dict[str, Any]

# Methods that never write: any failure may be retried (also after a read timeout).
_READ_ONLY_SUFFIXES = (".search_read", ".read", ".search", ".search_count", ".get_preferences")
# Words in an unexpected server exception that mean "try again later".
_TRANSIENT_MARKERS = ("database is locked", "could not serialize", "deadlock", "timeout",
                      "OperationalError", "connection")


class TrytonUserError(PermanentError):
    """Tryton refused the request for a business reason (UserError, UserWarning, ...).

    kind is Tryton's exception name; the message is Tryton's text, which is what an
    operator needs to read (e.g. "The value for field "Unit Price" ... is not valid").
    """

    def __init__(self, kind: str, message: str, description: str = "") -> None:
        self.kind = kind
        self.tryton_message = message
        self.description = description
        text = f"Tryton {kind}: {message}"
        if description:
            text += f" ({description})"
        super().__init__(text)


class TrytonUnavailableError(RetryableError):
    """Tryton could not be reached or answered with a transient server failure."""


# --- tagged types -------------------------------------------------------------------------


def _to_utc_naive(value: dt.datetime) -> dt.datetime:
    # Tryton stores and compares naive UTC datetimes.
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def encode_value(value: Any) -> Any:
    """json.dumps `default=` hook: the tagged form Tryton's JSONDecoder expects."""
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, dt.datetime):
        value = _to_utc_naive(value)
        return {"__class__": "datetime", "year": value.year, "month": value.month,
                "day": value.day, "hour": value.hour, "minute": value.minute,
                "second": value.second, "microsecond": value.microsecond}
    if isinstance(value, dt.date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, dt.time):
        return {"__class__": "time", "hour": value.hour, "minute": value.minute,
                "second": value.second, "microsecond": value.microsecond}
    if isinstance(value, dt.timedelta):
        return {"__class__": "timedelta", "seconds": value.total_seconds()}
    if isinstance(value, bytes | bytearray):
        return {"__class__": "bytes", "base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, set | frozenset):
        return list(value)
    raise TypeError(f"cannot send {type(value).__name__} to Tryton: {value!r}")


def decode_object(obj: dict[str, Any]) -> Any:
    """json.loads `object_hook=`: turn Tryton's tagged dicts back into Python values."""
    kind = obj.get("__class__")
    if kind is None:
        return obj
    if kind == "Decimal":
        return Decimal(obj["decimal"])
    if kind == "datetime":
        return dt.datetime(obj["year"], obj["month"], obj["day"], obj["hour"], obj["minute"],
                           obj["second"], obj.get("microsecond", 0))
    if kind == "date":
        return dt.date(obj["year"], obj["month"], obj["day"])
    if kind == "time":
        return dt.time(obj["hour"], obj["minute"], obj["second"], obj.get("microsecond", 0))
    if kind == "timedelta":
        return dt.timedelta(seconds=obj["seconds"])
    if kind == "bytes":
        return base64.b64decode(obj["base64"])
    return obj


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, default=encode_value, separators=(",", ":")).encode()


def loads(data: bytes | str) -> Any:
    return json.loads(data, object_hook=decode_object)


# --- error classification -----------------------------------------------------------------


def classify_error(error: Any, method: str) -> PermanentError | RetryableError:
    """Map the ``error`` member of a Tryton JSON-RPC answer to a Causeway error.

    Shapes (trytond 8.2): ``["UserError", [message, description, domain]]`` (also for
    AccessError, ValidationError and the other UserError subclasses),
    ``["UserWarning", [name, message, description]]``, ``["ConcurrencyException", message]``,
    ``["LoginException", [name, message, type]]``, and for unexpected exceptions
    ``[str(exception), traceback]``.
    """
    if isinstance(error, list | tuple) and error:
        kind = str(error[0])
        args = error[1] if len(error) > 1 else None
        if kind == "UserError" and isinstance(args, list | tuple):
            message = str(args[0]) if args else ""
            description = str(args[1]) if len(args) > 1 and args[1] else ""
            return TrytonUserError(kind, message, description)
        if kind == "UserWarning" and isinstance(args, list | tuple):
            message = str(args[1]) if len(args) > 1 else str(args)
            description = str(args[2]) if len(args) > 2 and args[2] else ""
            return TrytonUserError(kind, message, description)
        if kind == "LoginException":
            return TrytonUserError(kind, f"login requires more than a password: {args}")
        if kind in ("ConcurrencyException", "RateLimitException", "TimeOutException"):
            return RetryableError(f"Tryton {kind} in {method}: {args}")
        text = kind
        trace = str(args or "")
    else:
        text, trace = str(error), ""
    last_line = trace.strip().splitlines()[-1] if trace.strip() else ""
    summary = f"unexpected Tryton server error in {method}: {text}"
    if last_line and last_line not in text:
        summary += f" [{last_line}]"
    if any(m.lower() in (text + trace).lower() for m in _TRANSIENT_MARKERS):
        return RetryableError(summary)
    # A server-side exception we cannot explain is most often a bad request (a bug on our
    # side or in the data), which would fail the same way again: park it with the trace.
    return PermanentError(summary)


def _status_error(response: httpx.Response, method: str) -> PermanentError | RetryableError:
    status = response.status_code
    excerpt = response.text[:300].strip()
    if status == 429:
        after = response.headers.get("Retry-After")
        return RetryableError(
            f"Tryton rate limit (HTTP 429) on {method}",
            retry_after=float(after) if after and after.isdigit() else None,
        )
    if status >= 500:
        return TrytonUnavailableError(f"Tryton answered HTTP {status} to {method}: {excerpt}")
    if status == 404:
        # trytond answers 404 when it cannot open the database: a wrong name, or the
        # database backend being down. The second is transient, so retry (bounded).
        return TrytonUnavailableError(
            f"Tryton answered HTTP 404 to {method}: database not found or not reachable "
            f"(check `database` in the connector config)"
        )
    return PermanentError(f"Tryton answered HTTP {status} to {method}: {excerpt}")


def _may_retry_transport(exc: BaseException, method: str) -> bool:
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return True  # the request never reached the server
    return isinstance(exc, httpx.TransportError) and method.endswith(_READ_ONLY_SUFFIXES)


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
    ) -> None:
        self.url = url.rstrip("/")
        self.database = database
        self.username = username
        self._password = password
        self.language = language
        self.endpoint = f"{self.url}/{database}/rpc/"
        self._tries = max(1, transport_tries)
        self._http = httpx.Client(
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
            result = self._post("common.db.login",
                                [self.username, {"password": self._password}, self.language])
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

    def model(self, model: str, method: str, *params: Any,
              context: Mapping[str, Any] | None = None) -> Any:
        return self.call(f"model.{model}.{method}", *params, context=context)

    def search_read(self, model: str, domain: Domain, fields: Sequence[str], *,
                    offset: int = 0, limit: int | None = None,
                    order: Sequence[tuple[str, str]] | None = None,
                    context: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return self.model(model, "search_read", list(domain), offset, limit,
                          [list(o) for o in order] if order else None, list(fields),
                          context=context)

    def read(self, model: str, ids: Sequence[int], fields: Sequence[str], *,
             context: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return self.model(model, "read", list(ids), list(fields), context=context)

    def create(self, model: str, values: Sequence[Mapping[str, Any]], *,
               context: Mapping[str, Any] | None = None) -> list[int]:
        return list(self.model(model, "create", [dict(v) for v in values], context=context))

    def write(self, model: str, ids: Sequence[int], values: Mapping[str, Any], *,
              context: Mapping[str, Any] | None = None) -> None:
        self.model(model, "write", list(ids), dict(values), context=context)

    def button(self, model: str, button: str, ids: Sequence[int], *,
               context: Mapping[str, Any] | None = None) -> Any:
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
            raise TrytonUnavailableError(
                f"Tryton unreachable at {self.url} ({type(exc).__name__}: {exc}) calling {method}"
            ) from exc
        if response.status_code == 401 and method != "common.db.login":
            raise _SessionExpired()
        if response.status_code == 401:
            raise PermanentError("wrong username or password (HTTP 401)")
        if response.status_code != 200:
            raise _status_error(response, method)
        try:
            body = loads(response.content)
        except ValueError as exc:
            raise TrytonUnavailableError(
                f"Tryton answered {method} with something that is not JSON: "
                f"{response.text[:200]!r}") from exc
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
