"""Flows that are not real time: their changes wait, durably, for the next run."""

from __future__ import annotations

import pytest

from causeway.engine import scheduler as scheduler_module
from causeway.engine.jobs import DONE, HELD, JobQueue, NewJob
from causeway.engine.schedule import HELD_UNTIL, parse_schedule
from causeway.engine.scheduler import Scheduler, Trigger
from causeway.engine.store import Store

BERLIN_0559 = 1_795_150_740.0  # 2026-11-20 05:59:00 Europe/Berlin


def held(flow: str, key: str) -> NewJob:
    return NewJob(flow, key, {"change": key}, run_at=HELD_UNTIL)


def test_a_held_change_is_not_claimed_until_a_run_releases_it(store: Store) -> None:
    queue = JobQueue(store)
    queue.enqueue(held("orders-to-erp", "shop:order:1"), held("orders-to-erp", "shop:order:2"))
    queue.enqueue(NewJob("stock-to-channels", "stock"))  # another flow's job is untouched
    assert queue.claim("w", ["orders-to-erp"], limit=10, lease_seconds=30) == []
    assert queue.counts()[("orders-to-erp", HELD)] == 2

    sched = Scheduler(store, queue, [Trigger("orders-to-erp", parse_schedule("manual"), None)])
    assert sched.fire(sched.triggers[0]) == 2  # released, and no job of its own
    claimed = queue.claim("w", ["orders-to-erp"], limit=10, lease_seconds=30)
    assert sorted(j.ordering_key for j in claimed) == ["shop:order:1", "shop:order:2"]
    for job in claimed:
        queue.complete(job, "w")
    assert queue.counts()[("orders-to-erp", DONE)] == 2


def test_a_manual_flow_never_fires_by_itself(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = JobQueue(sqlite_store)
    queue.enqueue(held("files-exchange", "order:1"))
    sched = Scheduler(sqlite_store, queue, [Trigger("files-exchange", parse_schedule("manual"))])
    clock = [1_000_000.0]
    monkeypatch.setattr(scheduler_module, "now", lambda: clock[0])
    for _ in range(5):
        assert sched.tick() == []
        clock[0] += 86_400
    assert queue.counts() == {("files-exchange", HELD): 1}


def test_times_of_day_wait_for_their_time_then_run_with_what_was_held(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = JobQueue(sqlite_store)
    schedule = parse_schedule("at 06:00, 18:00 Europe/Berlin")
    sched = Scheduler(sqlite_store, queue, [Trigger("catalog", schedule, {"run": True})])
    clock = [BERLIN_0559]
    monkeypatch.setattr(scheduler_module, "now", lambda: clock[0])
    assert sched.tick() == []  # starting the hub does not run it
    queue.enqueue(held("catalog", "product:1"))
    clock[0] += 59
    assert sched.tick() == []
    clock[0] += 1  # 06:00
    assert sched.tick() == ["schedule:catalog"]
    claimed = queue.claim("w", ["catalog"], limit=10, lease_seconds=30)
    assert sorted((j.payload for j in claimed), key=str) == [{"change": "product:1"}, {"run": True}]
    assert sched.next_run(sched.triggers[0]) == BERLIN_0559 + 60 + 12 * 3600
