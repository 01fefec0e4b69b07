"""The SQLite store's files hold customers' personal data: only their owner reads them."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.store import Store


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The usual 022: a file made without care is world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_and_its_wal_are_readable_by_their_owner_only(
    tmp_path: Path, permissive_umask: None
) -> None:
    database = tmp_path / "data" / "hub.db"
    store = Store(f"sqlite:///{database}")
    try:
        JobQueue(store).enqueue(NewJob("orders-to-erp", "shop:order:1", {"inbox_id": 1}))
        files = {p.name: mode(p) for p in database.parent.iterdir()}
    finally:
        store.dispose()
    assert {"hub.db", "hub.db-wal", "hub.db-shm"} <= set(files)
    assert files == dict.fromkeys(files, 0o600)


def test_an_existing_world_readable_store_is_tightened_when_opened(
    tmp_path: Path, permissive_umask: None
) -> None:
    database = tmp_path / "hub.db"
    old = sqlite3.connect(database)  # as an older Causeway left it: 0644, with its WAL
    old.execute("PRAGMA journal_mode=WAL")
    old.execute("CREATE TABLE leftover (x)")
    old.commit()
    sidecars = [database, database.with_name("hub.db-wal"), database.with_name("hub.db-shm")]
    assert all(mode(p) == 0o644 for p in sidecars)

    store = Store(f"sqlite:///{database}")
    try:
        assert [mode(p) for p in sidecars] == [0o600, 0o600, 0o600]
    finally:
        store.dispose()
        old.close()
