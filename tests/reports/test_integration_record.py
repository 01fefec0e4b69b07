"""The integration's record: handled, failed, fixed, hours to fix and hours saved, from
one fact_integration row per finished job."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.reports.warehouse_kit import Warehouse, by


def test_hours_saved_and_time_to_fix_per_flow(warehouse: Warehouse) -> None:
    w = warehouse
    w.jobs("2026-03-01", "orders-to-erp", "order", "handled", 90, minutes_each="4")
    w.jobs("2026-03-01", "orders-to-erp", "order", "fixed", 5, hours_to_fix=1.0)
    w.jobs("2026-03-01", "orders-to-erp", "order", "fixed", 5, hours_to_fix=3.0)
    w.jobs("2026-03-02", "orders-to-erp", "order", "handled", 45, minutes_each="6")  # raised
    w.jobs("2026-03-02", "orders-to-erp", "order", "fixed", 5, hours_to_fix=5.0)
    w.jobs("2026-03-02", "invoices", "order", "handled", 30, minutes_each="2")
    w.jobs("2026-04-01", "invoices", "order", "handled", 1000, minutes_each="2")  # after

    rows = by(warehouse.run("integration-record", date_to="2026-03-31"), "flow")
    orders = rows["orders-to-erp"]
    assert (orders["handled"], orders["failed"], orders["fixed"]) == (135, 15, 15)
    assert orders["failure_rate"] == pytest.approx(15 / 150)
    assert orders["hours_to_fix"] == pytest.approx(3.0)  # (5 x 1 + 5 x 3 + 5 x 5) / 15
    assert orders["hours_saved"] == D("10.50")  # (90 x 4 + 45 x 6) / 60 = 630 / 60
    assert rows["invoices"]["hours_saved"] == D("1.00")  # 30 x 2 / 60
    assert rows["invoices"]["hours_to_fix"] is None  # nothing failed


def test_a_job_still_parked_failed_and_is_not_fixed(warehouse: Warehouse) -> None:
    w = warehouse
    w.jobs("2026-03-01", "cases", "case", "handled", 3, minutes_each="10")
    w.jobs("2026-03-01", "cases", "case", "failed", 1, minutes_each="10")  # still parked
    w.jobs("2026-03-01", "cases", "case", "fixed", 1, hours_to_fix=4.0, minutes_each="10")
    w.jobs("2026-03-01", "cases", "case", None, 1, minutes_each="10")  # no outcome: not counted

    (cases,) = warehouse.run("integration-record")
    assert (cases["handled"], cases["failed"], cases["fixed"]) == (3, 2, 1)
    assert cases["failure_rate"] == pytest.approx(2 / 5)
    assert cases["hours_to_fix"] == pytest.approx(4.0)  # the parked job is not fixed yet
    assert cases["hours_saved"] == D("0.50")  # only the handled: 3 x 10 / 60
