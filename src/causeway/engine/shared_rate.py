"""Rate budgets kept in the store: one token bucket shared by every worker process.

A remote's limit belongs to the credential (an Amazon operation of one selling account),
not to a process: two `causeway worker` processes with a bucket each would spend it
twice. So the bucket's state is a row of `rate_buckets` (schema.py): its tokens as of
`stamp`, its capacity, its refill rate and until when a Retry-After stops it. Every
process draws from that row; this object only caches the capacity and rate it last saw.

Taking a token is one statement, the same on SQLite and PostgreSQL:

    UPDATE rate_buckets
       SET tokens = refilled - cost, stamp = max(stamp, :now)
     WHERE name = :name AND paused_until <= :now AND refilled >= cost
    RETURNING ...

where `refilled` is min(capacity, tokens + (now - stamp) * refill_per_second). The
database runs it under the row's lock, so two processes never both spend the last
token. A refused take reads the row to compute the wait, and the caller sleeps outside
any transaction, never holding the row.

Cost: on PostgreSQL a granted take is one round trip (its own connection pool in
autocommit mode, without the pool's pre-ping: no BEGIN, no COMMIT); a refused one is
two (the UPDATE and a SELECT) and then a sleep. A waiter looks again at least every
MAX_NAP seconds, so a rate another process learned reaches it soon. On SQLite (one
process, or several taking turns) each is a short write transaction (BEGIN IMMEDIATE).

Times are the processes' wall clocks (time.time), like the store's leases: the
machines of one hub must keep their clocks in step (NTP). A stamp never goes back, so
a process whose clock is behind only finds fewer tokens.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Engine, Float, case, create_engine, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from causeway.engine.rate import RateBudget
from causeway.engine.schema import rate_buckets as t
from causeway.engine.store import Store

# Float rounding can leave a sliver of a token missing; it counts as there.
EPSILON = 1e-9
# The longest a waiter sleeps before it looks at the row again.
MAX_NAP = 1.0
# A take the database refused, though the row read just after says the tokens are
# there (refunded or refilled meanwhile): wait this long and try again.
RETRY_SOON = 0.001


@dataclass(frozen=True)
class BucketState:
    """One row of rate_buckets, and the arithmetic every process applies to it."""

    tokens: float
    capacity: float
    refill_per_second: float
    stamp: float
    paused_until: float

    def tokens_at(self, now: float) -> float:
        elapsed = max(0.0, now - self.stamp)
        return min(self.capacity, self.tokens + elapsed * self.refill_per_second)

    def delay_for(self, cost: float, now: float) -> float:
        """Seconds until `cost` tokens may be taken; 0 means now. A cost above the
        capacity takes a full bucket (the server tells the rest), as RateBudget does."""
        pause = max(0.0, self.paused_until - now)
        shortfall = min(cost, self.capacity) - self.tokens_at(now)
        shortfall = 0.0 if shortfall < EPSILON else shortfall
        return max(pause, shortfall / self.refill_per_second)


def _least(a: Any, b: Any) -> ColumnElement[float]:
    return case((a < b, a), else_=b)


def _greatest(a: Any, b: Any) -> ColumnElement[float]:
    return case((a > b, a), else_=b)


def _refilled(now: float) -> ColumnElement[float]:
    """The row's tokens at `now`, in SQL: what BucketState.tokens_at computes."""
    elapsed = _greatest(literal(now, Float) - t.c.stamp, 0.0)
    return _least(t.c.capacity, t.c.tokens + elapsed * t.c.refill_per_second)


STATE = (t.c.tokens, t.c.capacity, t.c.refill_per_second, t.c.stamp, t.c.paused_until)


class StoreBuckets:
    """The statements on rate_buckets, and the maker of the hub's shared budgets (the
    `SharedBudgets` RateBudgets takes)."""

    def __init__(self, store: Store, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        self._engine: Engine | None = None
        if store.is_postgres:
            # One statement a take: autocommit, no pre-ping (a dropped connection is
            # retried once instead), a small pool of its own.
            self._engine = create_engine(
                store.url, isolation_level="AUTOCOMMIT", pool_size=2, max_overflow=8
            )

    def __call__(self, name: str, capacity: float, refill_per_second: float) -> StoreRateBudget:
        return StoreRateBudget(name, capacity, refill_per_second, clock=self.clock, buckets=self)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    # -- one statement each -------------------------------------------------------------
    def register(self, name: str, capacity: float, refill_per_second: float) -> BucketState:
        """Make the bucket, full, unless it is there: then it takes this capacity (the
        documented burst, which no header states) and keeps its rate and tokens."""
        insert = pg_insert(t) if self.store.is_postgres else sqlite_insert(t)
        new = insert.values(
            name=name,
            tokens=capacity,
            capacity=capacity,
            refill_per_second=refill_per_second,
            stamp=self.clock(),
            paused_until=0.0,
        )
        statement = new.on_conflict_do_update(
            index_elements=["name"],
            set_=dict(
                capacity=new.excluded.capacity,
                tokens=_least(t.c.tokens, new.excluded.capacity),
            ),
        ).returning(*STATE)
        state = self._one(statement)
        assert state is not None  # an upsert always returns its row
        return state

    def take(self, name: str, cost: float, now: float) -> BucketState | None:
        """Take `cost` tokens if the bucket has them at `now` and is not paused; the
        state after, or None when refused (or the bucket is not there)."""
        needed = _least(literal(cost, Float), t.c.capacity)
        refilled = _refilled(now)
        return self._one(
            update(t)
            .where(t.c.name == name, t.c.paused_until <= now, refilled >= needed - EPSILON)
            .values(tokens=_greatest(refilled - needed, 0.0), stamp=_greatest(t.c.stamp, now))
            .returning(*STATE)
        )

    def read(self, name: str) -> BucketState | None:
        return self._one(select(*STATE).where(t.c.name == name))

    def pause(self, name: str, until: float) -> BucketState | None:
        return self._one(
            update(t)
            .where(t.c.name == name)
            .values(paused_until=_greatest(t.c.paused_until, until))
            .returning(*STATE)
        )

    def observe(
        self,
        name: str,
        now: float,
        *,
        available: float | None,
        capacity: float | None,
        refill_per_second: float | None,
    ) -> BucketState | None:
        """Set what a remote said: the tokens left (None: keep them, refilled at the
        old rate up to now), the capacity and rate from now on."""
        size: Any = literal(float(capacity), Float) if capacity else t.c.capacity
        held: Any = _refilled(now) if available is None else literal(float(available), Float)
        values: dict[str, Any] = dict(
            tokens=_least(_greatest(held, 0.0), size),
            stamp=_greatest(t.c.stamp, now),
            capacity=size,
        )
        if refill_per_second:
            values["refill_per_second"] = float(refill_per_second)
        return self._one(update(t).where(t.c.name == name).values(**values).returning(*STATE))

    def refund(self, name: str, units: float) -> BucketState | None:
        return self._one(
            update(t)
            .where(t.c.name == name)
            .values(tokens=_least(t.c.capacity, t.c.tokens + max(0.0, units)))
            .returning(*STATE)
        )

    def _one(self, statement: Any) -> BucketState | None:
        if self._engine is None:  # SQLite: the store's own short write transaction
            with self.store.transaction() as conn:
                row = conn.execute(statement).first()
            return None if row is None else BucketState(*row)
        for attempt in (1, 2):
            try:
                with self._engine.connect() as conn:
                    row = conn.execute(statement).first()
                return None if row is None else BucketState(*row)
            except DBAPIError as error:
                # A connection the server dropped (restart, idle timeout): once more on
                # a fresh one. Anything else, or twice, is the caller's error.
                if attempt == 2 or not error.connection_invalidated:
                    raise
        raise AssertionError("unreachable")


@dataclass
class StoreRateBudget(RateBudget):
    """A RateBudget whose bucket is a row of the store, shared by every process.

    Same methods as RateBudget, so clients use it unchanged; `capacity` and
    `refill_per_second` are what the row said at this process's last look.
    The in-memory bucket of the parent class is not used."""

    clock: Callable[[], float] = time.time
    buckets: StoreBuckets = field(kw_only=True)
    max_nap: ClassVar[float] = MAX_NAP

    def __post_init__(self) -> None:
        if self.capacity <= 0 or self.refill_per_second <= 0:
            raise ValueError("a rate budget needs a positive capacity and refill rate")
        self._seen(self.buckets.register(self.name, self.capacity, self.refill_per_second))

    def _seen(self, state: BucketState | None) -> BucketState:
        if state is None:  # the row went away (a store emptied by hand): make it again
            state = self.buckets.register(self.name, self.capacity, self.refill_per_second)
        self.capacity = state.capacity
        self.refill_per_second = state.refill_per_second
        return state

    def try_acquire(self, cost: float = 1.0) -> float:
        now = self.clock()
        taken = self.buckets.take(self.name, cost, now)
        if taken is not None:
            self._seen(taken)
            return 0.0
        state = self._seen(self.buckets.read(self.name))
        return max(state.delay_for(cost, now), RETRY_SOON)

    def pause(self, seconds: float) -> None:
        until = self.clock() + max(0.0, seconds)
        self._seen(self.buckets.pause(self.name, until))

    def observe(
        self,
        *,
        available: float | None = None,
        capacity: float | None = None,
        refill_per_second: float | None = None,
    ) -> None:
        self._seen(
            self.buckets.observe(
                self.name,
                self.clock(),
                available=available,
                capacity=capacity,
                refill_per_second=refill_per_second,
            )
        )

    def refund(self, units: float) -> None:
        self._seen(self.buckets.refund(self.name, units))

    @property
    def available(self) -> float:
        return self._seen(self.buckets.read(self.name)).tokens_at(self.clock())
