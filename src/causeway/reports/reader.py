"""Reading the warehouse file: one DuckDB in the process, the file attached read-only.

Opening a DuckDB file starts a new database instance (its buffer manager, thread pool,
catalog: about 20 ms), longer than most reports take. So the process keeps one
in-memory DuckDB and ATTACHes the warehouse file to it READ_ONLY, and keeps it attached
while the file is the same one (same device, inode, size and modification time); a
report runs on a cursor of that instance in a few milliseconds, over blocks DuckDB
already holds.

A build never writes the file readers have: it writes a copy and `os.replace`s it in
(warehouse/build.py). The next run here sees another inode, attaches the new file
under a new name and reads it; the old file stays attached until the last run that
started on it ends, then is detached. So a run reads the file that was there when it
started, a new run never reads an older one, and nobody waits for the writer.

(Why not keep a connection per file: DuckDB keeps one database instance per path in a
process, so while any connection to the old file lived, opening the path again would
hand back the old file. ATTACH has no such cache: the same path may be attached twice,
the old file and the new one side by side.)
"""

from __future__ import annotations

import itertools
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

BUILD_HINT = "build it with `causeway warehouse build` (docs/warehouse.md)"
KEEP_FILES = 4  # warehouse files kept attached at once (a hub has one; tests have many)


class WarehouseUnavailable(RuntimeError):
    """No warehouse file to read, or one the reports cannot read: how to build it."""


@dataclass
class _Attached:
    name: str  # the name it is attached under: the reader's own, never a person's text
    identity: tuple[int, int, int, int]
    runs: int = 0  # runs reading it now
    retired: bool = False  # a newer file took its place: detach when the last run ends


class WarehouseReader:
    def __init__(self, keep: int = KEEP_FILES) -> None:
        self._keep = keep
        self._lock = threading.Lock()
        self._db: duckdb.DuckDBPyConnection | None = None
        self._latest: OrderedDict[str, _Attached] = OrderedDict()  # by path, least used first
        self._names = itertools.count(1)

    @contextmanager
    def cursor(self, warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor whose default database is the warehouse file as it is now."""
        attached, cursor = self._start(Path(warehouse))
        try:
            yield cursor
        finally:
            cursor.close()
            with self._lock:
                attached.runs -= 1
                if attached.retired and attached.runs == 0:
                    self._detach(attached)

    def attached(self) -> list[str]:
        """The names attached now (what tests look at)."""
        with self._lock:
            if self._db is None:
                return []
            rows = self._db.execute(
                "SELECT database_name FROM duckdb_databases() WHERE NOT internal "
                "AND database_name <> 'memory' ORDER BY database_name"
            ).fetchall()
        return [name for (name,) in rows]

    def close(self) -> None:
        """Detach everything and close the instance (a run in progress must have ended)."""
        with self._lock:
            if self._db is not None:
                self._db.close()
            self._db = None
            self._latest.clear()

    # -- inside ----------------------------------------------------------------------------
    def _start(self, warehouse: Path) -> tuple[_Attached, duckdb.DuckDBPyConnection]:
        identity = _identity(warehouse)
        key = os.path.abspath(warehouse)
        with self._lock:
            db = self._instance()
            attached = self._latest.get(key)
            if attached is None or attached.identity != identity:
                fresh = self._attach(db, key, identity)
                if attached is not None:
                    self._retire(attached)
                attached = self._latest[key] = fresh
            self._latest.move_to_end(key)
            self._forget_beyond_keep()
            attached.runs += 1
            cursor = db.cursor()
        try:
            cursor.execute(f'USE "{attached.name}"')
        except BaseException:
            cursor.close()
            with self._lock:
                attached.runs -= 1
            raise
        return attached, cursor

    def _instance(self) -> duckdb.DuckDBPyConnection:
        if self._db is None:
            self._db = duckdb.connect(":memory:")
        return self._db

    def _attach(
        self, db: duckdb.DuckDBPyConnection, path: str, identity: tuple[int, int, int, int]
    ) -> _Attached:
        name = f"warehouse_{next(self._names)}"
        literal = path.replace("'", "''")
        try:
            db.execute(f"ATTACH '{literal}' AS \"{name}\" (READ_ONLY)")
        except duckdb.Error as exc:
            raise WarehouseUnavailable(
                f"the warehouse file {path} cannot be opened ({exc}): re{BUILD_HINT}"
            ) from None
        return _Attached(name, identity)

    def _retire(self, attached: _Attached) -> None:
        attached.retired = True
        if attached.runs == 0:
            self._detach(attached)

    def _detach(self, attached: _Attached) -> None:
        if self._db is not None:
            self._db.execute(f'DETACH DATABASE IF EXISTS "{attached.name}"')

    def _forget_beyond_keep(self) -> None:
        while len(self._latest) > self._keep:
            _, oldest = self._latest.popitem(last=False)
            self._retire(oldest)


def _identity(warehouse: Path) -> tuple[int, int, int, int]:
    try:
        found = warehouse.stat()
    except FileNotFoundError:
        raise WarehouseUnavailable(
            f"there is no warehouse file at {warehouse} yet: {BUILD_HINT}"
        ) from None
    except OSError as exc:
        raise WarehouseUnavailable(
            f"the warehouse file {warehouse} cannot be read ({exc})"
        ) from None
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)


READER = WarehouseReader()  # the process's one reader: every report runs through it
