"""How WordPress writes things: site-local and GMT dates, money strings, PHP's JSON.

WooCommerce stores every date twice, in the site's timezone (`date_created`) and
in GMT (`date_created_gmt`), both as `YYYY-MM-DDTHH:MM:SS` without an offset and
to the second. Money is a string with the currency's decimals. Bodies come out of
`wp_json_encode`, which escapes `/` and every non-ASCII character: a receiver that
re-serialises the JSON before checking a webhook signature fails against it.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from starlette.responses import JSONResponse

CENT = Decimal("0.01")
# rest_parse_date(): a full date and time, an optional fraction and offset. A date alone
# ("2024-01-31") is refused, as WordPress refuses it.
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|z|[+-]\d{2}(:?\d{2})?)?$"
)


def php_json(data: Any) -> bytes:
    """`wp_json_encode($data)`: compact, ASCII-only, slashes escaped."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=True)
    return text.replace("/", "\\/").encode("ascii")


class WPJSONResponse(JSONResponse):
    """A REST answer encoded the way WordPress encodes it."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return php_json(content)

    def init_headers(self, headers: Any = None) -> None:
        super().init_headers(headers)
        self.headers["content-type"] = "application/json; charset=UTF-8"


def money(amount: Decimal) -> str:
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def to_decimal(value: Any, field: str) -> Decimal:
    """A money input (WooCommerce takes strings, clients send numbers too)."""
    try:
        return Decimal(str(value).strip() or "0")
    except ArithmeticError as exc:
        raise ValueError(f"{field} is not a number") from exc


class SiteClock:
    """The site's clock: second precision like WordPress, and movable by the control API."""

    def __init__(self, utc_offset_minutes: int) -> None:
        self.tz = timezone(timedelta(minutes=utc_offset_minutes))
        self._offset = timedelta(0)
        self._last = datetime.min.replace(tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Now in UTC, to the second (WordPress stores no fractions)."""
        with self._lock:
            return (datetime.now(UTC) + self._offset).replace(microsecond=0)

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta(0)

    def local(self, moment: datetime | None) -> str | None:
        if moment is None:
            return None
        return moment.astimezone(self.tz).strftime("%Y-%m-%dT%H:%M:%S")

    @staticmethod
    def gmt(moment: datetime | None) -> str | None:
        if moment is None:
            return None
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")

    def pair(self, name: str, moment: datetime | None) -> dict[str, str | None]:
        """`{name: local, name_gmt: GMT}`, the way every WooCommerce date is written."""
        return {name: self.local(moment), f"{name}_gmt": self.gmt(moment)}

    def parse(self, text: str, *, gmt: bool) -> datetime:
        """A query date (`after`, `modified_after`...): ISO 8601; without an offset it is
        GMT when `dates_are_gmt` is true, else site time. ValueError when unreadable."""
        if not _RFC3339.match(text.strip()):
            raise ValueError(f"not a date-time: {text!r}")
        value = text.strip().replace(" ", "T")
        if value.endswith("Z"):
            value = value[:-1] + "+00:00"
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC if gmt else self.tz)
        return moment.astimezone(UTC)
