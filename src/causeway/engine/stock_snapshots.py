"""The stock_snapshots table: a day's rows of one system and kind, replaced as a whole.

Replacing (delete the day's rows of that system and kind, insert the new ones, in one
transaction) rather than upserting row by row: a second run on the same day leaves no
duplicate and no stale row for a SKU the system no longer lists, and a reader sees
either the old rows or the new ones, never half of each (docs/flows/stock-snapshots.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

from sqlalchemy import and_, delete, insert, select

from causeway.engine.schema import stock_snapshots
from causeway.engine.store import Store

Kind = Literal["erp", "channel"]
ERP: Final = "erp"
CHANNEL: Final = "channel"


@dataclass(frozen=True)
class SnapshotRow:
    """One SKU at one location: on hand (ERP) or shown (channel); forecast: ERP only."""

    sku: str
    location: str
    quantity: Decimal
    forecast: Decimal | None = None


@dataclass(frozen=True)
class StoredSnapshot:
    day: str
    taken_at: float
    system: str
    kind: str
    location: str
    sku: str
    quantity: Decimal
    forecast: Decimal | None


def replace_day(
    store: Store,
    *,
    day: str,
    system: str,
    kind: Kind,
    rows: Sequence[SnapshotRow],
    taken_at: float,
) -> int:
    """Make `rows` the day's snapshot of `system`'s `kind`, in one transaction; how many."""
    values = [
        {
            "day": day,
            "taken_at": taken_at,
            "system": system,
            "kind": kind,
            "location": row.location,
            "sku": row.sku,
            "quantity": str(row.quantity),
            "forecast": None if row.forecast is None else str(row.forecast),
        }
        for row in rows
    ]
    with store.transaction() as conn:
        conn.execute(
            delete(stock_snapshots).where(
                and_(
                    stock_snapshots.c.day == day,
                    stock_snapshots.c.system == system,
                    stock_snapshots.c.kind == kind,
                )
            )
        )
        if values:
            conn.execute(insert(stock_snapshots), values)
    return len(values)


def snapshot_of_day(store: Store, day: str) -> list[StoredSnapshot]:
    """Every row of `day`, by system, kind, location and SKU."""
    t = stock_snapshots.c
    query = (
        select(t.day, t.taken_at, t.system, t.kind, t.location, t.sku, t.quantity, t.forecast)
        .where(t.day == day)
        .order_by(t.system, t.kind, t.location, t.sku)
    )
    with store.read() as conn:
        return [
            StoredSnapshot(
                day=r.day,
                taken_at=r.taken_at,
                system=r.system,
                kind=r.kind,
                location=r.location,
                sku=r.sku,
                quantity=Decimal(r.quantity),
                forecast=None if r.forecast is None else Decimal(r.forecast),
            )
            for r in conn.execute(query)
        ]
