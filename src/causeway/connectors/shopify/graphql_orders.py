"""A Shopify Order node selected by ORDER_FIELDS (the reconciling poll) to the canonical Order.

The rules it shares with the REST path are in order_normalise.py and order_amounts.py;
mapping.py says why the two must agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from causeway.connectors.shopify import order_amounts as amounts
from causeway.connectors.shopify.graphql_models import GqlAddress, GqlOrder, GqlTaxLine
from causeway.connectors.shopify.order_normalise import (
    address,
    canonical,
    financial_status,
    first,
    fulfillment_status,
    gid_tail,
    order_line,
    ref_from,
    sorted_tags,
    tax_lines,
    text_or_none,
    utc,
)
from causeway.connectors.shopify.queries import MAX_LINE_ITEMS
from causeway.connectors.shopify.rest_models import describe_errors
from causeway.errors import InvalidPayloadError
from causeway.model import Address, Attribution, Customer, Order, ShippingLine, TaxLine


def _gql_address(a: GqlAddress | None) -> Address | None:
    if a is None:
        return None
    return address(
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
    return tax_lines((t.title, t.rate, t.priceSet.shopMoney.amount) for t in lines)


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
    with canonical(external_id):
        return _gql_order(o, external_id)


def _gql_order(o: GqlOrder, external_id: str) -> Order:
    c, bill = o.customer, o.billingAddress
    visit = o.customerJourneySummary.firstVisit if o.customerJourneySummary else None
    landing = text_or_none(visit.landingPage) if visit else None
    customer = Customer(
        email=first(o.email, (c.email_address if c else None)),
        first_name=first((c.firstName if c else None), (bill.firstName if bill else None)) or "",
        last_name=first((c.lastName if c else None), (bill.lastName if bill else None)) or "",
        phone=first(o.phone, (c.phone_number if c else None)),
        external_id=gid_tail(c.id) if c else None,
    )
    lines = tuple(
        order_line(
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
            code=text_or_none(s.code),
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
        created_at=utc(o.createdAt),
        updated_at=utc(o.updatedAt),
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
        tip=amounts.gql_amount(o.totalTipReceivedSet),
        total=amounts.current_set(o.currentTotalPriceSet, o.totalPriceSet),
        financial_status=financial_status(o.displayFinancialStatus),
        fulfillment_status=fulfillment_status(o.displayFulfillmentStatus),
        cancelled_at=utc(o.cancelledAt),
        note=text_or_none(o.note),
        tags=sorted_tags(o.tags),
        attribution=Attribution(
            source_name=text_or_none(o.sourceName),
            landing_site=landing,
            referring_site=text_or_none(visit.referrerUrl) if visit else None,
            landing_site_ref=ref_from(landing),
        ),
        test=o.test,
    )
