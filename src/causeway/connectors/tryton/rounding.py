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


@dataclass(frozen=True)
class Choice:
    """A unit price for a charge, and how far Tryton's line amount at it is off (± units)."""

    price: Decimal
    off: Decimal


def _choices(charge: Charge, unit: Decimal, adjustable: bool) -> list[Choice]:
    """The 4-decimal prices whose line amount is the charge's (or, when an adjustment
    line may correct it, a unit either side), exact and nearest first."""
    quantity = charge.quantity
    center = (charge.amount / quantity).quantize(PRICE_PLACES, ROUND_HALF_UP)
    if not charge.taxes or charge.amount == 0:
        # Nothing to round: the plain price (0 stays 0). Many units may put it off.
        return [Choice(center, currency_round(center * quantity, unit) - charge.amount)]
    widths = 3 if adjustable else 1  # the amount's rounding window, and one each side
    reach = int(unit * widths / 2 / (quantity * PRICE_PLACES)) + 1
    found = []
    for step in range(-reach, reach + 1):
        price = center + step * PRICE_PLACES
        off = currency_round(price * quantity, unit) - charge.amount
        if off == 0 or (adjustable and abs(off) == unit):
            found.append(Choice(price, off))
    found.sort(key=lambda c: (c.off != 0, abs(c.price * quantity - charge.amount), c.price))
    # Without an adjustment line, more units than 4 decimals can spread a cent over are
    # the nearest price, a cent or so off.
    return found or [Choice(center, currency_round(center * quantity, unit) - charge.amount)]


def _line_taxes(charge: Charge, price: Decimal, unit: Decimal) -> dict[int, Decimal]:
    rounded = _round_taxes(_raw_taxes(charge.quantity, price, charge.taxes), unit)
    return {tax_id: amount for (tax_id, _), amount in rounded.items()}


def _options(
    charge: Charge, rounding: TaxRounding, unit: Decimal, adjustable: bool
) -> list[Choice]:
    """The choices worth trying for a charge, the preferred first.

    Per line, what matters is the taxes each price rounds to: the nearest price for each
    outcome (exact amount first), the store's own outcome first of all. Per document, a
    price moves its group's sum: the nearest price, the lowest and the highest.
    """
    choices = _choices(charge, unit, adjustable)
    if len(choices) == 1:
        return choices
    if rounding == "document":
        exact = [c for c in choices if not c.off] or choices
        ends = [min(exact, key=lambda c: c.price), max(exact, key=lambda c: c.price)]
        return list(dict.fromkeys([choices[0], *ends, *[c for c in choices if c.off][:2]]))
    by_outcome: dict[tuple[object, ...], Choice] = {}
    for choice in choices:
        outcome = tuple(sorted(_line_taxes(charge, choice.price, unit).items()))
        by_outcome.setdefault((choice.off, *outcome), choice)
    options = list(by_outcome.values())
    if charge.tax_amounts is not None:
        wanted = {
            k: v for k, v in charge.tax_amounts.items() if any(t.id == k for t in charge.taxes)
        }
        options.sort(key=lambda c: (_line_taxes(charge, c.price, unit) != wanted, c.off != 0))
    return options


@dataclass(frozen=True)
class Prices:
    unit_prices: list[Decimal]
    adjustment: Decimal  # what an untaxed line must add for the amounts to be the store's


def unit_prices(
    charges: Sequence[Charge],
    targets: Mapping[int, Decimal],
    rounding: TaxRounding,
    unit: Decimal = CENT,
    *,
    adjustable: bool = False,
) -> Prices:
    """A 4-decimal unit price per charge: Tryton's tax per tax id as close to `targets`
    (the store's) as prices allow, each line's amount exact where possible.

    Starts from each charge's preferred price and moves one charge at a time to another
    of its options while that brings the taxes closer (then: fewer lines off their amount;
    per document, also the unrounded tax sums, so that several small moves can cross a
    rounding step together). With `adjustable`, a line may be a unit off its amount when
    only that lets its tax land (a tax on exactly half a cent, which the store rounded up
    and Tryton rounds to even); the returned adjustment, an untaxed line, puts it back.
    """
    options = [_options(c, rounding, unit, adjustable) for c in charges]
    chosen = [0] * len(charges)

    def score(choice: Sequence[int]) -> tuple[Decimal, int, Decimal]:
        picked = [opts[i] for opts, i in zip(options, choice, strict=True)]
        lines = [(c.quantity, p.price, c.taxes) for c, p in zip(charges, picked, strict=True)]
        _, taxes = tryton_amounts(lines, rounding, unit)
        off = sum((abs(taxes.get(t, ZERO) - target) for t, target in targets.items()), ZERO)
        moved = sum(1 for p in picked if p.off)
        if rounding == "line":
            return off, moved, ZERO
        raw: dict[int, Decimal] = {}
        for q, price, line_taxes in lines:
            for tax in line_taxes:
                raw[tax.id] = raw.get(tax.id, ZERO) + price * tax.rate * q
        return off, moved, sum((abs(raw.get(t, ZERO) - v) for t, v in targets.items()), ZERO)

    best = score(chosen)
    movable = [i for i, opts in enumerate(options) if len(opts) > 1]
    for _ in range(4 * len(movable) + 4):
        if best[0] == 0 or not movable:
            break
        move: tuple[tuple[Decimal, int, Decimal], int, int] | None = None
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
    picked = [opts[i] for opts, i in zip(options, chosen, strict=True)]
    return Prices(
        [p.price for p in picked],
        -sum((p.off for p in picked), ZERO) if adjustable else ZERO,
    )
