"""What a snapshot records, decided without I/O (stock/snapshots.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from causeway.engine.stock_snapshots import SnapshotRow
from causeway.model import StockLevel
from causeway.stock.snapshots import channel_rows, erp_rows

NOW = dt.datetime(2026, 12, 6, 23, 50, tzinfo=dt.UTC)


def level(sku: str, location: str, on_hand: str, forecast: str) -> StockLevel:
    return StockLevel(
        sku=sku,
        location=location,
        on_hand=Decimal(on_hand),
        forecast=Decimal(forecast),
        as_of=NOW,
    )


def test_the_erp_gives_one_row_per_sku_and_warehouse_with_on_hand_and_forecast() -> None:
    rows = erp_rows(
        [
            level("LAMP", "WH", "12", "9"),
            level("CHAIR", "WH", "0", "-2"),
            level("LAMP", "EU", "3", "3"),
        ]
    )
    assert rows == [
        SnapshotRow(sku="LAMP", location="EU", quantity=Decimal(3), forecast=Decimal(3)),
        SnapshotRow(sku="CHAIR", location="WH", quantity=Decimal(0), forecast=Decimal(-2)),
        SnapshotRow(sku="LAMP", location="WH", quantity=Decimal(12), forecast=Decimal(9)),
    ]


def test_a_warehouse_read_twice_keeps_each_sku_once() -> None:
    rows = erp_rows([level("LAMP", "WH", "12", "9"), level("LAMP", "WH", "12", "9")])
    assert len(rows) == 1


def test_fractional_quantities_stay_exact() -> None:
    (row,) = erp_rows([level("ROPE", "WH", "2.5", "1.25")])
    assert (row.quantity, row.forecast) == (Decimal("2.5"), Decimal("1.25"))


def test_a_channel_row_is_what_the_store_shows_under_the_erps_sku() -> None:
    rows = channel_rows(
        location="gid://shopify/Location/1",
        item_ids={"SH-LAMP": "item-1", "CHAIR": "item-2"},
        shown={"item-1": 7, "item-2": 0},
        sku_map={"LAMP": "SH-LAMP"},
    )
    assert rows == [
        SnapshotRow(sku="CHAIR", location="gid://shopify/Location/1", quantity=Decimal(0)),
        SnapshotRow(sku="LAMP", location="gid://shopify/Location/1", quantity=Decimal(7)),
    ]
    assert all(row.forecast is None for row in rows)


def test_an_item_the_store_gave_no_quantity_for_has_no_row_rather_than_zero() -> None:
    """Zero would count as a stock-out the store never showed."""
    rows = channel_rows(location="L", item_ids={"LAMP": "item-1"}, shown={})
    assert rows == []
