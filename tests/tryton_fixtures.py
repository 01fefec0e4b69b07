"""Pytest fixtures for the real Tryton ERP: one server per test session, one connector per test.

The server is started from the build that `make tryton` leaves in .cache/tryton (or
$CAUSEWAY_TRYTON_BUILD). Without a build the tests are skipped locally and fail under
CI=true, where a silent skip would hide a broken essential part.

Tests share the session's database, so each one uses its own references, SKUs and emails
(see `unique`); none depends on another having run.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

from causeway.connectors.tryton.connector import TrytonConnector
from causeway_sandbox.tryton.server import TrytonServer, default_build_dir, is_built
from tests.essential import unavailable

__all__ = ["connect", "own_tryton", "tryton", "tryton_build_dir", "tryton_server", "unique"]


@pytest.fixture(scope="session")
def tryton_build_dir() -> Path:
    build = default_build_dir()
    if not is_built(build):
        unavailable(f"Tryton not built: run make tryton (looked in {build})")
    return build


def _running(build: Path, folder: Path) -> Iterator[TrytonServer]:
    """A running trytond on a fresh copy of the template database, stopped after."""
    server = TrytonServer(build, folder).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def tryton_server(
    tryton_build_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TrytonServer]:
    """The session's Tryton."""
    yield from _running(tryton_build_dir, tmp_path_factory.mktemp("tryton"))


def own_tryton(folder: str, scope: Literal["module", "package"] = "module") -> Any:
    """A module's own `tryton_server` (and so `tryton`), for a module that changes what
    every other test would see (a second warehouse makes Tryton ask which one a sale
    ships from): `tryton_server = own_tryton("tryton-wh")` in the module; in a package's
    conftest.py with scope="package", one for the package's modules."""

    @pytest.fixture(scope=scope)
    def tryton_server(
        tryton_build_dir: Path, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[TrytonServer]:
        yield from _running(tryton_build_dir, tmp_path_factory.mktemp(folder))

    return tryton_server


def connect(server: TrytonServer) -> TrytonConnector:
    """A connector logged in to `server` (close it, or use it in a with block)."""
    return TrytonConnector(server.url, server.database, server.username, server.password)


@pytest.fixture
def tryton(tryton_server: TrytonServer) -> Iterator[TrytonConnector]:
    """A connector logged in to the session's Tryton, closed after the test."""
    connector = TrytonConnector(
        tryton_server.url, tryton_server.database, tryton_server.username, tryton_server.password
    )
    yield connector
    connector.close()


@pytest.fixture
def unique() -> str:
    """A suffix of this test's own for references, SKUs and emails."""
    return uuid.uuid4().hex[:8]
