"""The drop-folder port: a folder of CSV files that stands in for a channel.

For a store or an ERP that only speaks CSV (the lowest rung of the integration
ladder), files-exchange reads the order files a sender drops in the folder into the
inbox, and writes back where each order stands and what each SKU can be sold. The
folder is outside the hub's trust: a name is shown only through `shown`, and what the
connector refuses to read (a link, a file too big) is reported, never opened.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar, runtime_checkable


class FileError(ValueError):
    """The whole file is unusable (not text, not CSV, no header, a required column missing)."""


def shown(name: str, limit: int = 120) -> str:
    """A file name safe to put in a message, a log line or a CSV cell: control
    characters (a newline that would forge a log line) and undecodable bytes escaped."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)
    return text if len(text) <= limit else text[:limit] + "..."


@dataclass(frozen=True)
class Entry:
    """One name in in/ as lstat sees it: links are described, never followed."""

    name: str
    kind: str  # "file", "link", "folder", "fifo", "device", "socket"
    size: int
    mtime_ns: int
    inode: int
    links: int  # hard links: more than one means the file also lives elsewhere

    @property
    def shown(self) -> str:
        return shown(self.name)


@dataclass(frozen=True)
class Refusal:
    name: str
    reason: str  # one plain sentence; names the file, never what is in it


@dataclass
class Poll:
    ready: list[Entry] = field(default_factory=list)  # oldest first
    markers: dict[str, str] = field(default_factory=dict)  # file name -> its marker
    refused: list[Refusal] = field(default_factory=list)
    settling: list[str] = field(default_factory=list)  # seen changing, or first seen


@dataclass(frozen=True)
class OrderStatus:
    """One row of order-status.csv: where an imported order stands."""

    order_number: str
    state: str
    erp_sale_number: str | None = None
    tracking: str | None = None
    updated_at: float | None = None
    problem: str | None = None


class OrderFile(Protocol):
    """One order file being read: checked whole, then streamed in batches."""

    @property
    def orders(self) -> int: ...  # good orders read so far
    @property
    def bad_rows(self) -> int: ...

    def check(self) -> Any:
        """Read the whole file once; FileError when no row of it can be read."""
        ...

    def batches(self) -> Iterator[Sequence[Any]]:
        """The file's good orders as inbox records, a batch at a time."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...


F = TypeVar("F", bound=OrderFile)


@runtime_checkable
class FileChannel(Protocol[F]):
    def poll(self) -> Poll:
        """What in/ holds now: files ready to read, names refused, files still settling."""
        ...

    def open_order_file(self, entry: Entry, marker: str | None = None) -> F:
        """A ready file, opened; OSError when it is gone, or changed since the poll."""
        ...

    def refuse(self, refusal: Refusal, marker: str | None = None) -> Path | None:
        """Set a refused name aside with its reason; returns the report written, if any."""
        ...

    def reject(self, imported: F, problem: FileError) -> Path:
        """Set aside a file no row of which can be read, with the reason beside it."""
        ...

    def finish(self, imported: F) -> Path | None:
        """After its orders are in the inbox: the file set aside as processed; returns
        the report of its bad rows, if any."""
        ...

    def write_order_status(self, rows: Iterable[OrderStatus]) -> Path: ...

    def write_stock(self, available: Mapping[str, int]) -> Path: ...
