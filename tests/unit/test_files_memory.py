"""A large order file is streamed, never held in memory: reading a 17 MB file whole took
244 MB (the bytes, their text, and every row as a dict at once).

Memory is measured with tracemalloc (what Python allocates), not time. The rows carry a
long product title so that 17 MB is a few thousand orders: the test then takes seconds
under tracemalloc. bench/drop_folder_memory.py measures ordinary rows."""

from __future__ import annotations

import tracemalloc
from collections.abc import Sequence
from pathlib import Path

from bench.drop_folder_memory import write_orders
from causeway.config.systems import FilesSystem
from causeway.connectors.files.connector import FilesConnector
from causeway.engine.inbox import InboxRecord
from causeway.flows.files_exchange import FilesExchange

# A long product description: 17 MB is then a few thousand orders.
TITLE = "Widget, hand-finished oak; " * 150
FILE_BYTES = 17_000_000
BOUND = 10_000_000  # well under the file itself: it is never in memory


class CountingInbox:
    """Takes the records and keeps only their number (the store is not measured here)."""

    def __init__(self) -> None:
        self.records = 0

    def accept(self, records: Sequence[InboxRecord]) -> list[bool]:
        self.records += len(records)
        return [True] * len(records)


def test_a_17_mb_file_is_read_in_a_few_megabytes(tmp_path: Path) -> None:
    system = FilesSystem(type="files", folder=str(tmp_path / "drop"))
    files = FilesConnector(system, system="csv")
    orders = write_orders(files.folder.incoming / "orders.csv", FILE_BYTES, TITLE)
    (files.folder.incoming / "orders.csv.done").touch()
    inbox = CountingInbox()
    flow = FilesExchange(None, inbox, source="csv", files=files, erp=None)  # type: ignore[arg-type]

    tracemalloc.start()
    try:
        run = flow.import_waiting()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (run.orders, run.bad_rows, inbox.records) == (orders, 0, orders)
    assert (files.folder.processed / "orders.csv").stat().st_size >= FILE_BYTES
    assert peak < BOUND, f"peak {peak / 1e6:.1f} MB while reading a 17 MB file"
