"""Where any trace of a person is left: every text and binary column of every table in
engine/schema.py's metadata (walked, so a table added later is searched too), and
every file under the given folders. Used by the erasure tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import LargeBinary, String, Text, select

from causeway.engine.schema import metadata
from causeway.engine.store import Store


def _plain(value: object) -> str:
    text = (
        bytes(value).decode(errors="replace")
        if isinstance(value, bytes | memoryview)
        else str(value)
    )
    # JSON's \u escapes too: "Zo\u00eb" is Zoë.
    return (
        text.encode("utf-8", errors="replace").decode("unicode_escape", errors="replace").casefold()
    )


def traces(store: Store, terms: Iterable[str], folders: Iterable[Path] = ()) -> list[str]:
    """ "<table>.<column>: <term>" or "<file>: <term>" for every place a term is found."""
    wanted = [t.casefold() for t in terms]
    found = []
    with store.read() as conn:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text | LargeBinary)]
            for row in conn.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if value is not None:
                        text = _plain(value)
                        found += [f"{table.name}.{column.name}: {t}" for t in wanted if t in text]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                text = _plain(path.read_bytes())
                found += [f"{path}: {t}" for t in wanted if t in text]
    return found
