"""The building blocks of causeway.yaml's models: strict keys, durations, schedules,
secrets that must be set, and URLs of the systems the hub talks to."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    SecretStr,
)

from causeway.durations import parse_duration, parse_threshold
from causeway.engine.schedule import Schedule, parse_schedule

Duration = Annotated[float, BeforeValidator(parse_duration)]
# An alert threshold: a duration, or `off` (YAML reads a bare off as false) for no alert.
Threshold = Annotated[float | None, BeforeValidator(parse_threshold)]
# realtime | "realtime, every 5m" | "every 3m" | "at 06:00, 18:00 Europe/Berlin" | manual
ScheduleSetting = Annotated[
    Schedule, PlainValidator(parse_schedule), PlainSerializer(Schedule.describe)
]


def parse_file_mode(value: object) -> int:
    """'0640' -> 0o640: a file mode written as octal digits, in quotes."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            f'write the mode in quotes, e.g. "0640" (YAML reads an unquoted 0640 as the '
            f"number {value})"
        )
    text = str(value).strip()
    if not re.fullmatch(r"0?[0-7]{3}", text):
        raise ValueError(f'{text!r} is not a file mode: write three octal digits, e.g. "0640"')
    mode = int(text, 8)
    if mode & 0o600 != 0o600:
        raise ValueError(f"{text!r}: start it with 6, so the hub's own user can write the file")
    if mode & 0o111:
        raise ValueError(f"{text!r}: CSV files are not programs; leave out the execute bits")
    return mode


# A file mode as octal text ("0640"); serialised back the same way.
FileMode = Annotated[
    int, BeforeValidator(parse_file_mode), PlainSerializer(lambda mode: f"{mode:04o}")
]


class Strict(BaseModel):
    # A misspelt key is an error, not silently ignored: it names the key.
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def required_secret(value: SecretStr, what: str, why: str = "") -> SecretStr:
    """A secret that is set: an empty one (often `${VAR:-}` with VAR unset) is refused.

    An empty webhook secret is worse than none: anyone can compute a valid signature.
    """
    if not value.get_secret_value().strip():
        raise ValueError(
            f"is empty; set it to {what} (an environment reference must name a variable "
            f"that is exported and not empty){'; ' + why if why else ''}"
        )
    return value


def is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1: traffic that never leaves this machine."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def service_url(value: str, *, password_fix: str) -> str:
    """The URL of a system the hub talks to (or is reached at): http(s), a host, no
    credentials in it, and https unless the host is this machine.

    Credentials in a URL end up wherever the URL is shown (errors, logs, the API);
    plain http to another machine sends tokens and order data readable on the way.
    The messages never repeat the URL: it may hold a password.
    """
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("is not a URL: write it as https://host[:port][/path]")
    if "@" in parts.netloc:
        raise ValueError(
            f"holds a user name or password (user:password@host): remove it from the URL; "
            f"{password_fix}"
        )
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise ValueError("has a port that is not a number: write https://host:port") from None
    if not parts.hostname:
        raise ValueError("has no host name: write it as https://host[:port][/path]")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(
            f"uses http:// to {parts.hostname}, another machine: use https:// (plain http "
            f"is accepted only for localhost, 127.0.0.0/8 and ::1)"
        )
    return url


def split_listen(value: str) -> tuple[str, int]:
    """'127.0.0.1:8081', '[::1]:8081' -> (host, port), or a message saying how to write it."""
    host, sep, port = value.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(
            f"{value!r} is not host:port: write e.g. 127.0.0.1:8081 (an address and a port)"
        )
    return host, int(port)
