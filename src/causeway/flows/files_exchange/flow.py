"""files-exchange: a drop folder of CSV files talks to the hub, on a schedule.

Each run does three things, in this order:
1. every CSV in in/ that is whole (unchanged since the last run, or with its .done
   marker) is read; its good orders enter the inbox like webhooks do (so
   orders-to-erp places them), its bad rows go to errors/<file>.errors.csv with
   their reason, and the file moves to processed/ (or to errors/ if no row of it
   can be read). Links, FIFOs and files over max_file_bytes are moved to errors/
   unread, with the reason;
2. out/order-status.csv: where each order the folder sent stands in the hub;
3. out/stock.csv: what each SKU can still be sold: the ERP's forecast less orders
   not in the ERP yet and the safety stock (as stock-to-channels computes it).
Both out/ files are replaced whole (the drop folder's port, model/ports/files.py).

One bad file never stops the others; an ERP that cannot be reached fails only the
stock step, after the orders are safely in the inbox.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from causeway.engine.inbox import Inbox
from causeway.engine.store import Store
from causeway.flows.base import FlowBase
from causeway.model.ports.erp import ErpStock
from causeway.model.ports.files import Entry, FileChannel, FileError, OrderStatus
from causeway.orders.status import order_statuses
from causeway.stock.sellable import sellable_quantities

log = logging.getLogger("causeway.flows.files_exchange")

NAME = "files-exchange"


@dataclass
class ExchangeRun:
    files: list[str] = field(default_factory=list)
    orders: int = 0  # good orders read (new or already in the inbox)
    new_orders: int = 0  # of those, new to the inbox
    bad_rows: int = 0
    rejected: list[str] = field(default_factory=list)  # files no row of which was read
    reports: list[Path] = field(default_factory=list)  # errors files written
    settling: list[str] = field(default_factory=list)  # not whole yet: read by a later run
    statuses: int = 0
    skus: int = 0

    def absorb(self, later: ExchangeRun) -> None:
        """Add a later import of the same run (files that settled meanwhile)."""
        self.files += later.files
        self.orders += later.orders
        self.new_orders += later.new_orders
        self.bad_rows += later.bad_rows
        self.rejected += later.rejected
        self.reports += later.reports
        self.settling = later.settling


class FilesExchange(FlowBase[None]):
    name = NAME
    batch_size = 1
    exclusive = True  # two runs would read and move the same files
    runs_only = True

    def __init__(
        self,
        store: Store,
        inbox: Inbox,
        *,
        source: str,
        files: FileChannel[Any],
        erp: ErpStock,
        safety_stock: int = 0,
        held: Callable[[], Mapping[str, Decimal]] = dict,
    ) -> None:
        self.store = store
        self.inbox: Inbox = inbox
        self.source = source
        self.files = files
        self.erp = erp
        self.safety_stock = safety_stock
        self.held = held

    def on_run(self, payload: Mapping[str, Any]) -> None:
        self.run()

    def run(self) -> ExchangeRun:
        result = self.import_waiting()
        result.statuses = len(self.write_status())
        result.skus = self.write_stock()
        return result

    def import_waiting(self) -> ExchangeRun:
        """Every whole CSV in in/ into the inbox (good orders) or errors/ (bad rows)."""
        result = ExchangeRun()
        poll = self.files.poll()
        for refusal in poll.refused:
            result.rejected.append(refusal.name)
            report = self.files.refuse(refusal, poll.markers.get(refusal.name))
            if report:
                result.reports.append(report)
        for entry in poll.ready:
            self._import(entry, poll.markers.get(entry.name), result)
        result.settling = poll.settling
        return result

    def write_status(self) -> list[OrderStatus]:
        """out/order-status.csv; returns its rows."""
        with self.store.read() as conn:
            statuses = order_statuses(conn, self.source)
        self.files.write_order_status(statuses)
        return statuses

    def write_stock(self) -> int:
        """out/stock.csv from the ERP; returns the number of SKUs in it.

        Orders taken but not yet in the ERP are held back, as for every channel: the
        store counted them already, the ERP forecast does not yet.
        """
        sellable = sellable_quantities(
            self.erp.stock_levels(),
            safety_stock=self.safety_stock,
            safety_by_sku={},
            held=self.held(),
        )
        self.files.write_stock(sellable)
        return len(sellable)

    def _import(self, entry: Entry, marker: str | None, result: ExchangeRun) -> None:
        name = entry.shown
        try:
            imported = self.files.open_order_file(entry, marker)
        except OSError as exc:  # gone, or changed since the poll: a later run
            log.warning("%s: cannot read %s yet (%s)", self.source, name, exc.strerror or exc)
            return
        result.files.append(entry.name)
        with imported:
            try:
                imported.check()
            except FileError as exc:
                result.rejected.append(entry.name)
                result.reports.append(self.files.reject(imported, exc))
                return
            # In the inbox first: only then may the file leave in/ (a crash in between
            # reads it again next run, and the inbox drops the duplicates).
            new = 0
            for records in imported.batches():
                new += sum(self.inbox.accept(records))
            result.orders += imported.orders
            result.new_orders += new
            result.bad_rows += imported.bad_rows
            report = self.files.finish(imported)
        if report:
            result.reports.append(report)
        log.info(
            "%s: %s: %d orders (%d new), %d bad rows",
            self.source,
            name,
            imported.orders,
            new,
            imported.bad_rows,
        )
