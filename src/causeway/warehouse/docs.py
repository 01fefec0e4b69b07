"""The schema's part of docs/warehouse.md, written from warehouse/schema.py.

`python -m causeway.warehouse.docs docs/warehouse.md` rewrites what lies between the two
markers; tests/warehouse/test_docs.py fails when the page and the schema disagree, so a
column is documented exactly as declared.
"""

from __future__ import annotations

import sys
from pathlib import Path

from causeway.warehouse.schema import DIMENSIONS, FACTS, Table

BEGIN = (
    "<!-- schema: generated from src/causeway/warehouse/schema.py by "
    "`python -m causeway.warehouse.docs docs/warehouse.md`; edit the schema, not this -->"
)
END = "<!-- end of schema -->"


def table_markdown(table: Table) -> str:
    lines = [
        f"### {table.name}",
        "",
        f"One row per {table.grain}. From: {table.source}.",
        "",
    ]
    if table.key:
        lines.append(f"Key: {', '.join(f'`{k}`' for k in table.key)}.")
    if table.partition_by:
        lines.append(f"Parquet partitions: {', '.join(f'`{p}`' for p in table.partition_by)}.")
    lines += ["", "| column | type | meaning |", "|---|---|---|"]
    for column in table.columns:
        required = " (never empty)" if not column.nullable else ""
        doc = column.doc.replace("|", "\\|")
        lines.append(f"| `{column.name}` | {column.type} | {doc}{required} |")
    return "\n".join(lines)


def schema_markdown() -> str:
    parts = ["## Dimensions", *map(table_markdown, DIMENSIONS), "## Facts"]
    parts += [table_markdown(t) for t in FACTS]
    return "\n\n".join(parts)


def section_of(page: str) -> str:
    """What the page holds between the markers."""
    start, end = page.index(BEGIN) + len(BEGIN), page.index(END)
    return page[start:end].strip()


def rewrite(path: Path) -> None:
    page = path.read_text()
    start, end = page.index(BEGIN) + len(BEGIN), page.index(END)
    path.write_text(page[:start] + "\n\n" + schema_markdown() + "\n\n" + page[end:])


if __name__ == "__main__":  # pragma: no cover
    rewrite(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/warehouse.md"))
