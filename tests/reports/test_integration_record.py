"""The integration's record: handled, failed, fixed, hours to fix and hours saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from tests.reports.warehouse_kit import Warehouse, by


def day(warehouse: Warehouse, when: str, flow: str, handled: int, failed: int, fixed: int,
        hours_to_fix: float | None, minutes_each: str) -> None:  # fmt: skip
    warehouse.add("fact_integration", date=date.fromisoformat(when), flow=flow, kind="order",
                  handled=handled, failed=failed, fixed=fixed, hours_to_fix=hours_to_fix,
                  minutes_each=minutes_each)  # fmt: skip


def test_hours_saved_and_time_to_fix_per_flow(warehouse: Warehouse) -> None:
    day(warehouse, "2026-03-01", "orders-to-erp", 90, 10, 10, 2.0, "4")
    day(warehouse, "2026-03-02", "orders-to-erp", 45, 5, 5, 5.0, "6")  # minutes raised
    day(warehouse, "2026-03-02", "invoices", 30, 0, 0, None, "2")
    day(warehouse, "2026-04-01", "invoices", 1000, 0, 0, None, "2")  # after the range

    rows = by(warehouse.run("integration-record", date_to="2026-03-31"), "flow")
    orders = rows["orders-to-erp"]
    assert (orders["handled"], orders["failed"], orders["fixed"]) == (135, 15, 15)
    assert orders["failure_rate"] == pytest.approx(15 / 150)
    assert orders["hours_to_fix"] == pytest.approx(3.0)  # (2 x 10 + 5 x 5) / 15
    assert orders["hours_saved"] == D("10.50")  # (90 x 4 + 45 x 6) / 60 = 630 / 60
    assert rows["invoices"]["hours_saved"] == D("1.00")  # 30 x 2 / 60
    assert rows["invoices"]["hours_to_fix"] is None  # nothing failed
