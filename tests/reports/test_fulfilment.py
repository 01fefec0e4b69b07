"""Fulfilment lead time per channel and warehouse: count, mean, p50, p90, by hand."""

from __future__ import annotations

from datetime import date

import pytest

from tests.reports.warehouse_kit import Warehouse, by


def shipment(warehouse: Warehouse, number: int, hours: float, *, channel: str = "shop",
             site: str = "WH", day: str = "2026-03-03") -> None:  # fmt: skip
    warehouse.add("fact_fulfilments", order_key=f"o{number}", channel=channel,
                  shipment_id=number, warehouse=site, ship_date=date.fromisoformat(day),
                  lead_time_hours=hours)  # fmt: skip


def test_lead_time_statistics_per_channel_and_warehouse(warehouse: Warehouse) -> None:
    for number, hours in enumerate((10.0, 20.0, 30.0, 40.0), start=1):
        shipment(warehouse, number, hours)
    shipment(warehouse, 5, 5.0, site="WH2")
    shipment(warehouse, 6, 100.0, channel="amazon")
    shipment(warehouse, 7, 999.0, day="2026-04-01")  # shipped after the range

    rows = by(warehouse.run("fulfilment-lead-time", date_to="2026-03-31"), "channel", "warehouse")
    wh = rows["shop", "WH"]
    assert wh["shipments"] == 4
    assert wh["mean_hours"] == pytest.approx(25.0)  # (10 + 20 + 30 + 40) / 4
    # Continuous percentiles over 10, 20, 30, 40: position (n - 1) x q from the first.
    assert wh["p50_hours"] == pytest.approx(25.0)  # 1.5 -> halfway from 20 to 30
    assert wh["p90_hours"] == pytest.approx(37.0)  # 2.7 -> 30 + 0.7 x 10
    assert wh["max_hours"] == pytest.approx(40.0)
    assert rows["shop", "WH2"]["shipments"] == 1
    assert rows["amazon", "WH"]["p90_hours"] == pytest.approx(100.0)
