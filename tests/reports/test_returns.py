"""Return rate by SKU and reason, by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.reports.warehouse_kit import Warehouse, by


def test_return_rate_per_sku_and_reason(warehouse: Warehouse) -> None:
    warehouse.line("o1", 1, "A", "6", "60", "30")
    warehouse.line("o2", 1, "A", "4", "40", "20", currency="USD", rate="0.9")
    warehouse.line("o3", 1, "B", "5", "50", "25")
    warehouse.refund("o1", "A", "2", "20", reason="too small")
    warehouse.refund("o2", "A", "1", "10", reason="damaged", currency="USD", rate="0.9")
    warehouse.refund("o3", "B", "1", "10", reason=None)

    rows = by(warehouse.run("returns"), "sku", "reason")
    small = rows["A", "too small"]
    assert (small["units_sold"], small["units_returned"]) == (D("10"), D("2"))  # 6 + 4 sold
    assert small["return_rate"] == pytest.approx(0.2)  # 2 / 10
    assert small["refunded"] == D("20")
    damaged = rows["A", "damaged"]
    assert damaged["return_rate"] == pytest.approx(0.1)  # 1 / 10: A's reasons add to 0.3
    assert damaged["refunded"] == D("9")  # 10 USD x 0.9
    assert rows["B", "unknown"]["return_rate"] == pytest.approx(0.2)  # 1 / 5
