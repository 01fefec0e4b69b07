"""The normalising rules both shapes of a Shopify order share (mapping.py says why).

rest_orders.py and graphql_orders.py read their own field names and hand the values to
these helpers, so that times, tags, empty strings, statuses, addresses and lines come
out the same whichever path an order took.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import overload
from urllib.parse import parse_qs, urlsplit

from pydantic import ValidationError

from causeway.connectors.shopify import order_amounts as amounts
from causeway.connectors.shopify.rest_models import describe_errors
from causeway.errors import InvalidPayloadError
from causeway.model import Address, FinancialStatus, OrderLine, TaxLine


def gid_tail(gid: str) -> str:
    """The numeric id in a gid (gid://shopify/Order/450789469 -> 450789469); ids pass through."""
    return gid.rsplit("/", 1)[-1].split("?", 1)[0]


def text_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


@overload
def utc(value: datetime) -> datetime: ...
@overload
def utc(value: None) -> None: ...
@overload
def utc(value: datetime | None) -> datetime | None: ...
def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # Shopify always sends an offset; assume UTC if not
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def sorted_tags(tags: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({t.strip() for t in tags if t and t.strip()}))


def ref_from(url: str | None) -> str | None:
    """The landing URL's ref/source/r parameter: Shopify's landing_site_ref."""
    if not url:
        return None
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        return None
    for key in ("ref", "source", "r"):
        if query.get(key):
            return query[key][0] or None
    return None


def financial_status(value: str | None) -> FinancialStatus:
    """REST `financial_status` or GraphQL `displayFinancialStatus` to FinancialStatus.

    Both vocabularies are the same words (PARTIALLY_PAID / partially_paid); an
    unknown new value maps to UNKNOWN instead of failing the whole order.
    """
    if not value:
        return FinancialStatus.UNKNOWN
    try:
        return FinancialStatus(value.strip().lower())
    except ValueError:
        return FinancialStatus.UNKNOWN


_FULFILLMENT = {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial", "PARTIAL": "partial"}


def fulfillment_status(value: str | None) -> str:
    """REST null/partial/fulfilled/restocked and GraphQL's enum to one vocabulary.

    REST says null for an unfulfilled order; GraphQL says UNFULFILLED. States
    only GraphQL knows (ON_HOLD, IN_PROGRESS, ...) keep their lowercased name.
    """
    if not value:
        return "unfulfilled"
    upper = value.strip().upper()
    return _FULFILLMENT.get(upper, upper.lower())


def address(
    *,
    name: str | None,
    first: str | None,
    last: str | None,
    company: str | None,
    street: str | None,
    street2: str | None,
    city: str | None,
    zip_code: str | None,
    region: str | None,
    region_code: str | None,
    country_code: str | None,
    phone: str | None,
) -> Address:
    full = text_or_none(name) or " ".join(p for p in (text_or_none(first), text_or_none(last)) if p)
    return Address(
        name=full,
        company=text_or_none(company),
        street=text_or_none(street) or "",
        street2=text_or_none(street2),
        city=text_or_none(city) or "",
        postal_code=text_or_none(zip_code) or "",
        region=text_or_none(region),
        region_code=text_or_none(region_code),
        country_code=text_or_none(country_code),
        phone=text_or_none(phone),
    )


def tax_lines(lines: Iterable[tuple[str, Decimal | None, Decimal]]) -> tuple[TaxLine, ...]:
    return tuple(
        TaxLine(title=title, rate=rate if rate is not None else Decimal(0), amount=amount)
        for title, rate, amount in lines
    )


def order_line(
    *,
    external_id: str,
    sku: str | None,
    name: str | None,
    title: str,
    ordered: int,
    current: int | None,
    unit_price: Decimal,
    discount: Decimal,
    taxes: tuple[TaxLine, ...],
    gift_card: bool,
) -> OrderLine:
    quantity = ordered if current is None else current
    return OrderLine(
        external_id=external_id,
        sku=text_or_none(sku),
        title=text_or_none(name) or title,
        quantity=quantity,
        unit_price=unit_price,
        tax_lines=tuple(
            t.model_copy(update={"amount": amounts.share(t.amount, ordered, quantity)})
            for t in taxes
        ),
        discount=amounts.share(discount, ordered, quantity),
        gift_card=gift_card,
    )


def first(*values: str | None) -> str | None:
    """The first non-empty text, so fallbacks (order email, customer email) read in order."""
    for value in values:
        if text := text_or_none(value):
            return text
    return None


@contextmanager
def canonical(external_id: str) -> Iterator[None]:
    """Turn a canonical-model rejection (e.g. a line quantity of 0) into InvalidPayloadError."""
    try:
        yield
    except ValidationError as error:
        raise InvalidPayloadError(
            f"Shopify order {external_id} does not fit the canonical order: "
            f"{describe_errors(error)}"
        ) from None
