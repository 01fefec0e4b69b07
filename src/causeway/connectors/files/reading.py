"""Reading an order file as a stream: checked whole first, then one order at a time.

A file is read twice, never held in memory:

1. `check_file` reads it to the end: its sha256 (the inbox event ids), that it is
   text in the configured encoding, that it is CSV, that its first row names the
   required columns, and which order numbers have rows apart from each other. A file
   that fails any of this is refused whole before a single order reaches the inbox.
2. `read_orders` reads it again, one order (its consecutive rows) at a time, and
   yields each Order, or the bad rows of an order that cannot be imported.

Memory is bounded by one order's rows (at most MAX_ORDER_ROWS), one line (at most
MAX_LINE_CHARS) and, from step 1, the set of the file's order numbers.

Messages never quote what is in a file that may not be an order file at all (an
unreadable header is described, not shown); a row of a real order file may be named
by its order number, its column and its value.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

from causeway.config.systems import ORDER_FIELDS, FilesSystem
from causeway.connectors.files.orders import (
    EXTRA,
    REASON,
    REQUIRED,
    BadRow,
    ErrorReport,
    order_or_bad_rows,
)
from causeway.connectors.files.safe_csv import restore
from causeway.model import Order
from causeway.model.ports.files import FileError

MAX_LINE_CHARS = 65_536
MAX_ORDER_ROWS = 1_000
MAX_COLUMNS = 200
# Order numbers end up in inbox event ids (engine/inbox.py: at most 128 characters).
MAX_ORDER_NUMBER = 50
_READ_CHUNK = 1 << 16
# What a column name looks like; a first row of anything else is not shown back.
_COLUMN_NAME = re.compile(r"\w[\w .#/()%&+-]{0,63}")

# Opens the file's bytes from the start (a buffered stream), each time it is called.
Source = Callable[[], BinaryIO]


@dataclass(frozen=True)
class CheckedFile:
    name: str
    digest: str  # sha256 of the bytes
    columns: list[str]
    scattered: frozenset[str]  # order numbers whose rows are not one after another


class _Hashing(io.RawIOBase):
    """Passes a stream's bytes through, hashing them on the way."""

    def __init__(self, inner: BinaryIO, digest: hashlib._Hash) -> None:
        self.inner, self.digest = inner, digest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.inner.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


def _rows(data: BinaryIO, name: str, system: FilesSystem) -> Iterator[list[str]]:
    """The CSV rows of a binary stream, each line checked before csv sees it."""
    text = io.TextIOWrapper(data, encoding=system.encoding, newline="")
    reader = csv.reader(_lines(text, name, system), delimiter=system.delimiter)
    try:
        yield from reader
    except csv.Error as exc:  # its messages name a limit or a character, never the data
        raise FileError(
            f"{name}: not readable as CSV at line {reader.line_num} ({exc}); "
            f"save it as CSV with the delimiter {system.delimiter!r}"
        ) from None


def _lines(text: TextIO, name: str, system: FilesSystem) -> Iterator[str]:
    number = 0
    while True:
        number += 1
        try:
            line = text.readline(MAX_LINE_CHARS + 1)
        except UnicodeDecodeError:
            raise FileError(
                f"{name}: not {system.encoding} text (near line {number}); set the system's "
                f"`encoding` to the file's encoding (e.g. cp1252) or save the file as UTF-8"
            ) from None
        if not line:
            return
        if len(line) > MAX_LINE_CHARS:
            raise FileError(
                f"{name}: line {number} is longer than {MAX_LINE_CHARS:,} characters: "
                f"this is not an order file (or its lines are far longer than an order line)"
            )
        if "\x00" in line:
            raise FileError(
                f"{name}: line {number} contains a NUL character: this is not {system.encoding} "
                f"text (a binary file, or UTF-16: set the system's `encoding`)"
            )
        # Excel's "CSV UTF-8" starts with a byte-order mark, which would hide a column.
        yield line.removeprefix("\ufeff") if number == 1 else line


def _header(name: str, first_row: list[str] | None, system: FilesSystem) -> list[str]:
    columns = [restore(c.strip()) for c in first_row or []]
    if not any(columns):
        raise FileError(f"{name}: the file is empty; the first row must name the columns")
    missing = [system.column(f) for f in REQUIRED if system.column(f) not in columns]
    if not missing:
        return columns
    wanted = ", ".join(repr(c) for c in missing)
    fix = (
        f"(map the columns under the system's `columns:` in causeway.yaml, or check the "
        f"`delimiter` {system.delimiter!r})"
    )
    named = [c for c in columns if c]
    if not 2 <= len(named) <= MAX_COLUMNS or not all(_COLUMN_NAME.fullmatch(c) for c in named):
        # Not a header at all: perhaps not a CSV file. What it holds is not repeated.
        raise FileError(
            f"{name}: column {wanted} is missing, and the first row is not a row of column "
            f"names separated by {system.delimiter!r} (it is not shown: the file may not be "
            f"an order file at all) {fix}"
        )
    known = {system.column(f) for f in ORDER_FIELDS} | {REASON}
    unknown = [c for c in named if c not in known][:20]
    others = f"; columns the mapping does not know: {', '.join(map(repr, unknown))}"
    raise FileError(f"{name}: column {wanted} is missing{others if unknown else ''} {fix}")


def _number(cells: list[str], at: int) -> str:
    return restore(cells[at].strip()) if at < len(cells) else ""


def check_file(name: str, source: Source, system: FilesSystem) -> CheckedFile:
    """Step 1: the whole file read once; FileError when no row of it can be read."""
    digest = hashlib.sha256()
    with source() as raw:
        hashed = io.BufferedReader(_Hashing(raw, digest), _READ_CHUNK)
        rows = _rows(hashed, name, system)
        columns = _header(name, next(rows, None), system)
        at = columns.index(system.column("order_number"))
        seen: set[str] = set()
        scattered: set[str] = set()
        last = ""
        for cells in rows:
            number = _number(cells, at)
            if number and number != last:
                if number in seen:
                    scattered.add(number)
                seen.add(number)
                last = number
    return CheckedFile(name, digest.hexdigest(), columns, frozenset(scattered))


def _values(columns: list[str], cells: list[str]) -> dict[str, str]:
    values = {column: restore(cell) for column, cell in zip(columns, cells, strict=False)}
    if len(cells) > len(columns):
        values[EXTRA] = str(len(cells) - len(columns))
    return values


def _number_problem(number: str) -> str | None:
    if not number.isprintable():
        return "the order number contains a control character"
    if len(number) > MAX_ORDER_NUMBER:
        return f"the order number is {len(number)} characters long; at most {MAX_ORDER_NUMBER}"
    return None


def read_orders(
    checked: CheckedFile, source: Source, system: FilesSystem
) -> Iterator[Order | BadRow]:
    """Step 2: each order of the file, or its rows as bad rows, in file order."""
    name, column = checked.name, system.column("order_number")
    at = checked.columns.index(column)
    number = ""
    group: list[tuple[int, dict[str, str]]] = []
    too_many = ""  # the reason, once the current order has passed MAX_ORDER_ROWS

    def finish() -> Iterator[Order | BadRow]:
        if group and not too_many:
            done = order_or_bad_rows(name, number, group, system)
            yield from done if isinstance(done, list) else [done]

    with source() as raw:
        rows = _rows(raw, name, system)
        next(rows)  # the header, checked in step 1
        for index, cells in enumerate(rows, start=2):
            values = _values(checked.columns, cells)
            current = _number(cells, at)
            problem = None
            if not current:
                if any(v.strip() for v in cells):
                    problem = "the order number is empty"
            elif current in checked.scattered:
                problem = (
                    f"the rows of order {current} are not one after another; "
                    f"put each order's rows together"
                )
            else:
                problem = _number_problem(current)
            if problem:
                yield BadRow(index, values, f"{name} row {index}, column {column}: {problem}")
                continue
            if not current:
                continue  # a blank line
            if current != number:
                yield from finish()
                number, group, too_many = current, [], ""
            if too_many:
                yield BadRow(index, values, too_many)
                continue
            group.append((index, values))
            if len(group) > MAX_ORDER_ROWS:
                too_many = (
                    f"{name} row {group[0][0]}: order {number} has more than "
                    f"{MAX_ORDER_ROWS:,} rows; split it into orders of at most "
                    f"{MAX_ORDER_ROWS:,} lines"
                )
                yield from (BadRow(i, v, too_many) for i, v in group)
                group = []
        yield from finish()


@dataclass
class ParsedFile:
    """A whole file's orders and bad rows, for a file already in memory (tests, tools)."""

    name: str
    columns: list[str]
    orders: list[Order] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)


def parse_orders(name: str, data: bytes, system: FilesSystem) -> ParsedFile:
    """The orders and bad rows of a file given as bytes; FileError as check_file."""
    checked = check_file(name, lambda: io.BytesIO(data), system)
    parsed = ParsedFile(name, checked.columns)
    for item in read_orders(checked, lambda: io.BytesIO(data), system):
        if isinstance(item, BadRow):
            parsed.bad_rows.append(item)
        else:
            parsed.orders.append(item)
    return parsed


def errors_csv(parsed: ParsedFile, system: FilesSystem) -> bytes:
    """The errors report of a parsed file, as bytes."""
    out = io.BytesIO()
    report = ErrorReport(out, parsed.columns, system)
    for bad in parsed.bad_rows:
        report.add(bad)
    report.close()
    return out.getvalue()
