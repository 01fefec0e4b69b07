"""What one golden customer looks like as a CRM contact: its order figures, RFM segment
and the HubSpot properties written for it. Pure functions: the flow feeds them what
the hub stored, so they are tested without any system running."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from causeway.config.flows import RfmThresholds

CHAMPIONS = "champions"
LOYAL = "loyal"
NEW = "new"
PROMISING = "promising"
NEEDS_ATTENTION = "needs attention"
AT_RISK = "at risk"
LOST = "lost"


@dataclass(frozen=True)
class OrderFact:
    """One order as it counts for its customer: what it cost, when, through which channel."""

    order_key: str  # "<store system>:<order id>": an order counts once
    total: Decimal
    ordered_at: datetime
    channel: str
    currency: str | None = None  # None: counted before currencies were kept (one currency)


@dataclass(frozen=True)
class CustomerFigures:
    order_count: int
    lifetime_value: Decimal
    last_order_at: datetime
    channels: tuple[str, ...]
    # The currency lifetime_value is in (None: orders counted before currencies were kept).
    currency: str | None = None


def figures(orders: Iterable[OrderFact], currency: str | None = None) -> CustomerFigures | None:
    """The customer's totals over its orders (each order key once); None: no orders.

    Lifetime value adds the orders in one currency only, never euros to dollars: in
    `currency`, or when that is not set, in the currency of the customer's first order.
    Orders in another currency count in the number of orders, not in the value.
    """
    unique = {o.order_key: o for o in orders}
    if not unique:
        return None
    first = min(unique.values(), key=lambda o: o.ordered_at)
    counted_in = currency or first.currency
    return CustomerFigures(
        order_count=len(unique),
        lifetime_value=sum(
            (o.total for o in unique.values() if o.currency in (counted_in, None)), Decimal(0)
        ),
        last_order_at=max(o.ordered_at for o in unique.values()),
        channels=tuple(sorted({o.channel for o in unique.values()})),
        currency=counted_in,
    )


def segment(figures: CustomerFigures, today: datetime, rfm: RfmThresholds) -> str:
    """The RFM segment: recency first (a lapsed customer is at risk whatever they spent),
    then frequency and monetary value. Thresholds are the flow's `rfm` settings."""
    days = (today - figures.last_order_at).days
    frequent = figures.order_count >= rfm.frequent_orders
    valuable = figures.lifetime_value >= rfm.high_value
    if days > 2 * rfm.lapsing_days:
        return LOST
    if days > rfm.lapsing_days:
        return AT_RISK
    recent = days <= rfm.recent_days
    if recent and frequent and valuable:
        return CHAMPIONS
    if frequent or valuable:
        return LOYAL
    if recent and figures.order_count == 1:
        return NEW
    if recent:
        return PROMISING
    return NEEDS_ATTENTION


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def contact_properties(
    golden: Mapping[str, Any], figures: CustomerFigures, segment_name: str
) -> dict[str, str | None]:
    """The HubSpot contact properties for a golden record (record.plain()) and its figures.

    Only what the hub knows is sent: a field the golden record lacks is left out, so a
    value a CRM user typed is never blanked. causeway_margin belongs to margins-to-crm.
    """
    address = golden.get("address") or {}
    street = ", ".join(p for p in (address.get("street"), address.get("street2")) if p)
    candidates: dict[str, str | None] = {
        "email": _text(golden.get("email")),
        "firstname": _text(golden.get("first_name")),
        "lastname": _text(golden.get("last_name")),
        "phone": _text(golden.get("phone")),
        "company": _text(golden.get("company")),
        "address": _text(street),
        "city": _text(address.get("city")),
        "zip": _text(address.get("postal_code")),
        "country": _text(address.get("country_code")),
    }
    properties: dict[str, str | None] = {k: v for k, v in candidates.items() if v is not None}
    properties |= {
        "causeway_order_count": str(figures.order_count),
        "causeway_lifetime_value": str(figures.lifetime_value),
        # HubSpot date properties take a date at midnight UTC.
        "causeway_last_order_date": figures.last_order_at.astimezone(UTC).date().isoformat(),
        "causeway_channels": ", ".join(figures.channels),
        "causeway_segment": segment_name,
    }
    return properties


def fingerprint(properties: Mapping[str, str | None]) -> str:
    """What was last written to the contact: unchanged properties are not sent again."""
    raw = json.dumps(dict(properties), sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()[:40]
