"""Secrets out of every message: one function that cleans text before it leaves the hub.

An exception raised deep in a connector can carry what it was given: a URL with a
password in it, a request body a proxy echoed back, a token. Wherever text is stored
or shown (a job's last error, a flow's last error, a log record, an API answer,
`causeway status`), it first goes through a `Redactor` built from the loaded
configuration, which replaces

- the user information of any URL (`https://user:password@host` -> `https://user:***@host`),
- the values of the query parameters that carry an API key (WooCommerce's
  `consumer_key` and `consumer_secret`, for hosts that take the key in the query string),
- every secret value of the configuration (each `SecretStr`, and the store URL's
  password), as written and in the encodings an error message may show it in
  (percent-encoded, JSON-escaped, Python repr).

Values shorter than `MIN_SECRET_LENGTH` are not searched for: replacing every "p"
of a message would destroy it, and such a value protects nothing anyway.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote, quote_plus

from pydantic import BaseModel, SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

MASK = "***"
MIN_SECRET_LENGTH = 4

# scheme://userinfo@ : userinfo holds no '/', '?', '#' or white space (RFC 3986); an
# unencoded '@' in a password is taken in too (greedy up to the last '@').
_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/?#\s]+)@")


# name=value of the query parameters that carry an API key, up to the next parameter.
_QUERY_CREDENTIALS = re.compile(r"(?P<name>\b(?:consumer_key|consumer_secret)=)[^&#\s'\"]+")


def _mask_userinfo(match: re.Match[str]) -> str:
    user, colon, _password = match.group("userinfo").partition(":")
    # user:password keeps the user (as SQLAlchemy's hide_password does); a lone
    # user name may itself be a token (https://TOKEN@host), so it goes entirely.
    return f"{match.group('scheme')}{user + ':' + MASK if colon else MASK}@"


def strip_url_credentials(text: str) -> str:
    """`text` with the password (or lone user name) of every URL in it masked, and the
    values of its key-carrying query parameters."""
    cleaned = _URL_USERINFO.sub(_mask_userinfo, text)
    return _QUERY_CREDENTIALS.sub(lambda m: m.group("name") + MASK, cleaned)


def _spellings(secret: str) -> set[str]:
    """The ways an error message may spell a secret: as is, in a URL, in JSON, in a repr."""
    return {
        secret,
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
    }


class Redactor:
    """Callable: text in, the same text with URL credentials and known secrets masked."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        spellings = {
            spelling
            for secret in secrets
            if len(secret.strip()) >= MIN_SECRET_LENGTH
            for spelling in _spellings(secret)
        }
        # Longest first, so a secret containing another is masked whole.
        ordered = sorted(spellings, key=lambda s: (-len(s), s))
        self._secrets = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    @classmethod
    def from_config(cls, config: BaseModel) -> Redactor:
        """Every secret of a loaded causeway.yaml: its SecretStr values and the store URL's
        password (a PostgreSQL URL normally carries one)."""
        secrets = [secret.get_secret_value() for secret in _secret_values(config)]
        store = getattr(config, "store", None)
        if store is not None:
            secrets.extend(filter(None, [_url_password(store.url)]))
        return cls(secrets)

    def __call__(self, text: str) -> str:
        cleaned = strip_url_credentials(text)
        if self._secrets is not None:
            cleaned = self._secrets.sub(MASK, cleaned)
        return cleaned


def _secret_values(value: Any) -> Iterator[SecretStr]:
    if isinstance(value, SecretStr):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _secret_values(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _secret_values(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _secret_values(item)


def _url_password(url: str) -> str | None:
    try:
        return make_url(url).password  # type: ignore[return-value]
    except ArgumentError:
        return None


# What every LogRecord has; anything else on a record came from extra={...}.
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class RedactingFilter(logging.Filter):
    """A log handler filter that cleans each record's message, traceback and stack.

    The message is rendered (msg % args) and cleaned; a traceback is formatted here
    and kept only as cleaned text (exc_text), so no formatter can render the raw
    exception again.
    """

    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format
            message = f"{record.msg} {record.args}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info:
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text = self.redact(text)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in vars(record).items():  # extra={...} fields, shown by JSON logs
            if isinstance(value, str) and key not in _RECORD_FIELDS:
                setattr(record, key, self.redact(value))
        return True


def install_log_redaction(redact: Callable[[str], str]) -> None:
    """Clean every record the root logger's handlers write (call again after adding one),
    and what Python prints itself when no handler is configured (logging.lastResort).

    A filter on the handler, not on a logger: records logged by any logger and
    propagated to the root pass through it.
    """
    handlers = list(logging.getLogger().handlers)
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    for handler in handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(old)
        handler.addFilter(RedactingFilter(redact))
