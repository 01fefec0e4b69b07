"""Which ERP tax a store's tax line is: the `tax_map` of an orders-to-erp flow.

A store names its taxes its own way ("State Tax", "VAT 20%", "GST") and the ERP its own
("State Tax 6%", "TVA collectée 20%"). Without a map the ERP connector finds the ERP
tax by rate, which is right as long as one rate means one tax. When it does not (two
taxes of 6 % for two states, a reduced rate that must go to its own account), the map
names the ERP tax for a store tax:

    tax_map:
      "State Tax": "State Tax 6%"          # this title, whatever its rate
      "County Tax @ 0.5%": "KY County"     # this title at this rate
      "@ 20%": "VAT 20% (EU)"              # any tax of this rate

The most specific entry wins: title and rate, then title, then rate. Titles compare
without case and surrounding spaces; rates are written as 6% or 0.06. The map lives
with the flow, so that each store (each orders-to-erp source) has its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TypeVar

RATE_PLACES = Decimal("0.000001")
K = TypeVar("K")


def parse_rate(text: str) -> Decimal:
    """'6%' or '0.06' -> Decimal('0.060000'); ValueError saying how to write one."""
    cleaned = text.strip()
    percent = cleaned.endswith("%")
    try:
        value = Decimal(cleaned.removesuffix("%").strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or (not percent and value >= 1):
        raise ValueError(f"{text.strip()!r} is not a tax rate: write it as 6% or 0.06")
    return (value / 100 if percent else value).quantize(RATE_PLACES)


def as_percent(rate: Decimal) -> str:
    """A rate as people write it: Decimal('0.06') -> '6%', Decimal('0.075') -> '7.5%'."""
    return f"{(Decimal(rate) * 100).normalize():f}%"


def _title(text: str) -> str:
    return " ".join(text.split()).casefold()


def _put(slot: dict[K, str], key: K, erp_tax: str, where: str) -> None:
    # Titles that differ only in case or spacing are one store tax: two targets is a typo.
    if slot.get(key, erp_tax) != erp_tax:
        raise ValueError(
            f"{where}: the same store tax is already mapped to {slot[key]!r}; keep one entry"
        )
    slot[key] = erp_tax


@dataclass(frozen=True)
class TaxMap:
    by_title_and_rate: Mapping[tuple[str, Decimal], str] = field(default_factory=dict)
    by_title: Mapping[str, str] = field(default_factory=dict)
    by_rate: Mapping[Decimal, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, entries: Mapping[str, str]) -> TaxMap:
        """The map from its configuration; ValueError naming the entry and the fix."""
        by_both: dict[tuple[str, Decimal], str] = {}
        by_title: dict[str, str] = {}
        by_rate: dict[Decimal, str] = {}
        for key, erp_tax in entries.items():
            where = f"entry {key!r}"
            if not isinstance(erp_tax, str) or not erp_tax.strip():
                raise ValueError(f"{where}: name the ERP tax it maps to, e.g. 'State Tax 6%'")
            title_text, at, rate_text = key.partition("@")
            title = _title(title_text)
            if (at and not rate_text.strip()) or (not title and not at):
                raise ValueError(
                    f"{where}: write the store's tax title, 'title @ rate' or '@ rate'"
                )
            try:
                rate = parse_rate(rate_text) if at else None
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from None
            target = erp_tax.strip()
            if title and rate is not None:
                _put(by_both, (title, rate), target, where)
            elif title:
                _put(by_title, title, target, where)
            elif rate is not None:
                _put(by_rate, rate, target, where)
        return cls(by_both, by_title, by_rate)

    def erp_tax(self, title: str, rate: Decimal) -> str | None:
        """The ERP tax name for a store tax line, or None when the map does not say."""
        wanted_title, wanted_rate = _title(title), Decimal(rate).quantize(RATE_PLACES)
        return (
            self.by_title_and_rate.get((wanted_title, wanted_rate))
            or self.by_title.get(wanted_title)
            or self.by_rate.get(wanted_rate)
        )

    def __bool__(self) -> bool:
        return bool(self.by_title_and_rate or self.by_title or self.by_rate)
