"""Causeway's connector to a drop folder of CSV files: orders in, stock and status out.

For a store or an ERP that only speaks CSV, the lowest rung of the integration
ladder. An order file is read into canonical Orders, which enter the hub as inbox
records exactly like webhooks do (topic orders/create, entity key order:<number>),
so orders-to-erp places them the same way. The event id is a hash of the file's
content plus the order number: the same file dropped twice creates nothing twice.

Whoever writes in the folder is not trusted: links and anything but plain files are
never read (folder.py), a file is read only once whole (intake.py), never all at
once (reading.py), and every CSV the hub writes is formula-safe (safe_csv.py).
See docs/connectors/files.md.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO

from causeway.config.systems import FilesSystem
from causeway.connectors.files.exports import (
    STATUS_FILE,
    STOCK_FILE,
    OrderStatus,
    order_status_csv,
    stock_csv,
)
from causeway.connectors.files.folder import (
    ERRORS,
    INCOMING,
    OUT,
    PROCESSED,
    DropFolder,
    Entry,
    PendingFile,
    file_bytes,
    shown,
)
from causeway.connectors.files.intake import Intake, Poll, Refusal
from causeway.connectors.files.orders import (
    BadRow,
    ErrorReport,
    order_from_json,
    order_to_json,
    rejection_csv,
)
from causeway.connectors.files.reading import CheckedFile, FileError, check_file, read_orders
from causeway.engine.inbox import InboxRecord
from causeway.errors import CausewayError, PermanentError
from causeway.model import Order
from causeway.model.ports.channel import OrderChange, OrderChannel
from causeway.model.ports.files import FileChannel
from causeway.model.ports.records import RecordAddresses
from causeway.model.topics import ORDER_CREATED

log = logging.getLogger("causeway.connectors.files")

ORDER_TOPIC = ORDER_CREATED
BATCH_ORDERS = 100  # orders per inbox transaction


class FileChangedError(OSError):
    """The file changed between the poll that found it whole and its opening."""


class FileImport:
    """One file of in/ being read: opened once, checked whole, then streamed in batches.

    Its bad rows go straight to a hidden errors report in errors/, which `finish`
    puts in place; closing without finishing discards it and leaves the file in in/.
    """

    def __init__(self, connector: FilesConnector, entry: Entry, marker: str | None) -> None:
        self.connector, self.entry, self.marker = connector, entry, marker
        self.name = entry.name
        self.handle, info = connector.folder.open_incoming(entry.name)
        if (info.st_size, info.st_mtime_ns, info.st_ino, info.st_nlink) != (
            entry.size,
            entry.mtime_ns,
            entry.inode,
            1,
        ):
            self.handle.close()
            raise FileChangedError(f"{shown(entry.name)} changed since the last poll")
        self.checked: CheckedFile | None = None
        self.orders = 0
        self.bad_rows = 0
        self.report: PendingFile | None = None
        self._writer: ErrorReport | None = None

    def _source(self) -> BinaryIO:
        return file_bytes(self.handle, self.entry.size)

    def check(self) -> CheckedFile:
        """Read the whole file once; FileError when no row of it can be read."""
        self.checked = check_file(shown(self.name), self._source, self.connector.settings)
        return self.checked

    def batches(self, size: int = BATCH_ORDERS) -> Iterator[list[InboxRecord]]:
        """The file's good orders as inbox records, `size` at a time."""
        checked = self.checked or self.check()
        system, batch = self.connector.system, []
        for item in read_orders(checked, self._source, self.connector.settings):
            if isinstance(item, BadRow):
                self._add_bad_row(item)
                continue
            batch.append(
                InboxRecord(
                    source=system,
                    event_id=f"file:{checked.digest}:{item.number}",
                    topic=ORDER_TOPIC,
                    entity_key=f"order:{item.external_id}",
                    body=order_to_json(item),
                    headers={"file": shown(self.name)},
                )
            )
            self.orders += 1
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch

    def _add_bad_row(self, bad: BadRow) -> None:
        if self._writer is None:
            settings = self.connector.settings
            name = f"{self.name}.errors.csv"
            self.report = PendingFile(
                self.connector.folder, ERRORS, name, settings.private_file_mode
            )
            columns = self.checked.columns if self.checked else []
            self._writer = ErrorReport(self.report.handle, columns, settings)
        self._writer.add(bad)
        self.bad_rows += 1

    def commit_report(self) -> Path | None:
        """The errors report in place, if a row was bad."""
        if self._writer is None or self.report is None:
            return None
        self._writer.close()
        self._writer = None
        return self.report.commit()

    def make_private(self) -> None:
        """processed/ and errors/ hold order data: the file gets the private mode before it
        moves there (on the open descriptor: never through a link)."""
        try:
            os.fchmod(self.handle.fileno(), self.connector.settings.private_file_mode)
        except PermissionError:
            pass  # another user's upload: the private folder it moves into protects it

    def close(self) -> None:
        if self._writer is not None and self.report is not None:  # never committed
            self._writer.close()
            self._writer = None
            self.report.discard()
        self.handle.close()

    def __enter__(self) -> FileImport:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class FilesConnector:
    def __init__(self, settings: FilesSystem, *, system: str = "files") -> None:
        self.system = system
        self.settings = settings
        # Resolved once: the operator may reach the folder through a link; below it, no link
        # is ever followed.
        self.folder = DropFolder(Path(settings.folder).resolve())
        self.folder.create(settings.private_file_mode)
        self.intake = Intake(max_file_bytes=settings.max_file_bytes)
        self._reported: set[tuple[str, int]] = set()

    def close(self) -> None:
        """Nothing to release: files are opened and closed per use."""

    def record_url(self, entity_type: str, external_id: str) -> str | None:
        """None: a drop folder has no web page for its orders (the console shows the id)."""
        return None

    # --- orders in ------------------------------------------------------------------------

    def poll(self) -> Poll:
        """What in/ holds now: files ready to read, names refused, files still settling."""
        return self.intake.sort(self.folder.entries())

    def open_order_file(self, entry: Entry, marker: str | None = None) -> FileImport:
        """A ready file, opened; OSError when it is gone, or changed since the poll."""
        try:
            return FileImport(self, entry, marker)
        except FileChangedError:
            self.intake.changed(entry.name)
            raise

    def finish(self, imported: FileImport) -> Path | None:
        """After its orders are in the inbox: the errors report in place, the file in
        processed/, its marker gone. Returns the errors report written, if any.

        An earlier report of the same file name is replaced, so errors/ holds what the
        latest drop got wrong.
        """
        report = imported.commit_report()
        imported.make_private()
        self._set_aside(imported.name, PROCESSED, imported.marker)
        return report

    def reject(self, imported: FileImport, problem: FileError) -> Path:
        """A file no row of which can be read goes to errors/, with the reason beside it."""
        report = self._write_reason(imported.name, str(problem))
        imported.make_private()
        self._set_aside(imported.name, ERRORS, imported.marker)
        log.warning("%s: %s", self.system, problem)
        return report

    def refuse(self, refusal: Refusal, marker: str | None = None) -> Path | None:
        """A name that is not read (a link, a FIFO, a file too big...) moves to errors/
        as it is (a link itself, never its target), with the reason beside it.
        Returns the report, or None when it could not be moved (said once in the log)."""
        try:
            report = self._write_reason(refusal.name, refusal.reason)
            self._set_aside(refusal.name, ERRORS, marker)
        except OSError as exc:
            key = (refusal.name, getattr(exc, "errno", 0) or 0)
            if key not in self._reported:
                self._reported.add(key)
                log.warning(
                    "%s: %s; it could not be moved to errors/ (%s)",
                    self.system,
                    refusal.reason,
                    exc.strerror or type(exc).__name__,
                )
            return None
        log.warning("%s: %s; moved to errors/", self.system, refusal.reason)
        return report

    def _write_reason(self, name: str, reason: str) -> Path:
        return self.folder.write(
            ERRORS,
            f"{name}.errors.csv",
            rejection_csv(reason, self.settings),
            self.settings.private_file_mode,
        )

    def _set_aside(self, name: str, into: str, marker: str | None) -> None:
        self.folder.move(name, INCOMING, into)
        if marker:
            self.folder.remove(INCOMING, marker)

    # --- out ------------------------------------------------------------------------------

    def write_stock(self, available: Mapping[str, int]) -> Path:
        return self._write_out(STOCK_FILE, stock_csv(available, self.settings))

    def write_order_status(self, rows: Iterable[OrderStatus]) -> Path:
        return self._write_out(STATUS_FILE, order_status_csv(rows, self.settings))

    def _write_out(self, name: str, data: bytes) -> Path:
        return self.folder.write(OUT, name, data, self.settings.out_file_mode)

    # --- as an order source of orders-to-erp --------------------------------------------

    def order_changes_since(
        self, since: datetime | None, page_size: int = 100
    ) -> list[OrderChange]:
        """Nothing to poll: a drop folder has no change feed, and every order in it
        reaches the inbox when files-exchange reads the file."""
        return []

    def order_node(self, external_id: str) -> dict[str, Any]:
        raise PermanentError(
            f"{self.system} is a drop folder: order {external_id} cannot be fetched again; "
            f"drop its CSV file in {self.folder.incoming} once more"
        )

    # The inbox holds a files order as the canonical Order itself, whichever way it came.
    def order_from_webhook(self, body: dict[str, Any]) -> Order:
        return order_from_json(body)

    def order_from_polled(self, node: dict[str, Any]) -> Order:
        return order_from_json(node)

    def order_updated_at(self, body: bytes) -> datetime | None:
        try:
            stamp = order_from_json(json.loads(body)).updated_at
        except (ValueError, AttributeError, CausewayError):
            return None  # unreadable: its own job parks it
        return stamp if stamp.tzinfo is not None else None


if TYPE_CHECKING:  # mypy checks here that the connector is every port it claims to be

    def _is_an_order_channel(connector: FilesConnector) -> OrderChannel:
        return connector

    def _gives_addresses(connector: FilesConnector) -> RecordAddresses:
        return connector

    def _is_a_file_channel(connector: FilesConnector) -> FileChannel[FileImport]:
        return connector
