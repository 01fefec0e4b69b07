"""Abandoned carts and recovery, by hand; cart values stay in their own currency."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from tests.reports.warehouse_kit import Warehouse, by

NOON = datetime(2026, 3, 2, 12)


def cart(warehouse: Warehouse, checkout: str, state: str, total: str, currency: str = "EUR",
         channel: str = "shop", customer: str | None = None) -> None:  # fmt: skip
    warehouse.add("fact_carts", channel=channel, checkout_id=checkout, customer_id=customer,
                  created_date=date(2026, 3, 2), state=state, currency=currency, total=total,
                  abandoned_at=NOON if state in ("abandoned", "recovered") else None)  # fmt: skip


def test_abandonment_and_recovery_rates_per_channel_and_currency(warehouse: Warehouse) -> None:
    cart(warehouse, "c1", "completed", "10")
    cart(warehouse, "c2", "abandoned", "20")
    cart(warehouse, "c3", "abandoned", "30")
    cart(warehouse, "c4", "recovered", "40")
    cart(warehouse, "c5", "open", "50")
    cart(warehouse, "c6", "abandoned", "70", currency="USD")
    cart(warehouse, "c7", "recovered", "80", currency="USD")

    rows = by(warehouse.run("abandoned-carts"), "currency")
    eur = rows["EUR"]
    assert (eur["carts"], eur["decided"], eur["abandoned"], eur["recovered"]) == (5, 4, 3, 1)
    assert eur["abandonment_rate"] == pytest.approx(3 / 4)  # c2, c3, c4 of the 4 decided
    assert eur["recovery_rate"] == pytest.approx(1 / 3)  # c4 of c2, c3, c4
    assert eur["abandoned_value"] == D("50")  # 20 + 30 euros...
    assert eur["recovered_value"] == D("40")
    usd = rows["USD"]  # ...and the dollars on a row of their own: never 50 + 70
    assert (usd["abandoned_value"], usd["recovered_value"]) == (D("70"), D("80"))
    assert usd["recovery_rate"] == pytest.approx(1 / 2)


def test_a_customer_group_narrows_to_its_customers_carts(warehouse: Warehouse) -> None:
    warehouse.customer("alice", group="retail")
    cart(warehouse, "c1", "abandoned", "20", customer="alice")
    cart(warehouse, "c2", "abandoned", "30")
    rows = warehouse.run("abandoned-carts", customer_group="retail")
    assert [(r["carts"], r["abandoned_value"]) for r in rows] == [(1, D("20"))]
