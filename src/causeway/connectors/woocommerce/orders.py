"""A WooCommerce order, as its webhook or the REST API gives it, to the one canonical Order.

Webhook bodies and polled orders are the same JSON, so one function reads both and the
same order always maps to the same canonical Order. The rules (docs/connectors/
woocommerce.md, "How an order maps"):

- amounts are WooCommerce's own, which are always tax excluded, whatever the store's
  "prices entered with tax" setting: a line's `subtotal` is before coupons, its `total`
  after; so the canonical order never has taxes_included, and total = lines after
  coupons + shipping + tax;
- a line's unit price is its subtotal over its quantity; its discount is whatever
  makes the line come to WooCommerce's `total` exactly;
- each coupon is a Discount; taxes are per line and per shipping line, by rate
  (taxes.py), and per order as WooCommerce sums them;
- times are the `*_gmt` ones, in UTC; names are shown as the customer saw them
  (WooCommerce sends "Ship Your Idea &ndash; Black" HTML-escaped);
- paid is `date_paid` (or a paid status: processing, completed); cancelled is the
  `cancelled` status, stamped with the order's last change (WooCommerce keeps no
  cancellation date); the canonical lines keep their ordered quantity: refunds are
  read apart (refunds.py);
- a fee line (a surcharge a plugin adds) has no place in the canonical order yet: such
  an order is refused with the reason, never placed with a different total.
"""

from __future__ import annotations

import html
from decimal import ROUND_CEILING, Decimal
from typing import Any

from causeway.connectors.woocommerce.models import (
    WooAddress,
    WooCouponLine,
    WooLineTax,
    WooOrder,
    meta_value,
    parse,
)
from causeway.connectors.woocommerce.taxes import tax_titles_and_rates
from causeway.errors import PermanentError
from causeway.model import (
    Address,
    Attribution,
    Customer,
    Discount,
    FinancialStatus,
    Order,
    OrderLine,
    ShippingLine,
    TaxLine,
)

PAID_STATUSES = frozenset({"processing", "completed"})
UNIT_PRICE_PLACES = Decimal("0.000001")
# WooCommerce 8.5's order attribution, kept in the order's meta.
ATTRIBUTION_META = {
    "source_name": ("_wc_order_attribution_utm_source", "_wc_order_attribution_source_type"),
    "landing_site": ("_wc_order_attribution_session_entry",),
    "referring_site": ("_wc_order_attribution_referrer",),
}


def parse_order(payload: Any) -> WooOrder:
    """The WooCommerce order in a payload; InvalidPayloadError naming each bad field."""
    return parse(WooOrder, payload, "order")


def order_from_woo(payload: Any) -> Order:
    """The canonical Order of a WooCommerce order payload (webhook body or REST answer)."""
    return canonical_order(parse_order(payload))


def financial_status(o: WooOrder) -> FinancialStatus:
    if o.status == "refunded":
        return FinancialStatus.REFUNDED
    paid = o.date_paid_gmt is not None or o.status in PAID_STATUSES
    if paid and o.refunds:
        return FinancialStatus.PARTIALLY_REFUNDED
    if paid:
        return FinancialStatus.PAID
    if o.status == "cancelled":
        return FinancialStatus.VOIDED
    return FinancialStatus.PENDING  # pending, on-hold, failed, checkout-draft


def canonical_order(o: WooOrder) -> Order:
    _refuse_fees(o)
    taxes = tax_titles_and_rates(o)
    lines = tuple(_line(o, li_index, taxes) for li_index in range(len(o.line_items)))
    shipping = tuple(
        ShippingLine(
            title=s.method_title or s.method_id or "Shipping",
            code=s.method_id or None,
            price=s.total,
            tax_lines=_tax_lines(s.taxes, taxes, o),
        )
        for s in o.shipping_lines
    )
    return Order(
        external_id=str(o.id),
        number=o.number,
        currency=o.currency,
        created_at=o.date_created_gmt,
        updated_at=o.date_modified_gmt,
        customer=Customer(
            email=o.billing.email,
            first_name=o.billing.first_name,
            last_name=o.billing.last_name,
            phone=o.billing.phone or None,
            external_id=str(o.customer_id) if o.customer_id else None,  # 0: a guest
        ),
        billing_address=_address(o.billing),
        shipping_address=_address(o.shipping),
        lines=lines,
        shipping_lines=shipping,
        tax_lines=tuple(
            TaxLine(title=title, rate=rate, amount=t.tax_total + t.shipping_tax_total)
            for t in o.tax_lines
            for title, rate in [taxes[t.rate_id]]
            if t.tax_total + t.shipping_tax_total
        ),
        taxes_included=False,  # WooCommerce's line amounts exclude tax in every store
        discounts=tuple(_discount(c) for c in o.coupon_lines),
        subtotal=sum((line.net for line in lines), Decimal(0)),
        total_tax=o.total_tax,
        # The lines' own discounts: WooCommerce's discount_total, to the sub-cent the
        # unit prices may carry (_line).
        total_discounts=sum((line.discount for line in lines), Decimal(0)),
        total=o.total,
        financial_status=financial_status(o),
        fulfillment_status="fulfilled" if o.status == "completed" else None,
        cancelled_at=o.date_modified_gmt if o.status == "cancelled" else None,
        note=o.customer_note.strip() or None,
        attribution=_attribution(o),
    )


def _refuse_fees(o: WooOrder) -> None:
    fees = [f for f in o.fee_lines if f.total or f.total_tax]
    if fees:
        shown = ", ".join(f"{html.unescape(f.name) or 'fee'} {f.total}" for f in fees)
        raise PermanentError(
            f"order {o.number} (id {o.id}) has fee line(s) ({shown}) that Causeway does not "
            f"map: the ERP sale would not come to the {o.total} {o.currency} the customer was "
            f"charged. Enter this sale in the ERP by hand, or turn the fee into a product "
            f"line or shipping in WooCommerce, then replay"
        )


def _line(o: WooOrder, index: int, taxes: dict[int, tuple[str, Decimal]]) -> OrderLine:
    li = o.line_items[index]
    if li.quantity <= 0:
        raise PermanentError(
            f"order {o.number} (id {o.id}): line {li.id} ({html.unescape(li.name)}) has "
            f"quantity {li.quantity}; only lines of one unit or more can be sold"
        )
    unit_price = li.subtotal / li.quantity
    if unit_price * li.quantity != li.subtotal:
        # 10.00 for 3: rounded up, so that the discount that makes the line come to
        # its total is never negative (it carries the sub-cent).
        unit_price = unit_price.quantize(UNIT_PRICE_PLACES, ROUND_CEILING)
    return OrderLine(
        external_id=str(li.id),
        sku=li.sku,
        title=html.unescape(li.name),
        quantity=li.quantity,
        unit_price=unit_price,
        discount=unit_price * li.quantity - li.total,
        tax_lines=_tax_lines(li.taxes, taxes, o),
    )


def _tax_lines(
    shares: list[WooLineTax], taxes: dict[int, tuple[str, Decimal]], o: WooOrder
) -> tuple[TaxLine, ...]:
    found = []
    for share in shares:
        if not share.total:
            continue  # a rate that does not apply to this line
        if share.id not in taxes:
            raise PermanentError(
                f"order {o.number} (id {o.id}) charges tax rate {share.id} on a line, but its "
                f"tax_lines do not name that rate: the order's taxes cannot be told apart"
            )
        title, rate = taxes[share.id]
        found.append(TaxLine(title=title, rate=rate, amount=share.total))
    return tuple(found)


def _discount(c: WooCouponLine) -> Discount:
    if c.discount_type == "percent" and c.nominal_amount is not None:
        return Discount(title=c.code, code=c.code, kind="percentage", value=c.nominal_amount)
    if c.discount_type == "fixed_product":
        return Discount(title=c.code, code=c.code, value=c.discount, allocation="each")
    return Discount(title=c.code, code=c.code, value=c.discount)


def _address(a: WooAddress) -> Address | None:
    fields = (a.first_name, a.last_name, a.company, a.address_1, a.city, a.postcode, a.country)
    if not any(f.strip() for f in fields):
        return None  # WooCommerce sends every key, empty, for an order without one
    return Address(
        name=" ".join(p for p in (a.first_name.strip(), a.last_name.strip()) if p),
        company=a.company or None,
        street=a.address_1,
        street2=a.address_2 or None,
        city=a.city,
        postal_code=a.postcode,
        region_code=a.state or None,
        country_code=a.country or None,
        phone=a.phone or None,
    )


def _attribution(o: WooOrder) -> Attribution:
    found: dict[str, str | None] = {}
    for field, keys in ATTRIBUTION_META.items():
        values = [meta_value(o.meta_data, key) for key in keys]
        found[field] = next((str(v) for v in values if v not in (None, "", "(none)")), None)
    if found["source_name"] is None:
        found["source_name"] = o.created_via or None  # checkout, admin, rest-api
    return Attribution(**found)
