"""Causeway's connector to a drop folder of CSV files: orders in, stock and status out.

For a store or an ERP that only speaks CSV, the lowest rung of the integration
ladder. An order file is read into canonical Orders, which enter the hub as inbox
records exactly like webhooks do (topic orders/create, entity key order:<number>),
so orders-to-erp places them the same way. The event id is a hash of the file's
content plus the order number: the same file dropped twice creates nothing twice.
See docs/connectors/files.md.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from causeway.config.systems import FilesSystem
from causeway.connectors.files.exports import (
    STATUS_FILE,
    STOCK_FILE,
    OrderStatus,
    order_status_csv,
    stock_csv,
)
from causeway.connectors.files.folder import DropFolder
from causeway.connectors.files.orders import (
    BadRow,
    FileError,
    ParsedFile,
    errors_csv,
    order_to_json,
    parse_orders,
    rejection_csv,
)
from causeway.engine.inbox import InboxRecord
from causeway.errors import PermanentError

log = logging.getLogger("causeway.connectors.files")

ORDER_TOPIC = "orders/create"


@dataclass
class FileImport:
    """One file read from in/: the inbox records of its good orders, and its bad rows."""

    path: Path
    digest: str
    records: list[InboxRecord] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)
    parsed: ParsedFile | None = None


class FilesConnector:
    def __init__(self, settings: FilesSystem, *, system: str = "files") -> None:
        self.system = system
        self.settings = settings
        self.folder = DropFolder(Path(settings.folder))
        self.folder.create()

    def close(self) -> None:
        """Nothing to release: files are opened and closed per use."""

    # --- orders in ------------------------------------------------------------------------

    def waiting_files(self) -> list[Path]:
        return self.folder.waiting()

    def read_order_file(self, path: Path) -> FileImport:
        """The file's good orders as inbox records; FileError if it is unusable as a whole."""
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        parsed = parse_orders(path.name, data, self.settings)
        records = [
            InboxRecord(
                source=self.system,
                event_id=f"file:{digest}:{order.number}",
                topic=ORDER_TOPIC,
                entity_key=f"order:{order.external_id}",
                body=order_to_json(order),
                headers={"file": path.name},
            )
            for order in parsed.orders
        ]
        return FileImport(path, digest, records, parsed.bad_rows, parsed)

    def finish(self, imported: FileImport) -> Path | None:
        """After its orders are in the inbox: report bad rows, move the file to processed/.

        Returns the errors report written, if any. An earlier report of the same file
        name is replaced, so errors/ holds what the latest drop got wrong.
        """
        report = None
        if imported.bad_rows and imported.parsed is not None:
            report = self.folder.write_error_report(
                imported.path, errors_csv(imported.parsed, self.settings)
            )
        self.folder.move(imported.path, self.folder.processed)
        return report

    def reject(self, path: Path, problem: FileError) -> Path:
        """A file no row of which can be read goes to errors/, with the reason beside it."""
        report = self.folder.write_error_report(path, rejection_csv(str(problem), self.settings))
        self.folder.move(path, self.folder.errors)
        log.warning("%s: %s", self.system, problem)
        return report

    # --- out ------------------------------------------------------------------------------

    def write_stock(self, available: Mapping[str, int]) -> Path:
        return self.folder.write_out(STOCK_FILE, stock_csv(available, self.settings))

    def write_order_status(self, rows: Iterable[OrderStatus]) -> Path:
        return self.folder.write_out(STATUS_FILE, order_status_csv(rows, self.settings))

    # --- as an order source of orders-to-erp --------------------------------------------

    def order_changes_since(self, since: datetime | None, page_size: int = 100) -> list[Any]:
        """Nothing to poll: a drop folder has no change feed, and every order in it
        reaches the inbox when files-exchange reads the file."""
        return []

    def order_node(self, external_id: str) -> dict[str, Any]:
        raise PermanentError(
            f"{self.system} is a drop folder: order {external_id} cannot be fetched again; "
            f"drop its CSV file in {self.folder.incoming} once more"
        )
