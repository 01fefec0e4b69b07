"""Worker processes drawing from one rate bucket in PostgreSQL (engine/shared_rate.py).

Real processes (multiprocessing, spawn) each open the store and make their own budget,
as `causeway worker` processes do, then take tokens as fast as the bucket lets them.
Each notes the clock reading its every grant was made at (the `now` of the statement
that took the token); the checks are on counts against what the bucket allows, never
on how long something took. Per-process buckets would grant several times as much.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.context import SpawnProcess
from typing import Any

import pytest

from causeway.engine.shared_rate import StoreBuckets
from causeway.engine.store import Store

SPAWN = multiprocessing.get_context("spawn")
BUCKET = "amazon:https://sellingpartnerapi-na.amazon.com:A1SELLER:getOrder"
PROCESSES = 3


def drawer(commands: Any, go: Any, out: Any) -> None:
    """One worker process. For each command (store url, capacity, rate, seconds): open the
    store, make the bucket's budget, say ready, and after `go` take tokens one at a time
    for that long; then report every grant's stamp. None ends it."""
    while (command := commands.get()) is not None:
        url, capacity, rate, duration = command
        stamps: list[float] = []

        def clock(stamps: list[float] = stamps) -> float:
            stamps.append(time.time())
            return stamps[-1]

        store = Store(url)
        buckets = StoreBuckets(store, clock=clock)
        budget = buckets(BUCKET, capacity, rate)
        out.put("ready")
        go.wait(60)
        grants: list[float] = []
        until = time.time() + duration
        while time.time() < until:
            budget.acquire()
            grants.append(stamps[-1])  # the `now` the granting statement ran with
        out.put((grants, budget.refill_per_second))
        buckets.close()
        store.dispose()


@dataclass
class Drawn:
    grants: list[float]  # every grant's stamp, all processes, sorted
    per_process: list[list[float]]
    rates_seen: list[float]  # each process's refill rate at its last look


class Drawers:
    """PROCESSES worker processes, started once for this module's tests (spawning is
    what takes time), each drawing from the bucket of the store it is told."""

    def __init__(self) -> None:
        self.go, self.out = SPAWN.Event(), SPAWN.Queue()
        self.commands = [SPAWN.Queue() for _ in range(PROCESSES)]
        self.processes: list[SpawnProcess] = []
        for i, commands in enumerate(self.commands):
            process = SPAWN.Process(
                target=drawer, args=(commands, self.go, self.out), name=f"drawer-{i}"
            )
            process.start()
            self.processes.append(process)

    @contextmanager
    def drawing(
        self, url: str, capacity: float, rate: float, duration: float
    ) -> Iterator[tuple[Any, list[Drawn]]]:
        """Yield (go, result) once every process is ready; they start when the test sets
        `go` (or when the block ends); `result` holds what they drew after the block."""
        self.go.clear()
        for commands in self.commands:
            commands.put((url, capacity, rate, duration))
        for _ in self.processes:
            assert self.out.get(timeout=60) == "ready"
        result: list[Drawn] = []
        yield self.go, result
        self.go.set()
        done = [self.out.get(timeout=duration + 60) for _ in self.processes]
        per_process = [grants for grants, _ in done]
        result.append(
            Drawn(sorted(g for p in per_process for g in p), per_process, [r for _, r in done])
        )

    def close(self) -> None:
        self.go.set()
        for commands in self.commands:
            commands.put(None)
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()


@pytest.fixture(scope="module")
def drawers() -> Iterator[Drawers]:
    started = Drawers()
    yield started
    started.close()


def most_in_any_window(grants: list[float], capacity: float, rate: float) -> float:
    """The largest excess of grants over what the bucket allows in any window between two
    grants (count - capacity - rate * span); <= 0 when the bucket held everywhere."""
    worst = float("-inf")
    for i, first in enumerate(grants):
        for j in range(i, len(grants)):
            worst = max(worst, (j - i + 1) - capacity - rate * (grants[j] - first))
    return worst


def test_worker_processes_never_take_more_than_the_one_bucket_allows(
    postgres_store: Store, postgres_url: str, drawers: Drawers
) -> None:
    capacity, rate, duration = 5.0, 10.0, 2.0
    buckets = StoreBuckets(postgres_store)
    started = buckets.register(BUCKET, capacity, rate).stamp
    with drawers.drawing(postgres_url, capacity, rate, duration) as (_go, result):
        pass
    drawn = result[0]
    total, last = len(drawn.grants), drawn.grants[-1]
    # The bucket started full at `started`: never more than it held plus its refill.
    assert total <= capacity + rate * (last - started) + 1e-6, (total, last - started)
    # Nor in any window: one grant of margin for two processes' clock readings that
    # reached the database in the other order.
    assert most_in_any_window(drawn.grants, capacity, rate) <= 1
    # All of them drew, and it refilled while they did (it was not just the burst).
    assert all(drawn.per_process), [len(p) for p in drawn.per_process]
    assert total > capacity
    buckets.close()


def test_a_429_seen_by_one_process_makes_the_others_wait(
    postgres_store: Store, postgres_url: str, drawers: Drawers
) -> None:
    capacity, rate, duration = 20.0, 4.0, 1.5
    seer = StoreBuckets(postgres_store)(BUCKET, capacity, rate)
    with drawers.drawing(postgres_url, capacity, rate, duration) as (go, result):
        # This process was answered 429 with a Retry-After of 0.5 s (the Amazon client
        # does just this): the bucket is empty and nobody calls for half a second.
        emptied_at = time.time()
        seer.observe(available=0.0)
        seer.pause(0.5)
        paused_until = emptied_at + 0.5
        go.set()
    drawn = result[0]
    assert drawn.grants, "they drew again once the pause was over"
    assert drawn.grants[0] >= paused_until, "no process called during the pause"
    # From empty, only the refill since: a full bucket of 20 each would be 60 and more.
    assert len(drawn.grants) <= rate * (drawn.grants[-1] - emptied_at) + 1e-6 + 1
    seer.buckets.close()


def test_a_rate_one_process_learns_from_the_header_resizes_the_bucket_for_all(
    postgres_store: Store, postgres_url: str, drawers: Drawers
) -> None:
    capacity, documented, stated, duration = 2.0, 0.05, 20.0, 2.0  # 0.05/s: one in 20 s
    learner = StoreBuckets(postgres_store)(BUCKET, capacity, documented)
    with drawers.drawing(postgres_url, capacity, documented, duration) as (go, result):
        go.set()
        # The processes spend the burst, then wait on the documented rate...
        deadline = time.time() + 30
        while learner.available >= 1 and time.time() < deadline:
            time.sleep(0.01)
        # ...until this one reads x-amzn-RateLimit-Limit: 20 in an answer.
        learned_at = time.time()
        learner.observe(refill_per_second=stated)
    drawn = result[0]
    assert drawn.rates_seen == [stated] * PROCESSES, "every process adopted the stated rate"
    # The documented rate allows 2 + 0.05 * 2 s: 2 grants; the stated one many more.
    assert len(drawn.grants) > capacity + 1
    before = [g for g in drawn.grants if g < learned_at]
    assert len(before) <= capacity + documented * (learned_at - drawn.grants[0]) + 1
    assert len(drawn.grants) <= capacity + 1 + stated * (drawn.grants[-1] - learned_at) + 1
    learner.buckets.close()
