"""The rate of each tax on a WooCommerce order.

An order's `tax_lines` name each tax rate charged (`rate_id`, `label`) and its
amount; the lines and shipping lines carry their share per rate id. The rate itself
is `rate_percent` from WooCommerce 5.7 on. Before that it is not in the order at all
(and a store running 5.7 or later reports 0 for a tax line saved before it, not null),
so it is read back from the amounts: the coarsest rate (a whole percent, then tenths,
hundredths, thousandths of one) that gives every line's and shipping line's tax to
the half cent, as WooCommerce rounded it. 19 %, 7.25 % and 5.5 % come out exact; an
unusual rate may not, and an orders-to-erp tax_map entry by title settles it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from causeway.connectors.woocommerce.models import WooLineTax, WooOrder, WooTaxLine

HALF_CENT = Decimal("0.005")
# Fractions a rate is tried at, coarsest first: 0.19, 0.075, 0.0725, 0.08875, 0.088750.
PLACES = tuple(Decimal(1).scaleb(-n) for n in range(2, 7))


def _share(taxes: Iterable[WooLineTax], rate_id: int) -> Decimal:
    return sum((t.total for t in taxes if t.id == rate_id), Decimal(0))


def charged_amounts(order: WooOrder, rate_id: int) -> list[tuple[Decimal, Decimal]]:
    """(taxed amount, tax) of each line and shipping line this rate applies to."""
    found = [(li.total, _share(li.taxes, rate_id)) for li in order.line_items]
    found += [(s.total, _share(s.taxes, rate_id)) for s in order.shipping_lines]
    return [(base, tax) for base, tax in found if tax]


def derived_rate(charged: list[tuple[Decimal, Decimal]]) -> Decimal:
    """The coarsest rate that reproduces every (base, tax) pair to the half cent."""
    base = sum((b for b, _ in charged), Decimal(0))
    if not base:
        return Decimal(0)
    exact = sum((t for _, t in charged), Decimal(0)) / base
    for places in PLACES:
        rate = exact.quantize(places, ROUND_HALF_UP)
        if all(abs(b * rate - t) <= HALF_CENT for b, t in charged):
            return rate.normalize()
    return exact.quantize(PLACES[-1], ROUND_HALF_UP).normalize()


def rate_of(order: WooOrder, tax: WooTaxLine) -> Decimal:
    """The tax's rate as a fraction (0.075 for 7.5 %). A stated 0 % on a tax that charged
    money is a line saved before WooCommerce 5.7: its rate comes from the amounts."""
    charged = charged_amounts(order, tax.rate_id)
    if tax.rate_percent is not None and (tax.rate_percent or not charged):
        return (tax.rate_percent / 100).normalize()
    return derived_rate(charged)


def tax_titles_and_rates(order: WooOrder) -> dict[int, tuple[str, Decimal]]:
    """Rate id -> (the tax's title as the customer saw it, its rate)."""
    return {t.rate_id: (t.label or t.rate_code, rate_of(order, t)) for t in order.tax_lines}
