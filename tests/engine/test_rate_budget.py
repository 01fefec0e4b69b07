"""One rate budget per credential: waits computed, not slept in fixed steps."""

from __future__ import annotations

import pytest

from causeway.engine.rate import RateBudget, RateBudgets


class FakeTime:
    """A clock that moves only when a budget sleeps."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def budget(capacity: float = 100, refill: float = 10) -> tuple[RateBudget, FakeTime]:
    t = FakeTime()
    return RateBudget("shopify:test", capacity, refill, clock=t.clock, sleep=t.sleep), t


def test_requests_within_the_bucket_do_not_wait() -> None:
    b, t = budget()
    assert b.acquire(60) == 0
    assert b.acquire(40) == 0
    assert t.slept == []


def test_an_empty_bucket_waits_exactly_for_the_refill() -> None:
    b, t = budget(capacity=100, refill=10)
    b.acquire(100)
    waited = b.acquire(30)
    assert waited == pytest.approx(3.0)
    assert t.slept == [pytest.approx(3.0)]
    assert b.waits == 1


def test_retry_after_pauses_every_caller_of_the_credential() -> None:
    b, _t = budget()
    b.pause(2.5)
    assert b.acquire(1) == pytest.approx(2.5)


def test_the_servers_view_of_the_bucket_wins() -> None:
    b, _t = budget(capacity=100, refill=10)
    b.observe(available=5, capacity=1000, refill_per_second=50)
    assert b.capacity == 1000
    assert b.acquire(55) == pytest.approx(1.0)


def test_a_request_larger_than_the_bucket_goes_once_the_bucket_is_full() -> None:
    b, _t = budget(capacity=100, refill=10)
    b.acquire(50)
    assert b.acquire(500) == pytest.approx(5.0)


def test_the_same_credential_gets_the_same_budget() -> None:
    budgets = RateBudgets()
    a = budgets.get("shopify:a", capacity=1000, refill_per_second=50)
    assert budgets.get("shopify:a", capacity=1, refill_per_second=1) is a
    assert budgets.get("shopify:b", capacity=1000, refill_per_second=50) is not a
