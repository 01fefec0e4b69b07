"""Where the hub keeps everything: one SQLAlchemy engine on SQLite or PostgreSQL.

SQLite is the embedded default (one file, WAL, nothing to install); PostgreSQL
runs the same code for several worker processes. The schema is brought to the
newest Alembic revision every time a store is opened, so an upgrade of Causeway
never needs a separate migration step.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x43415553  # any constant; "CAUS"


def now() -> float:
    return time.time()


class Store:
    """A connection factory plus the knowledge of which database it is."""

    def __init__(
        self,
        url: str,
        *,
        synchronous: str = "FULL",
        migrate: bool = True,
        background_checkpoints: bool = False,
    ) -> None:
        """background_checkpoints: the owner calls `checkpoint()` from its own thread
        (the running hub does), so no commit ever pays for a WAL checkpoint."""
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.is_postgres = self.url.get_backend_name() == "postgresql"
        if self.is_sqlite:
            self.engine = self._sqlite_engine(url, synchronous, background_checkpoints)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
        if migrate:
            self.migrate()

    @staticmethod
    def _sqlite_engine(url: str, synchronous: str, background_checkpoints: bool) -> Engine:
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # The pool hands each connection to one thread at a time; keeping them open
        # saves re-running the pragmas below on every transaction.
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            # Let SQLAlchemy, not pysqlite, decide when a transaction starts.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # FULL: an acknowledged webhook survives a power cut, not only a crash.
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute("PRAGMA busy_timeout=30000")
            if background_checkpoints:
                # By default the commit that crosses 1000 WAL pages copies them into
                # the database and fsyncs it: a webhook would wait for that.
                cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # Take the write lock up front: a read that later writes would
            # otherwise fail with "database is locked" instead of waiting.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    def migrate(self) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            if self.is_postgres:
                # Several processes (`causeway run` and `causeway worker`s) started at
                # once on a fresh database: one migrates, the others wait and find it done.
                connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection

    def checkpoint(self) -> None:
        """Copy the WAL into the database without blocking readers or writers (SQLite)."""
        if not self.is_sqlite:
            return
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except OperationalError as exc:
            # A reader holding the table for a moment: the next round catches up.
            if "locked" not in str(exc):
                raise

    def dispose(self) -> None:
        self.engine.dispose()
