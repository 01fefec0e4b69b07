"""What the hub keeps of an order for the warehouse: one header and its goods lines
(docs/order-facts.md). Pure: the canonical Order in, the row to store out; the engine's
order_facts module stores it.

Every amount is tax-excluded except `tax` and `total`, whether or not the channel's
prices include tax, so that the warehouse's revenue is the same thing on every channel:

- taxes excluded (`taxes_included` false): the channel's unit price and discount are
  already net of tax and are kept as they are.
- taxes included: a line's tax-excluded amount is its net minus its taxes, exactly as
  the channel charged them (`OrderLine.tax_lines` are the taxes on the discounted line).
  Its unit price and discount are scaled by the same ratio (net without tax / net) and
  rounded to 4 places, so `unit_price x quantity - discount` may differ from the exact
  net by less than 0.0001 per unit; the header's `goods_net` is the exact sum.
  A line discounted to nothing has no tax to go by: its rates are used instead.

Gift-card lines are not goods (a liability, never taxed, never stock) and are left out
of the lines and of `goods_net`. No personal data: the customer is the golden record's id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from causeway.engine.order_facts import FactLine, OrderFact
from causeway.engine.portal_checkouts import Checkout
from causeway.model import Order
from causeway.model.money import shared_out
from causeway.model.order import OrderLine, ShippingLine, TaxLine
from causeway.model.ports.portal import PlacedPortalSale
from causeway.notifications.events import PORTAL_CHANNEL

ZERO = Decimal(0)
PLACES = Decimal("0.0001")


def _taxes(tax_lines: Iterable[TaxLine]) -> tuple[Decimal, Decimal]:
    """(amount, rate) of these taxes together."""
    lines = list(tax_lines)
    return sum((t.amount for t in lines), ZERO), sum((t.rate for t in lines), ZERO)


def _ratio(net: Decimal, tax: Decimal, rate: Decimal) -> Decimal:
    """What multiplies a tax-included amount into its tax-excluded part."""
    if net != 0:
        return (net - tax) / net
    return 1 / (1 + rate)


def _epoch(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def _places(value: Decimal) -> Decimal:
    return value.quantize(PLACES)


def fact_line(line_no: int, line: OrderLine, *, taxes_included: bool) -> FactLine:
    tax, rate = _taxes(line.tax_lines)
    unit_price, discount = line.unit_price, line.discount
    if taxes_included and (tax or rate):
        ratio = _ratio(line.net, tax, rate)
        unit_price, discount = _places(unit_price * ratio), _places(discount * ratio)
    return FactLine(line_no, line.sku, line.title, line.quantity, unit_price, discount, tax)


def _shipping(line: ShippingLine, taxes_included: bool) -> tuple[Decimal, Decimal]:
    """(charged, discount) of a shipping line, tax excluded."""
    tax, rate = _taxes(line.tax_lines)
    if not taxes_included or not (tax or rate):
        return line.net, line.discount
    return line.net - tax, _places(line.discount * _ratio(line.net, tax, rate))


def goods_lines(order: Order) -> list[OrderLine]:
    return [line for line in order.lines if not line.gift_card]


def order_fact(
    order: Order,
    *,
    system: str,
    customer_id: str | None,
    customer_group: str | None,
    erp_system: str | None,
    erp_sale_id: str | None,
) -> OrderFact:
    """The fact of `order` as placed (or edited): its header and goods lines."""
    included = order.taxes_included
    lines = tuple(
        fact_line(no, line, taxes_included=included)
        for no, line in enumerate(goods_lines(order), start=1)
    )
    goods_net = sum(
        (line.net - _taxes(line.tax_lines)[0] if included else line.net)
        for line in goods_lines(order)
    )
    shipping = [_shipping(s, included) for s in order.shipping_lines]
    attribution = order.attribution
    return OrderFact(
        system=system,
        order_id=order.external_id,
        number=order.number,
        customer_id=customer_id,
        customer_group=customer_group,
        currency=order.currency,
        ordered_at=_epoch(order.created_at),
        taxes_included=included,
        goods_net=Decimal(goods_net),
        discounts=sum((line.discount for line in lines), ZERO)
        + sum((discount for _, discount in shipping), ZERO),
        shipping_charged=sum((charged for charged, _ in shipping), ZERO),
        tax=order.total_tax,
        total=order.total,
        source_name=attribution.source_name,
        landing_site=attribution.landing_site,
        referring_site=attribution.referring_site,
        landing_site_ref=attribution.landing_site_ref,
        erp_system=erp_system,
        erp_sale_id=erp_sale_id,
        lines=lines,
    )


def portal_order_fact(
    checkout: Checkout,
    sale: PlacedPortalSale,
    *,
    customer_id: str | None,
    erp_system: str,
) -> OrderFact:
    """A B2B portal order (channel "portal") once the ERP has its sale.

    The checkout's lines are priced without tax at the party's prices, with no discount
    and no shipping; the ERP's sale says the tax, which is shared out over the lines in
    proportion to their amounts (the last line takes what rounding leaves), and the total.
    """
    amounts = [line.quantity * line.unit_price for line in checkout.lines]
    goods_net = sum(amounts, ZERO)
    taxes = shared_out(sale.tax_amount, amounts, PLACES)
    lines: list[FactLine] = []
    for no, (line, tax) in enumerate(zip(checkout.lines, taxes, strict=True), start=1):
        # The portal sells whole units; a fractional quantity would be a portal bug.
        lines.append(
            FactLine(no, line.sku, line.name, int(line.quantity), line.unit_price, ZERO, tax)
        )
    return OrderFact(
        system=PORTAL_CHANNEL,
        order_id=checkout.reference,
        number=checkout.reference,
        customer_id=customer_id,
        customer_group=None,
        currency=sale.currency or checkout.currency,
        ordered_at=checkout.created_at,
        taxes_included=False,
        goods_net=goods_net,
        discounts=ZERO,
        shipping_charged=ZERO,
        tax=sale.tax_amount,
        total=sale.total_amount,
        source_name=PORTAL_CHANNEL,
        landing_site=None,
        referring_site=None,
        landing_site_ref=None,
        erp_system=erp_system,
        erp_sale_id=str(sale.sale_id),
        lines=tuple(lines),
    )
