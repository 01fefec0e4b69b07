"""Named locks in the store, on SQLite and on PostgreSQL: what two workers finding-or-creating
one new customer rely on."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from causeway.engine import locks as locks_module
from causeway.engine.locks import LockTimeout, StoreLocks
from causeway.engine.schema import locks
from causeway.engine.store import Store
from causeway.errors import RetryableError

CUSTOMER = "erp:customer:ann"


def holders(store: Store) -> dict[str, str]:
    with store.read() as conn:
        return {r.name: r.holder for r in conn.execute(select(locks.c.name, locks.c.holder))}


def test_a_second_holder_waits_until_the_first_releases(store: Store) -> None:
    first, second = StoreLocks(store), StoreLocks(store)
    order: list[str] = []
    with first.hold([CUSTOMER], timeout=5):
        waiter = threading.Thread(target=lambda: _hold_and_note(second, order))
        waiter.start()
        time.sleep(0.3)
        assert order == [], "the second holder got a lock the first still held"
        order.append("first done")
    waiter.join(timeout=10)
    assert order == ["first done", "second held"]
    assert holders(store) == {}, "both released their lock"


def _hold_and_note(locks_: StoreLocks, order: list[str]) -> None:
    with locks_.hold([CUSTOMER], timeout=10):
        order.append("second held")


def test_a_holder_that_waits_too_long_gets_a_retryable_error_and_holds_nothing(
    store: Store,
) -> None:
    taken = StoreLocks(store)
    with taken.hold(["erp:customer:bob"], timeout=5):
        held_by_first = holders(store)
        with (
            pytest.raises(LockTimeout, match="erp:customer:bob") as caught,
            StoreLocks(store).hold(["erp:customer:ann", "erp:customer:bob"], timeout=0.2),
        ):
            pass
        assert isinstance(caught.value, RetryableError)
        # ann was got on the way and given back: only the first holder's lock is there.
        assert holders(store) == held_by_first


def test_a_dead_holders_lock_is_taken_once_its_lease_runs_out(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = StoreLocks(store, lease_seconds=30)
    dead.acquire([CUSTOMER], "dead-worker", timeout=1)  # and never renews nor releases
    other = StoreLocks(store, lease_seconds=30)
    with pytest.raises(LockTimeout):
        other.acquire([CUSTOMER], "live-worker", timeout=0.1)
    later = locks_module.now() + 31
    monkeypatch.setattr(locks_module, "now", lambda: later)
    other.acquire([CUSTOMER], "live-worker", timeout=1)
    assert holders(store) == {CUSTOMER: "live-worker"}
    # The dead worker coming back to life cannot take it back, nor release it.
    assert dead.take([CUSTOMER], "dead-worker") == set()
    assert dead.release("dead-worker", [CUSTOMER]) == 0
    assert holders(store) == {CUSTOMER: "live-worker"}


def test_a_release_by_a_worker_that_does_not_hold_the_lock_does_nothing(store: Store) -> None:
    locks_ = StoreLocks(store)
    locks_.acquire([CUSTOMER], "holder", timeout=1)
    assert locks_.release("someone-else", [CUSTOMER]) == 0
    assert locks_.release("someone-else") == 0
    assert holders(store) == {CUSTOMER: "holder"}
    assert locks_.release("holder") == 1
    assert holders(store) == {}


def test_a_renewed_lease_keeps_a_slow_holders_lock(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    locks_ = StoreLocks(store, lease_seconds=30)
    locks_.acquire([CUSTOMER], "slow", timeout=1)
    start = locks_module.now()
    monkeypatch.setattr(locks_module, "now", lambda: start + 20)
    assert locks_.renew("slow") == 1
    monkeypatch.setattr(locks_module, "now", lambda: start + 40)  # past the first lease
    assert locks_.take([CUSTOMER], "other") == set()
    assert holders(store) == {CUSTOMER: "slow"}


def test_the_lock_renews_itself_while_its_block_runs(store: Store) -> None:
    locks_ = StoreLocks(store, lease_seconds=0.3)
    with locks_.hold([CUSTOMER], timeout=1):
        time.sleep(0.8)  # more than two leases: only renewal keeps it
        assert locks_.take([CUSTOMER], "other") == set()
    assert holders(store) == {}


def test_two_takers_of_crossing_sets_of_locks_both_get_them_in_turn(store: Store) -> None:
    # Sorted taking: one waiting for ann while holding bob (and the other the reverse)
    # cannot happen, so neither waits out its timeout.
    done: list[str] = []

    def take(names: list[str], who: str) -> None:
        for _ in range(20):
            with StoreLocks(store).hold(names, timeout=10):
                time.sleep(0.001)
        done.append(who)

    threads = [
        threading.Thread(target=take, args=(["ann", "bob"], "one")),
        threading.Thread(target=take, args=(["bob", "ann"], "two")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(done) == ["one", "two"]
    assert holders(store) == {}
