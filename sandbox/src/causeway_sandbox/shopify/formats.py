"""How Shopify writes ids, times and money, in one place so every view agrees.

Shopify has two spellings for most values, and hubs break on the difference:
REST payloads (webhooks) use numeric ids, shop-local times with an offset and
money as "10.00"; GraphQL uses gids (`gid://shopify/Order/123`), UTC times with a
"Z", Decimal amounts as "10.0" and Money scalars as "10.00".
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from graphql import GraphQLError

CENT = Decimal("0.01")


def gid(kind: str, legacy_id: int) -> str:
    return f"gid://shopify/{kind}/{legacy_id}"


def parse_gid(value: str, *, argument: str = "id") -> tuple[str, int]:
    """Split a gid into (kind, numeric id); anything else is the error Shopify returns."""
    prefix = "gid://shopify/"
    if isinstance(value, str) and value.startswith(prefix):
        kind, _, rest = value[len(prefix) :].partition("/")
        number = rest.split("?", 1)[0]
        if kind and number.isdigit():
            return kind, int(number)
    raise GraphQLError(
        f"Invalid global id '{value}'",
        extensions={"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"},
    )


def money(value: Decimal | str | int) -> Decimal:
    """Quantize to cents, rounding half up like a till does (never banker's rounding)."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def rest_money(value: Decimal) -> str:
    """REST money: always two decimals ("398.00")."""
    return str(money(value))


def gql_decimal(value: Decimal | str) -> str:
    """GraphQL Decimal as Shopify writes it: no trailing zeros, at least one decimal."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text if "." in text else f"{text}.0"


def gql_money_scalar(value: Decimal | str) -> str:
    """The `Money` scalar (e.g. ProductVariant.price): two decimals."""
    return str(money(value))


def gql_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """Read any ISO 8601 time Shopify or a client may write (with "Z" or an offset)."""
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


class SandboxClock:
    """Wall-clock time the sandbox can move forward, at second precision like Shopify.

    Tests of watermarks and overlap windows need orders whose `updated_at` differ
    by more than the second Shopify resolves; advancing this clock gives them that
    without sleeping. Time keeps flowing after a jump.
    """

    def __init__(self, utc_offset_minutes: int) -> None:
        self._lock = threading.Lock()
        self._skew = 0.0
        self.shop_tz = timezone(timedelta(minutes=utc_offset_minutes))

    def now(self) -> datetime:
        with self._lock:
            stamp = time.time() + self._skew
        return datetime.fromtimestamp(int(stamp), tz=UTC)

    def precise_now(self) -> datetime:
        """Sub-second time on the same (possibly advanced) clock, for event timestamps."""
        with self._lock:
            stamp = time.time() + self._skew
        return datetime.fromtimestamp(stamp, tz=UTC)

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._skew += seconds
        return self.now()

    def rest_time(self, value: datetime) -> str:
        """REST time: shop-local with its offset, e.g. "2026-01-10T11:00:00-05:00"."""
        return value.astimezone(self.shop_tz).isoformat(timespec="seconds")

    def offset_text(self) -> str:
        text = datetime.now(self.shop_tz).strftime("%z")
        return f"{text[:3]}:{text[3:]}"
