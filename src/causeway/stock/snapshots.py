"""What a stock snapshot records, decided without I/O: the ERP's rows from its stock
levels, a channel's rows from what it showed (flows/stock_snapshots reads both).

A channel's rows are under the ERP's SKU (sku_map read backwards), so one SKU's ERP and
channel rows line up in a report; a SKU the channel does not sell has no channel row
(absent, not zero: zero would count as out of stock there).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from causeway.engine.stock_snapshots import SnapshotRow
from causeway.model import StockLevel


def erp_rows(levels: Iterable[StockLevel]) -> list[SnapshotRow]:
    """One row per SKU and warehouse: on hand, with the forecast beside it. A SKU read
    twice at one warehouse (two reads naming the same warehouse) is kept once."""
    rows: dict[tuple[str, str], SnapshotRow] = {}
    for level in levels:
        rows[(level.location, level.sku)] = SnapshotRow(
            sku=level.sku, location=level.location, quantity=level.on_hand, forecast=level.forecast
        )
    return [rows[key] for key in sorted(rows)]


def channel_rows(
    *,
    location: str,
    item_ids: Mapping[str, str],
    shown: Mapping[str, int],
    sku_map: Mapping[str, str] | None = None,
) -> list[SnapshotRow]:
    """item_ids: the channel's SKU -> its inventory item; shown: item -> quantity at
    `location`. An item the channel gave no quantity for has no row."""
    erp_sku = {theirs: ours for ours, theirs in (sku_map or {}).items()}
    rows = [
        SnapshotRow(sku=erp_sku.get(sku, sku), location=location, quantity=Decimal(shown[item]))
        for sku, item in item_ids.items()
        if item in shown
    ]
    return sorted(rows, key=lambda r: r.sku)
