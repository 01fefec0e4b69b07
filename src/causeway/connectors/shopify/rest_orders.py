"""A Shopify order in the REST shape (orders/* webhook bodies) to the canonical Order.

The rules it shares with the GraphQL path are in order_normalise.py and order_amounts.py;
mapping.py says why the two must agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from causeway.connectors.shopify import order_amounts as amounts
from causeway.connectors.shopify.order_normalise import (
    address,
    canonical,
    financial_status,
    first,
    fulfillment_status,
    order_line,
    ref_from,
    sorted_tags,
    tax_lines,
    text_or_none,
    utc,
)
from causeway.connectors.shopify.rest_models import (
    RestAddress,
    RestCustomer,
    RestOrder,
    RestTaxLine,
    parse_rest,
)
from causeway.model import Address, Attribution, Customer, Order, ShippingLine, TaxLine


def _rest_address(a: RestAddress | None) -> Address | None:
    if a is None:
        return None
    return address(
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
    return tax_lines((t.title, t.rate, t.price) for t in lines)


def order_from_rest(payload: Mapping[str, Any]) -> Order:
    """Canonical Order from a REST order (webhook body, or `{"order": {...}}`).

    Raises InvalidPayloadError, naming the field, when the payload is not an order.
    """
    o = parse_rest(RestOrder, payload, key="order")
    c, bill = o.customer, o.billing_address
    with canonical(str(o.id)):
        return _rest_order(o, c, bill)


def _rest_order(o: RestOrder, c: RestCustomer | None, bill: RestAddress | None) -> Order:
    customer = Customer(
        email=first(o.email, o.contact_email, (c.email if c else None)),
        first_name=first((c.first_name if c else None), (bill.first_name if bill else None)) or "",
        last_name=first((c.last_name if c else None), (bill.last_name if bill else None)) or "",
        phone=first(o.phone, (c.phone if c else None)),
        external_id=str(c.id) if c else None,
    )
    lines = tuple(
        order_line(
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
            code=text_or_none(s.code),
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
        created_at=utc(o.created_at),
        updated_at=utc(o.updated_at),
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
        financial_status=financial_status(o.financial_status),
        fulfillment_status=fulfillment_status(o.fulfillment_status),
        cancelled_at=utc(o.cancelled_at),
        note=text_or_none(o.note),
        tags=sorted_tags((o.tags or "").split(",")),
        attribution=Attribution(
            source_name=text_or_none(o.source_name),
            landing_site=text_or_none(o.landing_site),
            referring_site=text_or_none(o.referring_site),
            landing_site_ref=text_or_none(o.landing_site_ref) or ref_from(o.landing_site),
        ),
        test=o.test,
    )
