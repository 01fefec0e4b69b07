"""Shared fixtures: stores on SQLite and PostgreSQL, and (as a plugin) the real Tryton.
Essential services follow tests/essential.py: skipped locally, failed under CI=true."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from causeway.engine.store import Store
from tests.essential import unavailable

pytest_plugins = ["tests.tryton_fixtures"]

POSTGRES_ADMIN_URL = os.environ.get(
    "CAUSEWAY_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """Commands run in-process (CliRunner) set up the root logger for a terminal
    (`causeway check` raises it to ERROR); each test starts from the one it found."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    yield store
    store.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"causeway_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any failure means "no PostgreSQL here"
        unavailable(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {type(exc).__name__}")
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def postgres_store(postgres_url: str) -> Iterator[Store]:
    store = Store(postgres_url)
    yield store
    store.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> Store:
    """The same engine test, once per supported database."""
    return request.getfixturevalue(f"{request.param}_store")
