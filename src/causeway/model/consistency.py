"""Does a channel order add up by its own figures? (lines, discounts, shipping, tax, total)

An ERP sale can only match the order the customer paid if the order itself adds up.
Shopify's published sample order (vendor-samples/shopify/order.json), for one, does
not: three lines of 199.00 under a subtotal of 398.00, and a 10.00 discount code on an
order whose discounts total 0.00. Such an order is no mapping problem: it is flagged,
and `inconsistencies` says why, in sentences an operator can check against the store.

The rules are Shopify's, which the canonical Order follows (the CSV files connector
builds its orders by the same rules):

- a line's discount is between 0 and its price times quantity; a shipping line's
  discount is at most its price;
- subtotal = the lines after their discounts, less any order-level discount that no
  line carries;
- total discounts include at least every line's discount (shipping discounts may or
  may not be in it: Shopify's documentation does not say, so both are accepted);
  a discount that should have taken something off (a fixed amount, or a percentage
  worth a cent or more, of what it targets) on an order whose discounts are 0 does
  not add up;
- taxes: total tax = the order's tax lines; each tax line (per title and rate) = the
  lines' and shipping lines' tax lines of that title and rate; a line's tax is its
  rate times its discounted amount (of the amount, for taxes included) to the cent;
  taxes given only per order are checked against their rate times what they tax;
  gift cards are never taxed;
- total = subtotal + shipping after discounts + tax (unless included) + tip.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from causeway.model.order import Order, TaxLine
from causeway.model.tax_map import as_percent

CENT = Decimal("0.01")
ZERO = Decimal(0)


def _money(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT, ROUND_HALF_UP))


def _tax_of(amount: Decimal, rate: Decimal, included: bool) -> Decimal:
    """The exact (unrounded) tax on an amount, whether prices include it or not."""
    return amount * rate / (1 + rate) if included else amount * rate


def is_consistent(order: Order) -> bool:
    return not inconsistencies(order)


def inconsistencies(order: Order) -> list[str]:
    """Why the order does not add up by its own figures; empty when it does."""
    problems: list[str] = []
    problems += _line_problems(order)
    problems += _discount_problems(order)
    problems += _tax_problems(order)
    expected_total = (
        order.subtotal
        + order.shipping_total
        + (ZERO if order.taxes_included else order.total_tax)
        + order.tip
    )
    if order.total != expected_total:
        parts = "subtotal + shipping" + ("" if order.taxes_included else " + tax")
        parts += " + tip" if order.tip else ""
        problems.append(f"total {_money(order.total)} is not {parts} = {_money(expected_total)}")
    return problems


def unallocated_discount(order: Order) -> Decimal:
    """Order-level discount that neither lines nor shipping lines carry (0 if none)."""
    allocated = sum((line.discount for line in order.lines), ZERO) + sum(
        (s.discount for s in order.shipping_lines), ZERO
    )
    rest = order.total_discounts - allocated
    return rest if rest > 0 else ZERO


def _line_problems(order: Order) -> list[str]:
    problems = []
    for line in order.lines:
        if not ZERO <= line.discount <= line.gross:
            problems.append(
                f"line {line.title!r}: discount {_money(line.discount)} is not between 0 and "
                f"its {line.quantity} x {_money(line.unit_price)} = {_money(line.gross)}"
            )
        if line.gift_card and any(t.amount for t in line.tax_lines):
            problems.append(f"line {line.title!r} sells a gift card but is taxed")
    for ship in order.shipping_lines:
        if not ZERO <= ship.discount <= ship.price:
            problems.append(
                f"shipping {ship.title!r}: discount {_money(ship.discount)} is not between 0 "
                f"and its price {_money(ship.price)}"
            )
    lines_net = sum((line.net for line in order.lines), ZERO)
    expected = lines_net - unallocated_discount(order)
    if order.subtotal != expected:
        problems.append(
            f"subtotal {_money(order.subtotal)} is not what the lines come to after "
            f"discounts: {_money(expected)}"
        )
    return problems


def _discount_problems(order: Order) -> list[str]:
    line_discounts = sum((line.discount for line in order.lines), ZERO)
    shipping_discounts = sum((s.discount for s in order.shipping_lines), ZERO)
    if order.total_discounts < line_discounts:
        return [
            f"total discounts {_money(order.total_discounts)} are less than the lines' "
            f"discounts {_money(line_discounts)}"
        ]
    if order.total_discounts or line_discounts or shipping_discounts:
        return []
    goods = sum((line.gross for line in order.lines if not line.gift_card), ZERO)
    shipping = sum((s.price for s in order.shipping_lines), ZERO)
    problems = []
    for d in order.discounts:
        target = shipping if d.target == "shipping_line" else goods
        worth = target * d.value / 100 if d.kind == "percentage" else min(d.value, target)
        if worth.quantize(CENT, ROUND_HALF_UP) > 0:
            problems.append(
                f"discount {d.title} ({_worth(d.kind, d.value)}) took nothing off: the "
                f"order's discounts total 0.00"
            )
    return problems


def _worth(kind: str, value: Decimal) -> str:
    return as_percent(value / 100) if kind == "percentage" else _money(value)


def tax_totals(tax_lines: Iterable[TaxLine]) -> dict[tuple[str, Decimal], Decimal]:
    """The tax lines summed per tax (title and rate), in the order each tax first appears:
    Shopify's rule for an order's tax lines from its lines'."""
    summed: dict[tuple[str, Decimal], Decimal] = {}
    for tax in tax_lines:
        key = (tax.title, tax.rate)
        summed[key] = summed.get(key, ZERO) + tax.amount
    return summed


def _tax_problems(order: Order) -> list[str]:
    problems = []
    stated = tax_totals(order.tax_lines)
    if order.tax_lines and sum(stated.values(), ZERO) != order.total_tax:
        problems.append(
            f"total tax {_money(order.total_tax)} is not the sum of the tax lines "
            f"{_money(sum(stated.values(), ZERO))}"
        )
    per_line = [t for li in order.lines for t in li.tax_lines] + [
        t for s in order.shipping_lines for t in s.tax_lines
    ]
    if not order.tax_lines and not per_line and order.total_tax:
        problems.append(
            f"total tax {_money(order.total_tax)} is charged but no tax line says on what"
        )
    if per_line:
        problems += _line_tax_problems(order, stated)
    else:
        problems += _order_tax_problems(order, stated)
    return problems


def _line_tax_problems(order: Order, stated: dict[tuple[str, Decimal], Decimal]) -> list[str]:
    problems = []
    charged = [(line.title, line.net, line.tax_lines) for line in order.lines] + [
        (f"shipping {s.title}", s.net, s.tax_lines) for s in order.shipping_lines
    ]
    for title, amount, taxes in charged:
        for tax in taxes:
            exact = _tax_of(amount, Decimal(tax.rate), order.taxes_included)
            if abs(tax.amount - exact) > CENT:
                problems.append(
                    f"{title!r}: {tax.title} {as_percent(tax.rate)} of {_money(amount)} is "
                    f"{_money(exact)}, not {_money(tax.amount)}"
                )
    summed = tax_totals(t for _, _, taxes in charged for t in taxes)
    if order.tax_lines:
        for key in sorted(set(summed) | set(stated)):
            if summed.get(key, ZERO) != stated.get(key, ZERO):
                problems.append(
                    f"{key[0]} {as_percent(key[1])}: the order says {_money(stated.get(key, ZERO))}"
                    f", its lines {_money(summed.get(key, ZERO))}"
                )
    elif sum(summed.values(), ZERO) != order.total_tax:
        problems.append(
            f"total tax {_money(order.total_tax)} is not the lines' taxes "
            f"{_money(sum(summed.values(), ZERO))}"
        )
    return problems


def _order_tax_problems(order: Order, stated: dict[tuple[str, Decimal], Decimal]) -> list[str]:
    """Taxes given per order only: each is its rate times the goods (and maybe shipping)."""
    goods = sum((line.net for line in order.lines if not line.gift_card), ZERO)
    goods -= unallocated_discount(order)
    bases = (goods, goods + order.shipping_total)
    # Each line rounded on its own may drift half a cent from one rounding of the sum.
    slack = CENT + Decimal("0.005") * (len(order.lines) + len(order.shipping_lines))
    problems = []
    for (title, rate), amount in stated.items():
        exact = [_tax_of(base, rate, order.taxes_included) for base in bases]
        if all(abs(amount - e) > slack for e in exact):
            problems.append(
                f"{title} {as_percent(rate)}: {_money(amount)} charged, but {as_percent(rate)} of "
                f"the taxed {_money(bases[0])} is {_money(exact[0])}"
            )
    return problems
