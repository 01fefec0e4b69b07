"""Shopify orders, REST (webhook) or GraphQL (poll), to the one canonical Order.

The same order reaches the hub twice: as an orders/* webhook body (REST shape)
and again from the reconciling poll (GraphQL, ORDER_FIELDS). Both must give the
identical canonical Order, or the fingerprint of a link would flip on every
reconcile and an unchanged order would be pushed to the ERP again. So both paths
normalise into the same helpers below, with the same rules:

- times are converted to UTC (REST says -05:00, GraphQL says Z);
- tags are a sorted tuple (REST sends "a, b", GraphQL a list);
- empty optional strings become None;
- line titles are the line `name` ("Product - Variant"), as the customer saw it;
- landing_site_ref, when REST does not send one, is derived from the landing
  URL's ref/source/r parameter, which is what Shopify itself does, so GraphQL
  (which has no such field) derives the same value;
- buyer marketing consent is not taken from orders: ORDER_FIELDS does not carry
  it, and a REST-only value would make the two paths disagree. It comes from
  the customers stream.

- amounts (discounts, shipping discounts, edited orders) are read by the rules in
  order_amounts.py (docs/connectors/shopify.md, "How an order's amounts map");
  gift cards sold are flagged lines (never taxed, never stock); a gift card used to
  pay is a payment and leaves the order total alone; tips are their own amount.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, overload
from urllib.parse import parse_qs, urlsplit

from pydantic import ValidationError

from causeway.connectors.shopify import order_amounts as amounts
from causeway.connectors.shopify.graphql_models import (
    GqlAddress,
    GqlMoneyBag,
    GqlOrder,
    GqlTaxLine,
)
from causeway.connectors.shopify.queries import MAX_LINE_ITEMS
from causeway.connectors.shopify.rest_models import (
    ZERO,
    RestAddress,
    RestCustomer,
    RestOrder,
    RestTaxLine,
    describe_errors,
    parse_rest,
)
from causeway.errors import InvalidPayloadError
from causeway.model import (
    Address,
    Attribution,
    Customer,
    FinancialStatus,
    Order,
    OrderLine,
    ShippingLine,
    TaxLine,
)

# ------------------------------------------------------------ shared helpers


def gid_tail(gid: str) -> str:
    """The numeric id in a gid (gid://shopify/Order/450789469 -> 450789469); ids pass through."""
    return gid.rsplit("/", 1)[-1].split("?", 1)[0]


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


@overload
def _utc(value: datetime) -> datetime: ...
@overload
def _utc(value: None) -> None: ...
@overload
def _utc(value: datetime | None) -> datetime | None: ...
def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # Shopify always sends an offset; assume UTC if not
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _tags(tags: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({t.strip() for t in tags if t and t.strip()}))


def _ref_from(url: str | None) -> str | None:
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


def _financial(value: str | None) -> FinancialStatus:
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


def _fulfillment(value: str | None) -> str:
    """REST null/partial/fulfilled/restocked and GraphQL's enum to one vocabulary.

    REST says null for an unfulfilled order; GraphQL says UNFULFILLED. States
    only GraphQL knows (ON_HOLD, IN_PROGRESS, ...) keep their lowercased name.
    """
    if not value:
        return "unfulfilled"
    upper = value.strip().upper()
    return _FULFILLMENT.get(upper, upper.lower())


def _address(
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
    full = _text(name) or " ".join(p for p in (_text(first), _text(last)) if p)
    return Address(
        name=full,
        company=_text(company),
        street=_text(street) or "",
        street2=_text(street2),
        city=_text(city) or "",
        postal_code=_text(zip_code) or "",
        region=_text(region),
        region_code=_text(region_code),
        country_code=_text(country_code),
        phone=_text(phone),
    )


def _tax_lines(lines: Iterable[tuple[str, Decimal | None, Decimal]]) -> tuple[TaxLine, ...]:
    return tuple(
        TaxLine(title=title, rate=rate if rate is not None else Decimal(0), amount=amount)
        for title, rate, amount in lines
    )


def _line(
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
        sku=_text(sku),
        title=_text(name) or title,
        quantity=quantity,
        unit_price=unit_price,
        tax_lines=tuple(
            t.model_copy(update={"amount": amounts.share(t.amount, ordered, quantity)})
            for t in taxes
        ),
        discount=amounts.share(discount, ordered, quantity),
        gift_card=gift_card,
    )


def _first(*values: str | None) -> str | None:
    """The first non-empty text, so fallbacks (order email, customer email) read in order."""
    for value in values:
        if text := _text(value):
            return text
    return None


@contextmanager
def _canonical(external_id: str) -> Iterator[None]:
    """Turn a canonical-model rejection (e.g. a line quantity of 0) into InvalidPayloadError."""
    try:
        yield
    except ValidationError as error:
        raise InvalidPayloadError(
            f"Shopify order {external_id} does not fit the canonical order: "
            f"{describe_errors(error)}"
        ) from None


# ------------------------------------------------------------------ REST path


def _rest_address(a: RestAddress | None) -> Address | None:
    if a is None:
        return None
    return _address(
        name=a.name,
        first=a.first_name,
        last=a.last_name,
        company=a.company,
        street=a.address1,
        street2=a.address2,
        city=a.city,
        zip_code=a.zip,
        region=a.province,
        region_code=a.province_code,
        country_code=a.country_code,
        phone=a.phone,
    )


def _rest_taxes(lines: list[RestTaxLine]) -> tuple[TaxLine, ...]:
    return _tax_lines((t.title, t.rate, t.price) for t in lines)


def order_from_rest(payload: Mapping[str, Any]) -> Order:
    """Canonical Order from a REST order (webhook body, or `{"order": {...}}`).

    Raises InvalidPayloadError, naming the field, when the payload is not an order.
    """
    o = parse_rest(RestOrder, payload, key="order")
    c, bill = o.customer, o.billing_address
    with _canonical(str(o.id)):
        return _rest_order(o, c, bill)


def _rest_order(o: RestOrder, c: RestCustomer | None, bill: RestAddress | None) -> Order:
    customer = Customer(
        email=_first(o.email, o.contact_email, (c.email if c else None)),
        first_name=_first((c.first_name if c else None), (bill.first_name if bill else None)) or "",
        last_name=_first((c.last_name if c else None), (bill.last_name if bill else None)) or "",
        phone=_first(o.phone, (c.phone if c else None)),
        external_id=str(c.id) if c else None,
    )
    lines = tuple(
        _line(
            external_id=str(li.id),
            sku=li.sku,
            name=li.name,
            title=li.title,
            ordered=li.quantity,
            current=li.current_quantity,
            unit_price=li.price,
            discount=amounts.rest_allocated(li.discount_allocations),
            taxes=_rest_taxes(li.tax_lines),
            gift_card=li.gift_card,
        )
        for li in o.line_items
        if li.current_quantity != 0  # removed by an order edit
    )
    shipping = tuple(
        ShippingLine(
            title=s.title,
            code=_text(s.code),
            price=s.price,
            tax_lines=_rest_taxes(s.tax_lines),
            discount=amounts.rest_allocated(s.discount_allocations),
        )
        for s in o.shipping_lines
    )
    edited = amounts.edited((li.quantity, li.current_quantity) for li in o.line_items)
    return Order(
        external_id=str(o.id),
        number=o.name,
        currency=o.currency,
        created_at=_utc(o.created_at),
        updated_at=_utc(o.updated_at),
        customer=customer,
        billing_address=_rest_address(bill),
        shipping_address=_rest_address(o.shipping_address),
        lines=lines,
        shipping_lines=shipping,
        tax_lines=amounts.summed_taxes(lines, shipping) if edited else _rest_taxes(o.tax_lines),
        taxes_included=o.taxes_included,
        discounts=amounts.rest_discounts(o),
        subtotal=amounts.current(o.current_subtotal_price, o.subtotal_price),
        total_tax=amounts.current(o.current_total_tax, o.total_tax),
        total_discounts=amounts.current(o.current_total_discounts, o.total_discounts),
        tip=o.total_tip_received,
        total=amounts.current(o.current_total_price, o.total_price),
        financial_status=_financial(o.financial_status),
        fulfillment_status=_fulfillment(o.fulfillment_status),
        cancelled_at=_utc(o.cancelled_at),
        note=_text(o.note),
        tags=_tags((o.tags or "").split(",")),
        attribution=Attribution(
            source_name=_text(o.source_name),
            landing_site=_text(o.landing_site),
            referring_site=_text(o.referring_site),
            landing_site_ref=_text(o.landing_site_ref) or _ref_from(o.landing_site),
        ),
        test=o.test,
    )


# --------------------------------------------------------------- GraphQL path


def _gql_address(a: GqlAddress | None) -> Address | None:
    if a is None:
        return None
    return _address(
        name=a.name,
        first=a.firstName,
        last=a.lastName,
        company=a.company,
        street=a.address1,
        street2=a.address2,
        city=a.city,
        zip_code=a.zip,
        region=a.province,
        region_code=a.provinceCode,
        country_code=a.countryCodeV2,
        phone=a.phone,
    )


def _gql_taxes(lines: list[GqlTaxLine]) -> tuple[TaxLine, ...]:
    return _tax_lines((t.title, t.rate, t.priceSet.shopMoney.amount) for t in lines)


def _amount(bag: GqlMoneyBag | None) -> Decimal:
    return bag.shopMoney.amount if bag is not None else ZERO


def order_from_graphql(node: Mapping[str, Any]) -> Order:
    """Canonical Order from an Order node selected by ORDER_FIELDS.

    Raises InvalidPayloadError, naming the field, when the node is not an order.
    """
    if not isinstance(node, Mapping):
        raise InvalidPayloadError(
            f"invalid Shopify GraphQL order: expected an object, got {type(node).__name__}"
        )
    try:
        o = GqlOrder.model_validate(node)
    except ValidationError as error:
        raise InvalidPayloadError(
            f"invalid Shopify GraphQL order: {describe_errors(error)}"
        ) from None
    external_id = o.legacyResourceId or gid_tail(o.id)
    with _canonical(external_id):
        return _gql_order(o, external_id)


def _gql_order(o: GqlOrder, external_id: str) -> Order:
    c, bill = o.customer, o.billingAddress
    visit = o.customerJourneySummary.firstVisit if o.customerJourneySummary else None
    landing = _text(visit.landingPage) if visit else None
    customer = Customer(
        email=_first(o.email, (c.email if c else None)),
        first_name=_first((c.firstName if c else None), (bill.firstName if bill else None)) or "",
        last_name=_first((c.lastName if c else None), (bill.lastName if bill else None)) or "",
        phone=_first(o.phone, (c.phone if c else None)),
        external_id=gid_tail(c.id) if c else None,
    )
    lines = tuple(
        _line(
            external_id=gid_tail(li.id),
            sku=li.sku,
            name=li.name,
            title=li.title,
            ordered=li.quantity,
            current=li.currentQuantity,
            unit_price=li.originalUnitPriceSet.shopMoney.amount,
            discount=amounts.gql_allocated(li.discountAllocations),
            taxes=_gql_taxes(li.taxLines),
            gift_card=li.isGiftCard,
        )
        for li in o.lineItems.nodes
        if li.currentQuantity != 0  # removed by an order edit
    )
    shipping = tuple(
        ShippingLine(
            title=s.title,
            code=_text(s.code),
            price=s.originalPriceSet.shopMoney.amount,
            tax_lines=_gql_taxes(s.taxLines),
            discount=amounts.gql_allocated(s.discountAllocations),
        )
        for s in o.shippingLines.nodes
    )
    edited = amounts.edited((li.quantity, li.currentQuantity) for li in o.lineItems.nodes)
    if o.lineItems.pageInfo.hasNextPage:
        raise InvalidPayloadError(
            f"order {o.name} has more than {MAX_LINE_ITEMS} line items; Causeway reads at most "
            f"{MAX_LINE_ITEMS} per order, so it is parked rather than entered incomplete"
        )
    return Order(
        external_id=external_id,
        number=o.name,
        currency=o.currencyCode,
        created_at=_utc(o.createdAt),
        updated_at=_utc(o.updatedAt),
        customer=customer,
        billing_address=_gql_address(bill),
        shipping_address=_gql_address(o.shippingAddress),
        lines=lines,
        shipping_lines=shipping,
        tax_lines=amounts.summed_taxes(lines, shipping) if edited else _gql_taxes(o.taxLines),
        taxes_included=o.taxesIncluded,
        discounts=tuple(amounts.gql_discount(a) for a in o.discountApplications.nodes),
        subtotal=amounts.current_set(o.currentSubtotalPriceSet, o.subtotalPriceSet),
        total_tax=amounts.current_set(o.currentTotalTaxSet, o.totalTaxSet),
        total_discounts=amounts.current_set(o.currentTotalDiscountsSet, o.totalDiscountsSet),
        tip=_amount(o.totalTipReceivedSet),
        total=amounts.current_set(o.currentTotalPriceSet, o.totalPriceSet),
        financial_status=_financial(o.displayFinancialStatus),
        fulfillment_status=_fulfillment(o.displayFulfillmentStatus),
        cancelled_at=_utc(o.cancelledAt),
        note=_text(o.note),
        tags=_tags(o.tags),
        attribution=Attribution(
            source_name=_text(o.sourceName),
            landing_site=landing,
            referring_site=_text(visit.referrerUrl) if visit else None,
            landing_site_ref=_ref_from(landing),
        ),
        test=o.test,
    )
