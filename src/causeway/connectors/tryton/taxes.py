"""Which Tryton tax a store's tax line is: by the flow's tax_map, else by rate."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from causeway.errors import MissingMasterDataError
from causeway.model import TaxLine
from causeway.model.tax_map import RATE_PLACES, TaxMap, as_percent


@dataclass(frozen=True)
class TrytonTax:
    id: int
    name: str
    rate: Decimal


def _same_rate(a: Decimal, b: Decimal) -> bool:
    return Decimal(a).quantize(RATE_PLACES) == Decimal(b).quantize(RATE_PLACES)


def _mapped(tax_line: TaxLine, name: str, taxes: Sequence[TrytonTax], system: str) -> TrytonTax:
    found = [t for t in taxes if t.name.strip().casefold() == name.casefold()]
    what = f"the store's tax {tax_line.title!r} ({as_percent(tax_line.rate)})"
    if not found:
        raise MissingMasterDataError(
            f"tax_map maps {what} to {name!r}, but {system} has no customer tax of that name: "
            f"create it in Tryton (Financial > Taxes) or correct the name in the "
            f"orders-to-erp flow's tax_map, then run `causeway replay`"
        )
    tax = min(found, key=lambda t: t.id)
    if not _same_rate(tax.rate, tax_line.rate):
        raise MissingMasterDataError(
            f"tax_map maps {what} to {tax.name!r}, whose rate is {as_percent(tax.rate)}: the sale "
            f"would not charge what the customer paid; map it to a tax of "
            f"{as_percent(tax_line.rate)} in the orders-to-erp flow's tax_map, then replay"
        )
    return tax


def match_tax(
    tax_line: TaxLine,
    taxes: Sequence[TrytonTax],
    *,
    system: str = "erp",
    tax_map: TaxMap | None = None,
) -> TrytonTax:
    """The Tryton customer tax for a store tax line.

    The flow's tax_map names it when it has an entry for the line's title and/or rate;
    otherwise the tax of the same rate: of several, the one whose name contains the
    store's title, then the oldest (lowest id), so the choice is stable.
    """
    name = tax_map.erp_tax(tax_line.title, tax_line.rate) if tax_map else None
    if name:
        return _mapped(tax_line, name, taxes, system)
    candidates = [t for t in taxes if _same_rate(t.rate, tax_line.rate)]
    if not candidates:
        wanted = Decimal(tax_line.rate).quantize(RATE_PLACES)
        raise MissingMasterDataError(
            f"no customer tax with rate {as_percent(tax_line.rate)} in {system} "
            f"(channel tax {tax_line.title!r}): create a percentage tax with rate "
            f"{wanted.normalize():f} in Tryton (Financial > Taxes), or name the tax to use in "
            f"the orders-to-erp flow's tax_map, then run `causeway replay`"
        )
    title = tax_line.title.casefold()
    named = [t for t in candidates if title and title in t.name.casefold()]
    return min(named or candidates, key=lambda t: t.id)


def erp_taxes(
    tax_lines: Iterable[TaxLine],
    taxes: Sequence[TrytonTax],
    *,
    system: str = "erp",
    tax_map: TaxMap | None = None,
) -> tuple[TrytonTax, ...]:
    """The Tryton taxes of tax lines, once each, in Tryton's order (by id).

    A zero-rate line needs no Tryton tax, unless the tax_map names one for it.
    """
    found: dict[int, TrytonTax] = {}
    for tax_line in tax_lines:
        mapped = tax_map.erp_tax(tax_line.title, tax_line.rate) if tax_map else None
        if Decimal(tax_line.rate) == 0 and not mapped:
            continue
        tax = match_tax(tax_line, taxes, system=system, tax_map=tax_map)
        found[tax.id] = tax
    return tuple(found[i] for i in sorted(found))


def tax_ids(
    tax_lines: Iterable[TaxLine],
    taxes: Sequence[TrytonTax],
    *,
    system: str = "erp",
    tax_map: TaxMap | None = None,
) -> list[int]:
    """Tryton tax ids for tax lines; zero-rate lines need no tax and are skipped."""
    return [t.id for t in erp_taxes(tax_lines, taxes, system=system, tax_map=tax_map)]


def amounts_by_tax(
    tax_lines: Iterable[TaxLine],
    taxes: Sequence[TrytonTax],
    *,
    system: str = "erp",
    tax_map: TaxMap | None = None,
) -> dict[int, Decimal]:
    """What the store charged per Tryton tax id (tax lines without a Tryton tax left out)."""
    amounts: dict[int, Decimal] = {}
    for tax_line in tax_lines:
        for tax in erp_taxes([tax_line], taxes, system=system, tax_map=tax_map):
            amounts[tax.id] = amounts.get(tax.id, Decimal(0)) + tax_line.amount
    return amounts
