"""The stock_snapshots table on both databases, through migration 0018: a day's rows of one
system are replaced whole, other systems' and other days' rows are left alone, and the
unique key refuses a duplicate however it is written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from causeway.engine.schema import stock_snapshots
from causeway.engine.stock_snapshots import SnapshotRow, replace_day, snapshot_of_day
from causeway.engine.store import Store

LAMP = SnapshotRow(sku="LAMP", location="WH", quantity=Decimal(12), forecast=Decimal(9))
CHAIR = SnapshotRow(sku="CHAIR", location="WH", quantity=Decimal(0), forecast=Decimal(-2))


def test_a_second_run_the_same_day_replaces_that_systems_rows_only(store: Store) -> None:
    store.migrate()
    replace_day(store, day="2026-12-05", system="erp", kind="erp", rows=[LAMP], taken_at=1.0)
    replace_day(store, day="2026-12-06", system="erp", kind="erp", rows=[LAMP, CHAIR], taken_at=2.0)
    shown = SnapshotRow(sku="LAMP", location="L1", quantity=Decimal(7))
    replace_day(store, day="2026-12-06", system="shop", kind="channel", rows=[shown], taken_at=2.0)

    lower = SnapshotRow(sku="LAMP", location="WH", quantity=Decimal(10), forecast=Decimal(8))
    replace_day(store, day="2026-12-06", system="erp", kind="erp", rows=[lower], taken_at=3.0)

    day = snapshot_of_day(store, "2026-12-06")
    assert [(r.system, r.kind, r.sku, r.quantity, r.forecast) for r in day] == [
        ("erp", "erp", "LAMP", Decimal(10), Decimal(8)),  # CHAIR no longer listed: gone
        ("shop", "channel", "LAMP", Decimal(7), None),
    ]
    assert [r.quantity for r in snapshot_of_day(store, "2026-12-05")] == [Decimal(12)]


def test_the_unique_key_refuses_a_duplicate_row(store: Store) -> None:
    store.migrate()
    row = {
        "day": "2026-12-06",
        "taken_at": 1.0,
        "system": "erp",
        "kind": "erp",
        "location": "WH",
        "sku": "LAMP",
        "quantity": "1",
    }
    with store.transaction() as conn:
        conn.execute(insert(stock_snapshots), [row])
    with pytest.raises(IntegrityError), store.transaction() as conn:
        conn.execute(insert(stock_snapshots), [row | {"quantity": "2"}])
