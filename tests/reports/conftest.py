"""The reports' test kit: `warehouse`, an empty warehouse file with the star schema's
tables, for a test to fill with the rows its arithmetic needs (warehouse_kit.py); the
console's fixtures for the pages' tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# The console's kit (tests/console/conftest.py): a hub, its clients and the browser.
from tests.console.conftest import (  # noqa: F401
    anonymous,
    chromium,
    client_for,
    hub,
    logged_in,
    page,
    site,
)
from tests.reports.warehouse_kit import Warehouse


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    built = Warehouse.create(tmp_path)
    yield built
    built.close()
