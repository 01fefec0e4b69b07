"""stock-snapshots: once a day, what the ERP held per SKU and warehouse and what each store
showed, kept in the hub's store (engine/stock_snapshots.py) for the stock-out report.

The ERP is read the way stock-to-channels reads it: one batched stock_levels call per
warehouse for every goods SKU, never a call per SKU. Each store is read live (its
inventory items for those SKUs, then their available quantities at its location, each in
the connector's batches), not taken from what the hub last published: that figure is
only what the hub wrote, and a store's own sales and edits since are what the channel
really showed. Each system's rows are written in their own transaction, so a store that
cannot be read fails the run (and its retry) without losing the ERP's rows or another
store's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from causeway.engine.stock_snapshots import CHANNEL, ERP, SnapshotRow, replace_day
from causeway.engine.store import Store
from causeway.errors import CausewayError, RetryableError
from causeway.flows.base import FlowBase, RunCounts
from causeway.model.ports.channel import StockChannel
from causeway.model.ports.erp import ErpStock
from causeway.stock.snapshots import channel_rows, erp_rows

log = logging.getLogger("causeway.flows.stock_snapshots")

NAME = "stock-snapshots"


@dataclass(frozen=True)
class SnapshotChannel:
    """One store to snapshot: where to read it (None: the store's primary location) and
    the names it sells the ERP's SKUs under."""

    connector: StockChannel
    location: str | None = None
    sku_map: Mapping[str, str] = field(default_factory=dict)


@dataclass
class SnapshotRun:
    day: str
    rows: dict[str, int] = field(default_factory=dict)  # system -> rows written
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"rows written": sum(self.rows.values()), "systems": len(self.rows)}


class StockSnapshots(RunCounts, FlowBase[None]):
    name = NAME
    batch_size = 1
    exclusive = True  # two runs of one day would only replace each other's rows
    runs_only = True

    def __init__(
        self,
        store: Store,
        *,
        source: str,
        source_connector: ErpStock,
        warehouses: Sequence[str] = (),
        channels: Mapping[str, SnapshotChannel] | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        """warehouses: the ERP warehouses to snapshot, by name or code (none: the ERP
        connector's own); today: the snapshot's day, the hub's local date (as schedules)."""
        self.store = store
        self.source = source
        self.erp = source_connector
        self.warehouses: tuple[str | None, ...] = tuple(warehouses) or (None,)
        self.channels = dict(channels or {})
        self.today = today

    def on_run(self, payload: Mapping[str, Any]) -> None:
        run = self.run()
        self.counted(run.counts())
        if run.errors:
            raise RetryableError("stock snapshot incomplete: " + "; ".join(run.errors))

    def run(self) -> SnapshotRun:
        """Take today's snapshot: the ERP's rows, then each store's. An ERP that cannot
        be read raises (there is nothing to compare a store against); a store that
        cannot be read is in `errors`, and the other systems' rows are kept."""
        run = SnapshotRun(day=self.today().isoformat())
        taken_at = time.time()
        # Every goods SKU (skus=None), one call per warehouse.
        levels = [
            lvl for wh in self.warehouses for lvl in self.erp.stock_levels(None, warehouse=wh)
        ]
        rows = erp_rows(levels)
        run.rows[self.source] = replace_day(
            self.store, day=run.day, system=self.source, kind=ERP, rows=rows, taken_at=taken_at
        )
        skus = sorted({row.sku for row in rows})
        for name, channel in self.channels.items():
            try:
                shown = self._channel_rows(channel, skus)
            except CausewayError as exc:
                log.warning("%s: store %s could not be read: %s", NAME, name, exc)
                run.errors.append(f"store {name} could not be read: {exc}")
                continue
            run.rows[name] = replace_day(
                self.store, day=run.day, system=name, kind=CHANNEL, rows=shown, taken_at=taken_at
            )
        return run

    def _channel_rows(self, channel: SnapshotChannel, skus: Sequence[str]) -> list[SnapshotRow]:
        connector = channel.connector
        location = channel.location or connector.primary_location_id()
        theirs = sorted({channel.sku_map.get(sku, sku) for sku in skus})
        items = connector.inventory_items_by_sku(theirs) if theirs else {}
        item_ids = {sku: item.inventory_item_id for sku, item in items.items()}
        shown = connector.available_quantities(list(item_ids.values()), location) if items else {}
        return channel_rows(
            location=location, item_ids=item_ids, shown=shown, sku_map=channel.sku_map
        )
