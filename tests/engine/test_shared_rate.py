"""A rate bucket kept in the store (engine/shared_rate.py), on SQLite and on PostgreSQL.

The arithmetic is checked on a clock the tests move by hand: each "process" below is its
own StoreBuckets on the one store, with nothing in common but the row, as two worker
processes have. tests/engine/test_shared_rate_processes.py runs real processes.
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, select

from causeway.engine.rate import RateBudget, RateBudgets
from causeway.engine.schema import metadata, rate_buckets
from causeway.engine.shared_rate import (
    MAX_NAP,
    RETRY_SOON,
    BucketState,
    StoreBuckets,
    StoreRateBudget,
)
from causeway.engine.store import Store
from tests.engine.test_rate_budget import FakeTime

GET_ORDER = "amazon:https://sellingpartnerapi-eu.amazon.com:A1SELLER:getOrder"


def process(store: Store, t: FakeTime, capacity: float = 10, rate: float = 2) -> StoreRateBudget:
    """One worker process's view of the getOrder bucket."""
    budget = StoreBuckets(store, clock=t.clock)(GET_ORDER, capacity, rate)
    budget.sleep = t.sleep
    return budget


@pytest.fixture
def t() -> FakeTime:
    return FakeTime(1_000_000.0)


# -- the arithmetic, without a store ----------------------------------------------------
def test_a_bucket_refills_at_its_rate_up_to_its_capacity() -> None:
    state = BucketState(tokens=1, capacity=10, refill_per_second=2, stamp=100, paused_until=0)
    assert state.tokens_at(100) == 1
    assert state.tokens_at(102) == 5
    assert state.tokens_at(1000) == 10
    assert state.tokens_at(99) == 1, "a clock behind the stamp finds no more, and no fewer"


def test_the_wait_is_the_shortfall_over_the_rate_or_the_pause_if_longer() -> None:
    state = BucketState(tokens=0, capacity=10, refill_per_second=2, stamp=100, paused_until=0)
    assert state.delay_for(1, 100) == pytest.approx(0.5)
    assert state.delay_for(3, 100) == pytest.approx(1.5)
    assert state.delay_for(1, 101) == 0
    assert state.delay_for(50, 100) == pytest.approx(5.0), "more than the bucket: a full one"
    paused = BucketState(tokens=10, capacity=10, refill_per_second=2, stamp=100, paused_until=103)
    assert paused.delay_for(1, 100) == pytest.approx(3.0)
    assert paused.delay_for(1, 103) == 0


# -- in the store -----------------------------------------------------------------------
def test_requests_within_the_bucket_do_not_wait_and_the_next_waits_for_the_refill(
    store: Store, t: FakeTime
) -> None:
    budget = process(store, t, capacity=10, rate=2)
    assert [budget.acquire() for _ in range(10)] == [0.0] * 10
    assert budget.try_acquire() == pytest.approx(0.5)
    assert budget.acquire() == pytest.approx(0.5)
    assert t.slept == [pytest.approx(0.5)]
    assert budget.waits == 1


def test_two_processes_draw_from_one_bucket(store: Store, t: FakeTime) -> None:
    one, two = process(store, t, capacity=10, rate=2), process(store, t, capacity=10, rate=2)
    for _ in range(6):
        assert one.try_acquire() == 0
    for _ in range(4):
        assert two.try_acquire() == 0
    assert one.try_acquire() == pytest.approx(0.5), "the other process spent the rest"
    assert two.available == pytest.approx(0)
    t.now += 1.0
    assert one.available == pytest.approx(2)


def test_a_second_process_starting_does_not_refill_the_bucket(store: Store, t: FakeTime) -> None:
    one = process(store, t, capacity=10, rate=2)
    for _ in range(10):
        one.acquire()
    late = process(store, t, capacity=10, rate=2)
    assert late.try_acquire() == pytest.approx(0.5)


def test_a_retry_after_seen_by_one_process_pauses_the_other(store: Store, t: FakeTime) -> None:
    one, two = process(store, t), process(store, t)
    one.pause(2.5)
    assert two.try_acquire() == pytest.approx(2.5)
    assert two.acquire() == pytest.approx(2.5)
    assert all(nap <= MAX_NAP for nap in t.slept), "a waiter looks again at least every second"


def test_a_429_empties_the_bucket_for_every_process(store: Store, t: FakeTime) -> None:
    one, two = process(store, t, capacity=10, rate=2), process(store, t, capacity=10, rate=2)
    one.observe(available=0.0)
    assert two.try_acquire() == pytest.approx(0.5)


def test_a_stated_rate_is_adopted_by_every_process_and_keeps_the_tokens(
    store: Store, t: FakeTime
) -> None:
    one, two = process(store, t, capacity=10, rate=2), process(store, t, capacity=10, rate=2)
    for _ in range(10):
        one.acquire()
    t.now += 1.0  # two tokens back at the old rate
    one.observe(refill_per_second=50)
    assert one.refill_per_second == 50
    assert two.available == pytest.approx(2)
    assert two.refill_per_second == 50, "the other process learns it at its next look"
    for _ in range(2):
        assert two.try_acquire() == 0
    assert two.try_acquire() == pytest.approx(1 / 50)


def test_a_waiter_sees_a_rate_another_process_learned(store: Store, t: FakeTime) -> None:
    slow = process(store, t, capacity=1, rate=0.01)  # a token every 100 s
    slow.acquire()
    other = process(store, t, capacity=1, rate=0.01)

    def nap_while_the_other_learns_the_rate(seconds: float) -> None:
        t.sleep(seconds)
        other.observe(refill_per_second=10)

    slow.sleep = nap_while_the_other_learns_the_rate
    waited = slow.acquire()
    assert waited <= MAX_NAP + 0.1, "it waited for the new rate, not the 100 s of the old one"
    assert slow.refill_per_second == 10


def test_the_servers_view_resizes_the_bucket(store: Store, t: FakeTime) -> None:
    one = process(store, t, capacity=100, rate=10)
    one.observe(available=5, capacity=1000, refill_per_second=50)
    assert (one.capacity, one.refill_per_second) == (1000, 50)
    assert one.acquire(55) == pytest.approx(1.0)


def test_a_refund_gives_tokens_back_up_to_the_capacity(store: Store, t: FakeTime) -> None:
    one = process(store, t, capacity=10, rate=2)
    one.acquire(4)
    one.refund(3)
    assert one.available == pytest.approx(9)
    one.refund(50)
    assert one.available == pytest.approx(10)


def test_a_bucket_whose_row_was_removed_starts_again_full(store: Store, t: FakeTime) -> None:
    one = process(store, t, capacity=10, rate=2)
    one.acquire(10)
    with store.transaction() as conn:
        conn.execute(delete(rate_buckets))
    assert one.acquire() <= RETRY_SOON
    with store.read() as conn:
        assert conn.execute(select(rate_buckets.c.tokens)).scalar_one() == pytest.approx(9)


def test_the_hub_hands_out_shared_buckets_and_a_process_without_a_store_its_own(
    store: Store, t: FakeTime
) -> None:
    shared = RateBudgets(shared=StoreBuckets(store, clock=t.clock))
    budget = shared.shared(GET_ORDER, capacity=30, refill_per_second=0.5)
    assert isinstance(budget, StoreRateBudget)
    assert shared.shared(GET_ORDER, capacity=30, refill_per_second=0.5) is budget
    assert shared.all() == [budget]
    own = RateBudgets().shared(GET_ORDER, capacity=30, refill_per_second=0.5)
    assert type(own) is RateBudget
    shared.close()


def test_migration_0021_creates_the_table_schema_py_describes(store: Store) -> None:
    with store.read() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if "rate_buckets" in str(d)] == []
