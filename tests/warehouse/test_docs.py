"""docs/warehouse.md documents the schema exactly as warehouse/schema.py declares it."""

from __future__ import annotations

from pathlib import Path

from causeway.warehouse.docs import schema_markdown, section_of

PAGE = Path(__file__).resolve().parents[2] / "docs" / "warehouse.md"


def test_the_page_documents_every_table_and_column_as_declared() -> None:
    assert section_of(PAGE.read_text()) == schema_markdown(), (
        "docs/warehouse.md and warehouse/schema.py disagree: run "
        "`python -m causeway.warehouse.docs docs/warehouse.md`"
    )
