"""Tryton's own arithmetic for a sale's amounts, and unit prices chosen so it lands on the store's.

Tryton 8.2 (modules sale and account, measured against its source):

- a sale line's amount is quantity x unit price rounded to the currency (half even);
  its unit price holds 4 decimals (product price digits);
- its taxes are computed on quantity x unit price *unrounded*, then rounded to the
  currency as the company's `tax_rounding` says: per line (each line's taxes rounded,
  then added) or per document (the lines are grouped by their set of taxes and by
  sign, each group's taxes rounded once); either way a rounding remainder left over
  by several taxes of one line or group moves a cent onto one of them.

A store rounds too, and Shopify rounds each line's tax. So a unit price is not just
"amount / quantity": of the 4-decimal prices whose line amount is the store's to the
cent, the one is chosen whose taxes Tryton rounds to the store's (the line's own
taxes when the store gives them, and per tax over the whole order). That is how a
price that includes tax, or a tax that falls on a half cent, still lands on the
store's figures. What cannot land is said in docs/connectors/tryton.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from itertools import cycle
from typing import Literal

from causeway.connectors.tryton.taxes import TrytonTax

TaxRounding = Literal["line", "document"]
PRICE_PLACES = Decimal("0.0001")  # Tryton's product price digits (default 4)
CENT = Decimal("0.01")
ZERO = Decimal(0)

# (tax id, base >= 0): how Tryton keys the tax amounts of a line or group (the account,
# also in its key, follows from the tax and the sign).
TaxKey = tuple[int, bool]


@dataclass(frozen=True)
class Charge:
    """What one sale line must come to in Tryton.

    `amount` is the line's untaxed amount in the currency; `tax_amounts` the store's
    tax on this very line per Tryton tax id, when the store states it.
    """

    quantity: int
    amount: Decimal
    taxes: tuple[TrytonTax, ...] = ()
    tax_amounts: Mapping[int, Decimal] | None = None


def currency_round(value: Decimal, unit: Decimal = CENT) -> Decimal:
    """Tryton's Currency.round: to the currency's rounding, half even."""
    return (value / unit).quantize(Decimal(1), rounding=ROUND_HALF_EVEN) * unit


def _round_taxes(amounts: dict[TaxKey, Decimal], unit: Decimal) -> dict[TaxKey, Decimal]:
    """account.tax TaxableMixin._round_taxes: round each, then push the remainder back."""
    rounded: dict[TaxKey, Decimal] = {}
    remainder = ZERO
    for key, raw in amounts.items():
        rounded[key] = currency_round(raw, unit)
        remainder += rounded[key] - raw
    remainder = currency_round(remainder, unit)
    if abs(remainder) >= unit and any(rounded.values()):
        offset = unit.copy_sign(remainder)
        for key in cycle(list(rounded)):
            if rounded[key]:
                rounded[key] -= offset
                remainder -= offset
                if abs(remainder) < unit:
                    break
    return rounded


def _raw_taxes(
    quantity: int, unit_price: Decimal, taxes: Sequence[TrytonTax]
) -> dict[TaxKey, Decimal]:
    base = unit_price * quantity
    return {(tax.id, base >= 0): unit_price * tax.rate * quantity for tax in taxes}


def tryton_amounts(
    lines: Sequence[tuple[int, Decimal, Sequence[TrytonTax]]],
    rounding: TaxRounding,
    unit: Decimal = CENT,
) -> tuple[Decimal, dict[int, Decimal]]:
    """(untaxed amount, tax per tax id) Tryton computes for (quantity, unit price, taxes)."""
    untaxed = sum((currency_round(q * price, unit) for q, price, _ in lines), ZERO)
    totals: dict[int, Decimal] = {}

    def add(rounded: Mapping[TaxKey, Decimal]) -> None:
        for (tax_id, _), amount in rounded.items():
            totals[tax_id] = totals.get(tax_id, ZERO) + amount

    if rounding == "line":
        for q, price, taxes in lines:
            add(_round_taxes(_raw_taxes(q, price, taxes), unit))
        return untaxed, totals
    groups: dict[tuple[tuple[int, ...], bool], dict[TaxKey, Decimal]] = {}
    for q, price, taxes in lines:
        group = groups.setdefault((tuple(t.id for t in taxes), price * q >= 0), {})
        for key, raw in _raw_taxes(q, price, taxes).items():
            group[key] = group.get(key, ZERO) + raw
    for group in groups.values():
        add(_round_taxes(group, unit))
    return untaxed, totals


def _exact_prices(charge: Charge, unit: Decimal) -> list[Decimal]:
    """Every 4-decimal unit price whose line amount is the charge's, nearest first."""
    quantity = charge.quantity
    center = (charge.amount / quantity).quantize(PRICE_PLACES, ROUND_HALF_UP)
    if not charge.taxes or charge.amount == 0:
        return [center]  # nothing to round: the plain price (and 0 stays 0)
    reach = int(unit / 2 / (quantity * PRICE_PLACES)) + 1
    found = [
        price
        for step in range(-reach, reach + 1)
        if currency_round((price := center + step * PRICE_PLACES) * quantity, unit) == charge.amount
    ]
    found.sort(key=lambda p: (abs(p * quantity - charge.amount), p))
    # More units than 4 decimals can spread a cent over: the nearest price, a cent off.
    return found or [center]


def _line_taxes(charge: Charge, price: Decimal, unit: Decimal) -> dict[int, Decimal]:
    rounded = _round_taxes(_raw_taxes(charge.quantity, price, charge.taxes), unit)
    return {tax_id: amount for (tax_id, _), amount in rounded.items()}


def _options(charge: Charge, rounding: TaxRounding, unit: Decimal) -> list[Decimal]:
    """The prices worth trying for a charge, the preferred first.

    Per line, what matters is the taxes each price rounds to: the nearest price for each
    outcome, the store's own outcome first. Per document, a price moves its group's sum:
    the nearest price, and the lowest and highest that keep the amount.
    """
    prices = _exact_prices(charge, unit)
    if len(prices) == 1:
        return prices
    if rounding == "document":
        return list(dict.fromkeys([prices[0], min(prices), max(prices)]))
    by_outcome: dict[tuple[tuple[int, Decimal], ...], Decimal] = {}
    for price in prices:
        by_outcome.setdefault(tuple(sorted(_line_taxes(charge, price, unit).items())), price)
    options = list(by_outcome.values())
    if charge.tax_amounts is not None:
        wanted = {
            k: v for k, v in charge.tax_amounts.items() if any(t.id == k for t in charge.taxes)
        }
        options.sort(key=lambda p: _line_taxes(charge, p, unit) != wanted)
    return options


def unit_prices(
    charges: Sequence[Charge],
    targets: Mapping[int, Decimal],
    rounding: TaxRounding,
    unit: Decimal = CENT,
) -> list[Decimal]:
    """A 4-decimal unit price per charge: each line's amount exact, and Tryton's tax per
    tax id as close to `targets` (the store's) as prices allow.

    Starts from each charge's preferred price and moves one charge at a time to another
    of its options while that brings the taxes closer (per document, also their
    unrounded sums, so that several small moves can cross a rounding step together).
    """
    options = [_options(c, rounding, unit) for c in charges]
    chosen = [0] * len(charges)

    def score(choice: Sequence[int]) -> tuple[Decimal, Decimal]:
        lines = [
            (c.quantity, opts[i], c.taxes)
            for c, opts, i in zip(charges, options, choice, strict=True)
        ]
        _, taxes = tryton_amounts(lines, rounding, unit)
        off = sum((abs(taxes.get(t, ZERO) - target) for t, target in targets.items()), ZERO)
        if rounding == "line":
            return off, ZERO
        raw: dict[int, Decimal] = {}
        for q, price, line_taxes in lines:
            for tax in line_taxes:
                raw[tax.id] = raw.get(tax.id, ZERO) + price * tax.rate * q
        return off, sum((abs(raw.get(t, ZERO) - v) for t, v in targets.items()), ZERO)

    best = score(chosen)
    movable = [i for i, opts in enumerate(options) if len(opts) > 1]
    for _ in range(4 * len(movable) + 4):
        if best[0] == 0 or not movable:
            break
        move: tuple[tuple[Decimal, Decimal], int, int] | None = None
        for i in movable:
            for j in range(len(options[i])):
                if j == chosen[i]:
                    continue
                trial = list(chosen)
                trial[i] = j
                result = score(trial)
                if result < best and (move is None or result < move[0]):
                    move = (result, i, j)
        if move is None:
            break
        best, i, j = move
        chosen[i] = j
    return [opts[i] for opts, i in zip(options, chosen, strict=True)]
