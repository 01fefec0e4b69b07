"""The reports' test kit: `warehouse`, an empty warehouse file with the star schema's
tables, for a test to fill with the rows its arithmetic needs (warehouse_kit.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reports.warehouse_kit import Warehouse


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    built = Warehouse.create(tmp_path)
    yield built
    built.close()
