"""Tryton 8.2's JSON-RPC wire format and what its errors mean to Causeway (pure, no I/O).

- Non-JSON values travel tagged: ``{"__class__": "Decimal", "decimal": "10.00"}``, date,
  datetime, time, timedelta, bytes (``trytond/protocols/jsonrpc.py``).
- Business errors come back as HTTP 200 with ``"error": [name, args]``.

Why the error classes matter: the engine decides retry vs. park from the exception class.
A UserError (validation, access, missing data) will fail the same way again, so it is a
``PermanentError`` carrying Tryton's own message. The ERP being down, restarting, locked or
overloaded is a ``RetryableError``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import httpx

from causeway.errors import PermanentError, RetryableError

# Words in an unexpected server exception that mean "try again later".
_TRANSIENT_MARKERS = (
    "database is locked",
    "could not serialize",
    "deadlock",
    "timeout",
    "OperationalError",
    "connection",
)


class TrytonUserError(PermanentError):
    """Tryton refused the request for a business reason (UserError, UserWarning, ...).

    kind is Tryton's exception name; the message is Tryton's text, which is what an
    operator needs to read (e.g. "The value for field "Unit Price" ... is not valid").
    A UserWarning has a name (`warning`): a user who accepts it stores that name as a
    res.user.warning, and the same call then goes through.
    """

    def __init__(
        self, kind: str, message: str, description: str = "", warning: str | None = None
    ) -> None:
        self.kind = kind
        self.warning = warning
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
        return {
            "__class__": "datetime",
            "year": value.year,
            "month": value.month,
            "day": value.day,
            "hour": value.hour,
            "minute": value.minute,
            "second": value.second,
            "microsecond": value.microsecond,
        }
    if isinstance(value, dt.date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, dt.time):
        return {
            "__class__": "time",
            "hour": value.hour,
            "minute": value.minute,
            "second": value.second,
            "microsecond": value.microsecond,
        }
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
        return dt.datetime(
            obj["year"],
            obj["month"],
            obj["day"],
            obj["hour"],
            obj["minute"],
            obj["second"],
            obj.get("microsecond", 0),
        )
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
            return TrytonUserError(kind, message, description, warning=str(args[0]))
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


def status_error(response: httpx.Response, method: str) -> PermanentError | RetryableError:
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
