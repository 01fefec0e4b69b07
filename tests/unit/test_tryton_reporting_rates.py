"""Tryton keeps every currency's rate against one base; the warehouse wants company
units per unit (connectors/tryton/reporting.py). When the company currency is not the
base, its own rate in force on each date divides in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from causeway.connectors.tryton.reporting import TrytonReporting
from causeway.connectors.tryton.rpc import TrytonRPC

D = Decimal


class Rates:
    """Answers the one search_read currency_rates makes, as Tryton would."""

    def __init__(self, rates: list[tuple[str, dt.date, str]]) -> None:
        self.context: dict[str, Any] = {}
        self.rates = rates

    def search_read(self, model: str, domain: Any, fields: Any, **_: Any) -> list[dict[str, Any]]:
        assert model == "currency.currency.rate"
        return [
            {"currency.": {"code": code}, "date": date, "rate": D(rate)}
            for code, date, rate in sorted(self.rates, key=lambda r: r[1])
        ]


def reporting(rates: list[tuple[str, dt.date, str]]) -> TrytonReporting:
    return TrytonReporting(
        cast(TrytonRPC, Rates(rates)), company_currency=lambda: "EUR", service_skus=()
    )


def test_the_company_rate_in_force_on_each_date_divides_in() -> None:
    found = reporting(
        [
            ("EUR", dt.date(2026, 1, 1), "2"),  # the base is something else: 2 EUR a unit
            ("EUR", dt.date(2026, 3, 1), "4"),
            ("USD", dt.date(2025, 12, 1), "2.5"),  # before EUR's first rate: its first
            ("USD", dt.date(2026, 2, 1), "1"),
            ("USD", dt.date(2026, 3, 1), "5"),
        ]
    ).currency_rates(["usd ", "EUR"])
    assert [(r.currency, r.date, r.rate) for r in found] == [
        ("USD", dt.date(2025, 12, 1), D("0.8")),
        ("USD", dt.date(2026, 2, 1), D("2")),
        ("USD", dt.date(2026, 3, 1), D("0.8")),
    ]


def test_a_currency_without_rates_has_none() -> None:
    assert reporting([("EUR", dt.date(2026, 1, 1), "1")]).currency_rates(["GBP"]) == []
