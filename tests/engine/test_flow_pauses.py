"""Pausing a flow: it holds its changes like a manual flow until someone resumes it; every
hub process on the store obeys, and the audit log says who paused and resumed it, when."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from causeway.engine import audit
from causeway.engine import scheduler as scheduler_module
from causeway.engine.flow_pauses import is_paused, pause, paused, resume
from causeway.engine.jobs import DONE, HELD, QUEUED, Job, JobQueue, NewJob
from causeway.engine.schedule import HELD_UNTIL, parse_schedule
from causeway.engine.scheduler import Scheduler, Trigger
from causeway.engine.store import Store
from causeway.engine.worker import Worker

ORDERS = "orders-to-erp"


class Orders:
    """Places each order it is given: remembers which, in the order it ran them."""

    name = ORDERS
    batch_size = 10
    exclusive = False

    def __init__(self) -> None:
        self.placed: list[str] = []

    def handle(self, jobs: Sequence[Job]) -> dict[int, BaseException | None]:
        self.placed += [job.payload["order"] for job in jobs]
        return {job.id: None for job in jobs}


def order(number: str) -> NewJob:
    return NewJob(ORDERS, f"shop:order:{number}", {"order": number})


def test_pausing_holds_new_orders_and_resuming_sends_them(store: Store) -> None:
    queue = JobQueue(store)
    flow = Orders()
    worker = Worker(store, queue, {ORDERS: flow})

    assert pause(store, ORDERS, actor="ann@example.com")
    queue.enqueue(order("1001"), order("1002"))
    worker.run_until_idle()
    assert flow.placed == []  # held, not lost
    assert queue.counts() == {(ORDERS, HELD): 2}

    assert resume(store, ORDERS, actor="ann@example.com") == 2
    worker.run_until_idle()
    assert flow.placed == ["1001", "1002"]
    assert queue.counts() == {(ORDERS, DONE): 2}


def test_a_paused_flow_claims_nothing_even_what_was_queued_before(store: Store) -> None:
    queue = JobQueue(store)
    queue.enqueue(order("1001"), NewJob("stock-to-channels", "stock"))
    pause(store, ORDERS, actor="ann@example.com")
    assert queue.claim("w", [ORDERS], limit=10) == []
    # Another flow claimed with it still runs.
    claimed = queue.claim("w", [ORDERS, "stock-to-channels"], limit=10)
    assert [job.flow for job in claimed] == ["stock-to-channels"]

    # The job queued before the pause was never held: it simply runs once resumed.
    assert resume(store, ORDERS, actor="ann@example.com") == 0
    assert [job.payload for job in queue.claim("w", [ORDERS], limit=10)] == [{"order": "1001"}]


def test_a_paused_flow_is_paused_for_every_process_on_the_store(store: Store) -> None:
    other_process = Store(store.url.render_as_string(hide_password=False), migrate=False)
    try:
        pause(store, ORDERS, actor="ann@example.com")
        assert is_paused(other_process, ORDERS)
        JobQueue(other_process).enqueue(order("1001"))
        assert JobQueue(store).counts() == {(ORDERS, HELD): 1}
    finally:
        other_process.dispose()


def test_a_paused_flow_misses_no_scheduled_run_it_runs_it_when_resumed(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = JobQueue(sqlite_store)
    clock = [1_000_000.0]
    monkeypatch.setattr(scheduler_module, "now", lambda: clock[0])
    trigger = Trigger("stock-to-channels", parse_schedule("every 5m"), {"pass": True})
    sched = Scheduler(sqlite_store, queue, [trigger])
    assert sched.tick() == ["schedule:stock-to-channels"]  # runs at start

    pause(sqlite_store, "stock-to-channels", actor="ann@example.com")
    clock[0] += 3600
    assert sched.tick() == []  # due, but paused
    resume(sqlite_store, "stock-to-channels", actor="ann@example.com")
    assert sched.tick() == ["schedule:stock-to-channels"]


def test_resuming_a_scheduled_flow_leaves_its_batch_to_its_schedule(store: Store) -> None:
    """A paused "every 3m" flow keeps holding its changes for the next run: resuming
    releases only what the pause itself held."""
    queue = JobQueue(store)
    pause(store, "catalog", actor="ann@example.com")
    queue.enqueue(NewJob("catalog", "product:1", run_at=HELD_UNTIL))  # held by the schedule
    queue.enqueue(NewJob("catalog", "product:2"))  # would run at once, held by the pause
    assert resume(store, "catalog", actor="ann@example.com") == 1
    assert queue.counts() == {("catalog", HELD): 1, ("catalog", QUEUED): 1}


def test_pausing_and_resuming_are_audited_with_who_and_when(store: Store) -> None:
    assert pause(store, ORDERS, actor="ann@example.com")
    assert not pause(store, ORDERS, actor="bob@example.com")  # already paused: no entry
    assert paused(store)[ORDERS].paused_by == "ann@example.com"
    JobQueue(store).enqueue(order("1001"))
    assert resume(store, ORDERS, actor="key:ops") == 1
    assert resume(store, ORDERS, actor="key:ops") is None  # not paused: no entry

    resumed, paused_entry = audit.recent(store, subject=f"flow:{ORDERS}")
    assert (paused_entry.action, paused_entry.actor) == ("flow.pause", "ann@example.com")
    assert paused_entry.after["paused"] is True and paused_entry.at > 0
    assert (resumed.action, resumed.actor) == ("flow.resume", "key:ops")
    assert resumed.before["paused_by"] == "ann@example.com"
    assert resumed.after == {"paused": False, "released": 1}
