"""files-exchange: a drop folder of CSV files talks to the hub, on a schedule.

Each run does three things, in this order:
1. every CSV in in/ is read; its good orders enter the inbox like webhooks do (so
   orders-to-erp places them), its bad rows go to errors/<file>.errors.csv with
   their reason, and the file moves to processed/ (or to errors/ if no row of it
   can be read);
2. out/order-status.csv: where each order the folder sent stands in the hub;
3. out/stock.csv: what each SKU can still be sold: the ERP's forecast less orders
   not in the ERP yet and the safety stock (as stock-to-channels computes it).
Both out/ files are replaced whole (see connectors/files/folder.py).

One bad file never stops the others; an ERP that cannot be reached fails only the
stock step, after the orders are safely in the inbox.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from causeway.connectors.files.connector import FilesConnector
from causeway.connectors.files.exports import OrderStatus
from causeway.connectors.files.orders import FileError
from causeway.engine.inbox import Inbox
from causeway.engine.jobs import Job
from causeway.engine.store import Store
from causeway.flows.order_status import order_statuses
from causeway.flows.stock_to_channels import sellable_quantities
from causeway.model import StockLevel

log = logging.getLogger("causeway.flows.files_exchange")

NAME = "files-exchange"


class StockSource(Protocol):
    def stock_levels(self, skus: list[str] | None = None) -> list[StockLevel]: ...


@dataclass
class ExchangeRun:
    files: list[str] = field(default_factory=list)
    orders: int = 0  # good orders read (new or already in the inbox)
    new_orders: int = 0  # of those, new to the inbox
    bad_rows: int = 0
    rejected: list[str] = field(default_factory=list)  # files no row of which was read
    reports: list[Path] = field(default_factory=list)  # errors files written
    statuses: int = 0
    skus: int = 0


class FilesExchange:
    name = NAME
    batch_size = 1
    exclusive = True  # two runs would read and move the same files

    def __init__(
        self,
        store: Store,
        inbox: Inbox,
        *,
        source: str,
        files: FilesConnector,
        erp: StockSource,
        safety_stock: int = 0,
        held: Callable[[], Mapping[str, Decimal]] = dict,
    ) -> None:
        self.store = store
        self.inbox = inbox
        self.source = source
        self.files = files
        self.erp = erp
        self.safety_stock = safety_stock
        self.held = held

    def handle(self, jobs: Sequence[Job]) -> dict[int, BaseException | None]:
        outcomes: dict[int, BaseException | None] = {}
        for job in jobs:
            try:
                self.run()
                outcomes[job.id] = None
            except Exception as exc:  # becomes the job's outcome
                outcomes[job.id] = exc
        return outcomes

    def run(self) -> ExchangeRun:
        result = self.import_waiting()
        result.statuses = len(self.write_status())
        result.skus = self.write_stock()
        return result

    def import_waiting(self) -> ExchangeRun:
        """Every CSV waiting in in/ into the inbox (good orders) or errors/ (bad rows)."""
        result = ExchangeRun()
        for path in self.files.waiting_files():
            self._import(path, result)
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

    def _import(self, path: Path, result: ExchangeRun) -> None:
        result.files.append(path.name)
        try:
            imported = self.files.read_order_file(path)
        except FileError as exc:
            result.rejected.append(path.name)
            result.reports.append(self.files.reject(path, exc))
            return
        except OSError as exc:  # gone or still locked by the uploader: next run
            log.warning("%s: cannot read %s yet (%s)", self.source, path.name, exc)
            return
        # In the inbox first: only then may the file leave in/ (a crash in between
        # reads it again next run, and the inbox drops the duplicates).
        accepted = self.inbox.accept(imported.records)
        result.orders += len(imported.records)
        result.new_orders += sum(accepted)
        result.bad_rows += len(imported.bad_rows)
        report = self.files.finish(imported)
        if report:
            result.reports.append(report)
        log.info(
            "%s: %s: %d orders (%d new), %d bad rows",
            self.source,
            path.name,
            len(imported.records),
            sum(accepted),
            len(imported.bad_rows),
        )
