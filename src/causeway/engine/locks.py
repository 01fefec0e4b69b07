"""Named locks kept in the store, with a lease: shared by every worker thread and process.

A lock is a row (schema.locks) naming its holder and how long its lease lasts. Taking,
renewing and releasing are one statement each, the same on SQLite and PostgreSQL:
- take: an upsert that inserts the row, or overwrites it only when its lease ran out
  (its holder died) or it is already the taker's; RETURNING says which names it got;
- renew: one UPDATE of every row the holder has; release: one DELETE of the holder's
  rows, so a release by anyone else does nothing.
A holder renews its leases from a thread while it holds them (a slow ERP call keeps
its locks); a holder that dies stops renewing, and its locks are free once the lease
runs out.

Several names are taken in sorted order, and a taker keeps only the names before the
first it could not get: two takers never each hold what the other waits for, so they
cannot deadlock.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import delete, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from causeway.engine.schema import locks
from causeway.engine.store import Store, now
from causeway.errors import RetryableError
from causeway.model.ports.locks import Locks

log = logging.getLogger("causeway.locks")

LEASE_SECONDS = 30.0
FIRST_POLL, LAST_POLL = 0.01, 0.25  # seconds between tries while a lock is taken


class LockTimeout(RetryableError):
    """Another worker held a lock for longer than the caller would wait."""


def new_holder() -> str:
    return uuid.uuid4().hex


class StoreLocks:
    """The store's named locks (model/ports/locks.py `Locks`)."""

    def __init__(self, store: Store, *, lease_seconds: float = LEASE_SECONDS) -> None:
        self.store = store
        self.lease_seconds = lease_seconds

    # -- one statement each ---------------------------------------------------------
    def take(self, names: Sequence[str], holder: str) -> set[str]:
        """Take those of `names` that are free, expired or already `holder`'s; returns them."""
        if not names:
            return set()
        stamp = now()
        rows = [
            dict(name=n, holder=holder, lease_until=stamp + self.lease_seconds, acquired_at=stamp)
            for n in names
        ]
        insert = pg_insert(locks) if self.store.is_postgres else sqlite_insert(locks)
        statement = insert.on_conflict_do_update(
            index_elements=["name"],
            set_=dict(
                holder=insert.excluded.holder,
                lease_until=insert.excluded.lease_until,
                acquired_at=insert.excluded.acquired_at,
            ),
            where=or_(locks.c.lease_until < stamp, locks.c.holder == insert.excluded.holder),
        ).returning(locks.c.name)
        with self.store.transaction() as conn:
            return set(conn.execute(statement, rows).scalars())

    def renew(self, holder: str) -> int:
        """Extend every lease `holder` still has; returns how many it has."""
        with self.store.transaction() as conn:
            return conn.execute(
                update(locks)
                .where(locks.c.holder == holder)
                .values(lease_until=now() + self.lease_seconds)
            ).rowcount

    def release(self, holder: str, names: Collection[str] | None = None) -> int:
        """Give back `holder`'s locks (those of `names` only, if given): someone else's
        lock of the same name stays as it is. Returns how many were given back."""
        condition = locks.c.holder == holder
        if names is not None:
            condition = condition & locks.c.name.in_(list(names))
        with self.store.transaction() as conn:
            return conn.execute(delete(locks).where(condition)).rowcount

    # -- waiting ----------------------------------------------------------------------
    def acquire(self, names: Collection[str], holder: str, *, timeout: float) -> None:
        """Take every lock named for `holder`, waiting at most `timeout` seconds;
        raises LockTimeout (holding none of them) when that is not enough."""
        wanted = sorted(set(names))
        held: list[str] = []
        deadline = time.monotonic() + timeout
        pause = FIRST_POLL
        while True:
            remaining = wanted[len(held) :]
            got = self.take(remaining, holder)
            for name in remaining:  # the sorted run of names got, up to the first missed
                if name not in got:
                    break
                held.append(name)
            if len(held) == len(wanted):
                return
            # Names got past the first missed one go back: keeping them while waiting
            # is how two takers would each hold what the other waits for.
            if beyond := got - set(held):
                self.release(holder, beyond)
            if time.monotonic() + pause > deadline:
                self.release(holder)
                raise LockTimeout(
                    f"waited {timeout:.0f} s for lock {wanted[len(held)]!r}, which another "
                    f"worker holds; trying again later",
                    retry_after=pause,
                )
            time.sleep(random.uniform(pause / 2, pause))
            pause = min(pause * 2, LAST_POLL)

    @contextmanager
    def hold(self, names: Collection[str], *, timeout: float) -> Iterator[None]:
        """Hold every lock named for the block (the `Locks` port); its leases are
        renewed while the block runs."""
        if not names:
            yield
            return
        holder = new_holder()
        self.acquire(names, holder, timeout=timeout)
        done = threading.Event()
        renewer = threading.Thread(
            target=self._renew_until, args=(holder, done), name="lock-renewer", daemon=True
        )
        renewer.start()
        try:
            yield
        finally:
            done.set()
            renewer.join()
            self.release(holder)

    def _renew_until(self, holder: str, done: threading.Event) -> None:
        while not done.wait(self.lease_seconds / 3):
            try:
                if self.renew(holder) == 0:
                    log.warning("locks of %s expired before they were renewed", holder)
            except Exception:  # the store is briefly away: the next round tries again
                log.exception("could not renew the locks of %s", holder)


if TYPE_CHECKING:  # mypy checks here that the store's locks are the port connectors take

    def _are_locks(store_locks: StoreLocks) -> Locks:
        return store_locks
