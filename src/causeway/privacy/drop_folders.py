"""One person in the drop folders: the CSV files the hub keeps in processed/, errors/
and out/ (in/ holds what a partner has not handed over yet, and is left alone).

A file is rewritten only when one of its rows changes: the person's rows lose their
personal columns and details, and any other cell loses only their identifiers
(privacy/person.py). Rewrites are atomic and keep the file's mode. Every name is
opened relative to its subfolder without following links (connectors/files/folder.py),
and only regular files are read.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from causeway.config.systems import FilesSystem
from causeway.connectors.files.folder import DropFolder, open_regular
from causeway.privacy.old_files import opened, regular_files
from causeway.privacy.person import Person

# Order fields (config/systems.py ORDER_FIELDS) that hold personal data.
PERSONAL_FIELDS = (
    *("email", "customer_name", "first_name", "last_name", "phone", "company"),
    *("street", "street2", "city", "postal_code"),
)
KEPT = ("processed", "errors", "out")


def _read(data: bytes, settings: FilesSystem) -> tuple[list[list[str]], str]:
    text = data.decode(settings.encoding, errors="surrogateescape")
    newline = "\r\n" if "\r\n" in text else "\n"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=settings.delimiter))
    return rows, newline


def _personal_columns(header: list[str], settings: FilesSystem) -> set[int]:
    names = {settings.column(f) for f in PERSONAL_FIELDS}
    return {i for i, name in enumerate(header) if name.strip() in names}


def _files(folder: DropFolder) -> Iterator[tuple[str, str, bytes, int]]:
    """(subfolder, name, content, mode) of each regular file the hub keeps."""
    for subfolder in KEPT:
        with opened(folder.path(subfolder)) as fd:
            if fd is None:
                continue
            for name, _ in regular_files(fd):
                try:
                    file, info = open_regular(fd, name)
                except OSError:  # gone, or swapped for a link or anything but a file
                    continue
                with file:
                    yield subfolder, name, file.read(), stat.S_IMODE(info.st_mode)


def erase_in(settings: FilesSystem, person: Person) -> dict[str, int]:
    """Rewrite the files that hold them; returns files changed per subfolder."""
    folder = DropFolder(Path(settings.folder))
    changed = dict.fromkeys(KEPT, 0)
    for subfolder, name, data, mode in _files(folder):  # one file in memory at a time
        rows, newline = _read(data, settings)
        if not rows:
            continue
        personal = _personal_columns(rows[0], settings)
        new = [
            [person.redact_text(cell, thorough=False) for cell in rows[0]],
            *(person.redact_row(row, personal) for row in rows[1:]),
        ]
        if new == rows:
            continue
        out = io.StringIO(newline="")
        csv.writer(out, delimiter=settings.delimiter, lineterminator=newline).writerows(new)
        folder.write(
            subfolder,
            name,
            out.getvalue().encode(settings.encoding, errors="surrogateescape"),
            mode,
        )
        changed[subfolder] += 1
    return changed


def rows_about(settings: FilesSystem, person: Person) -> list[dict[str, Any]]:
    """Their rows in the kept files, for an export (of another's row, only the cells
    that mention them)."""
    found: list[dict[str, Any]] = []
    for subfolder, name, data, _ in _files(DropFolder(Path(settings.folder))):
        rows, _ = _read(data, settings)
        if not rows:
            continue
        header, personal = rows[0], _personal_columns(rows[0], settings)
        for number, row in enumerate(rows[1:], start=2):
            cells = dict(zip(header, row, strict=False))
            if not person.owns_row(row, personal):  # someone else's row: only the mention
                cells = {column: cell for column, cell in cells.items() if person.mentions(cell)}
            if cells:
                found.append({"file": f"{subfolder}/{name}", "line": number, "row": cells})
    return found


def remove_all(settings: FilesSystem) -> dict[str, int]:
    """Every kept file of the folder removed (the system's data erased); per subfolder."""
    removed = dict.fromkeys(KEPT, 0)
    for subfolder in KEPT:
        with opened(Path(settings.folder) / subfolder) as fd:
            for name, _ in regular_files(fd) if fd is not None else []:
                os.unlink(name, dir_fd=fd)
                removed[subfolder] += 1
    return removed
