"""Converting a document's amounts into the company's currency (docs/warehouse.md).

The rate is the ERP's on the document's date: the latest rate on or before that day
(a rate holds until the next one). The company's own currency is 1. Without a rate
(no ERP, or the ERP has none that early) the converted amounts are NULL: an unknown
conversion is never guessed, and a report never adds euros to dollars.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from causeway.model.ports.erp_reporting import CurrencyRate

CENTS4 = Decimal("0.0001")


@dataclass
class Rates:
    """The company currency and, per currency, its rates sorted by date."""

    company_currency: str | None
    by_currency: dict[str, tuple[list[dt.date], list[Decimal]]] = field(default_factory=dict)

    @classmethod
    def of(cls, company_currency: str | None, rates: Iterable[CurrencyRate]) -> Rates:
        found: dict[str, list[tuple[dt.date, Decimal]]] = {}
        for rate in rates:
            found.setdefault(rate.currency.upper(), []).append((rate.date, rate.rate))
        by_currency = {}
        for currency, entries in found.items():
            entries.sort()
            by_currency[currency] = ([d for d, _ in entries], [r for _, r in entries])
        return cls(company_currency, by_currency)

    def add(self, rates: Iterable[CurrencyRate]) -> None:
        """More currencies' rates (a source read later in the build names new ones)."""
        self.by_currency.update(Rates.of(self.company_currency, rates).by_currency)

    def knows(self, currency: str) -> bool:
        code = currency.upper()
        return code == self.company_currency or code in self.by_currency

    def rate(self, currency: str | None, day: dt.date | None) -> Decimal | None:
        """Company units per unit of `currency` on `day`; None when not known."""
        if currency is None or self.company_currency is None:
            return None
        if currency.upper() == self.company_currency:
            return Decimal(1)
        entries = self.by_currency.get(currency.upper())
        if entries is None or day is None:
            return None
        dates, values = entries
        at = bisect.bisect_right(dates, day)
        return values[at - 1] if at else None


def converted(amount: Decimal | None, rate: Decimal | None) -> Decimal | None:
    """The amount in the company's currency, to 4 places; None when either is unknown."""
    if amount is None or rate is None:
        return None
    return (amount * rate).quantize(CENTS4, rounding=ROUND_HALF_EVEN)


def decimal(text: str | None) -> Decimal | None:
    """Decimal text as the hub stores it; None for none."""
    return None if text in (None, "") else Decimal(str(text))
