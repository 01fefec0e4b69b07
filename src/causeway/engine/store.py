"""Where the hub keeps everything: one SQLAlchemy engine on SQLite or PostgreSQL.

SQLite is the embedded default (one file, WAL, nothing to install); PostgreSQL
runs the same code for several worker processes. The schema is brought to the
newest Alembic revision every time a store is opened, so an upgrade of Causeway
never needs a separate migration step.

Commands that only read (`causeway status`, `replay`, `check`) open the store with
`create=False`: a mistyped SQLite path is reported, never created as an empty store.
A store that cannot be reached raises StoreUnavailableError, whose message names
the store (without its password) and the fix.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from causeway.errors import CausewayError

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x43415553  # any constant; "CAUS"
# The files of one SQLite store: the database, its write-ahead log and shared memory,
# and the rollback journal of a store not (yet) in WAL mode.
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")
PRIVATE = 0o600

log = logging.getLogger("causeway.store")


def now() -> float:
    return time.time()


class StoreUnavailableError(CausewayError):
    """The store cannot be opened or reached; the message says which one and what to do."""


def shown(url: URL) -> str:
    """The store's URL as it may be printed: never its password."""
    return url.render_as_string(hide_password=True)


def first_line(error: BaseException) -> str:
    """What went wrong, in one line: the database driver's own message when SQLAlchemy
    wraps one (its own adds the SQL and a link), else the error's; its type if empty."""
    cause = getattr(error, "orig", None) or error
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def unavailable(url: URL, error: BaseException) -> StoreUnavailableError:
    """The one sentence an operator reads when the store does not answer."""
    reason = first_line(error)
    if url.get_backend_name() == "sqlite":
        fix = "check that its folder exists and is writable, or fix store.url"
    else:
        fix = "start PostgreSQL or fix store.url (host, port, database, user), then try again"
    return StoreUnavailableError(f"the store {shown(url)} cannot be opened ({reason}): {fix}")


def head_revision() -> str | None:
    """The newest migration this version of Causeway ships."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def private_sqlite_files(database: Path) -> None:
    """Make the store's files readable by their owner only: they hold customers'
    names, addresses and order payloads.

    SQLite creates the -wal, -shm and -journal files with the mode of the database
    file, so creating that file 0600 before SQLite does is enough for new stores (no
    umask change, which would race with every other thread creating files). A store
    made by an older version, or copied in, is tightened on open.
    """
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:
        pass
    for suffix in SQLITE_SUFFIXES:
        path = database.with_name(database.name + suffix)
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            try:
                path.chmod(mode & 0o700)
            except PermissionError:  # not ours to change: say so, and go on
                log.warning("%s is readable by others (%o); make it 0600", path, mode)
                continue
            log.info("%s was readable by others (%o); now %o", path, mode, mode & 0o700)


class Store:
    """A connection factory plus the knowledge of which database it is."""

    def __init__(
        self,
        url: str,
        *,
        synchronous: str = "FULL",
        migrate: bool = True,
        create: bool = True,
        background_checkpoints: bool = False,
    ) -> None:
        """background_checkpoints: the owner calls `checkpoint()` from its own thread
        (the running hub does), so no commit ever pays for a WAL checkpoint.
        create=False: an SQLite file that does not exist is an error (StoreUnavailableError),
        not a new empty store, and no folder is made for it."""
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.is_postgres = self.url.get_backend_name() == "postgresql"
        if self.is_sqlite:
            self._sqlite_file_or_folder(create)
            self.engine = self._sqlite_engine(url, synchronous, background_checkpoints)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
        if migrate:
            try:
                self.migrate()
            except OperationalError as exc:
                self.engine.dispose()
                raise unavailable(self.url, exc) from None

    def _sqlite_file_or_folder(self, create: bool) -> None:
        database = self.url.database
        if not database or database == ":memory:":
            return
        path = Path(database)
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.is_file():
            raise StoreUnavailableError(
                f"the store {path} does not exist: fix store.url (or --config), or start the "
                f"hub once with `causeway run` to create it"
            )
        try:
            private_sqlite_files(path)
        except OSError as exc:
            raise unavailable(self.url, exc) from None

    @staticmethod
    def _sqlite_engine(url: str, synchronous: str, background_checkpoints: bool) -> Engine:
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

    def revision(self) -> str | None:
        """The migration the store is at (None: an empty database)."""
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def probe_write(self) -> None:
        """A write that is rolled back: raises if the store cannot take writes now
        (a read-only file or standby, a held lock past busy_timeout, a full disk)."""
        with self.engine.connect() as connection, connection.begin() as transaction:
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
            transaction.rollback()

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
