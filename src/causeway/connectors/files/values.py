"""Reading one CSV cell: numbers, whole numbers, dates, rates (no I/O).

Each reader raises ValueError with a message a person can act on; the caller
puts the file, row and column in front of it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)*)$")
SHOWN_CHARS = 40


def quoted(text: str) -> str:
    """A cell's value for a message: quoted, control characters escaped, never longer
    than SHOWN_CHARS characters (a message names the value, it does not dump the cell)."""
    return repr(text) if len(text) <= SHOWN_CHARS else repr(text[:SHOWN_CHARS]) + "..."


def parse_decimal(text: str) -> Decimal:
    """A decimal written with a dot or a comma: "12.50", "12,50", "1.234,50", "1,234.50".

    Spreadsheets write the decimal separator of their locale, so both are accepted.
    The last separator is the decimal one and any before it group thousands;
    a single separator is always the decimal one ("1,234" is 1.234).
    """
    value = text.strip().replace(" ", "").replace("\u00a0", "")
    if not _NUMBER.match(value):
        raise ValueError(f"{quoted(text)} is not a number")
    last = max(value.rfind("."), value.rfind(","))
    if last == -1:
        return Decimal(value)
    whole, fraction = value[:last], value[last + 1 :]
    groups = re.split(r"[.,]", whole.lstrip("+-"))
    if len(groups) > 1 and any(len(g) != 3 for g in groups[1:]):
        raise ValueError(f"{quoted(text)} is not a number: thousands are grouped by three")
    try:
        return Decimal(re.sub(r"[.,]", "", whole) + "." + fraction)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes it
        raise ValueError(f"{quoted(text)} is not a number") from None


def parse_quantity(text: str) -> int:
    """A positive whole number of units ("3", "3.0" and "3,00" are 3)."""
    value = parse_decimal(text)
    if value != value.to_integral_value():
        raise ValueError(f"{quoted(text)} is not a whole number of units")
    if value <= 0:
        raise ValueError(f"{quoted(text)} must be at least 1")
    return int(value)


def parse_rate(text: str) -> Decimal:
    """A tax rate as a fraction: "0.10", "10%" and "10 %" are all 0.10."""
    stripped = text.strip()
    if stripped.endswith("%"):
        return parse_decimal(stripped[:-1]) / 100
    rate = parse_decimal(stripped)
    if rate >= 1:
        raise ValueError(f"{quoted(text)} is not a rate: write 0.10 or 10%")
    return rate


def parse_datetime(text: str, *, date_format: str | None, zone: str) -> datetime:
    """An aware datetime; values without a zone are in `zone`.

    Without a format, ISO 8601 is read: "2026-11-27", "2026-11-27 14:05",
    "2026-11-27T14:05:00+01:00", "2026-11-27T13:05:00Z".
    """
    value = text.strip()
    try:
        if date_format:
            parsed = datetime.strptime(value, date_format)
        else:
            parsed = datetime.fromisoformat(value)
    except ValueError:
        wanted = date_format or "an ISO 8601 date such as 2026-11-27 or 2026-11-27T14:05:00"
        raise ValueError(f"{quoted(text)} is not a date: write {wanted}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    return parsed.astimezone(UTC)
