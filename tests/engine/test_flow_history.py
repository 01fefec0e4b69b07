"""The history of a flow's runs: who asked (or the schedule), what the run released and
queued, and what the workers then did with the flow's jobs until it had nothing left."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from causeway.engine import flow_history
from causeway.engine import scheduler as scheduler_module
from causeway.engine.flow_history import FAILED, OK, ON_DEMAND, RUNNING, SCHEDULE
from causeway.engine.jobs import Job, JobQueue, NewJob
from causeway.engine.schedule import HELD_UNTIL, parse_schedule
from causeway.engine.scheduler import Scheduler, Trigger
from causeway.engine.store import Store
from causeway.engine.worker import Worker
from causeway.errors import PermanentError

FLOW = "stock-to-channels"


class Stock:
    """Publishes stock: parks a job asking for SKU "NOPE", and reports what it pushed."""

    name = FLOW
    batch_size = 10
    exclusive = False

    def __init__(self) -> None:
        self.pushed = 0

    def handle(self, jobs: Sequence[Job]) -> dict[int, BaseException | None]:
        self.pushed = sum(1 for job in jobs if job.payload.get("sku") != "NOPE")
        return {
            job.id: PermanentError("unknown SKU NOPE") if job.payload.get("sku") == "NOPE" else None
            for job in jobs
        }

    def report(self) -> dict[str, int]:
        return {"pushed": self.pushed}


def held(sku: str) -> NewJob:
    return NewJob(FLOW, f"erp:product:{sku}", {"sku": sku}, run_at=HELD_UNTIL)


def test_a_run_records_who_asked_and_what_the_workers_did(store: Store) -> None:
    queue = JobQueue(store)
    queue.enqueue(held("A"), held("B"), held("C"))
    sched = Scheduler(store, queue, [Trigger(FLOW, parse_schedule("manual"), {"pass": True})])
    assert sched.fire(sched.triggers[0], actor="ann@example.com") == 4

    (run,) = flow_history.recent(store, FLOW)
    assert (run.trigger, run.actor, run.released, run.queued) == (
        ON_DEMAND,
        "ann@example.com",
        3,
        1,
    )
    assert run.outcome == RUNNING and run.finished_at is None
    Worker(store, queue, {FLOW: Stock()}).run_until_idle()

    (run,) = flow_history.recent(store, FLOW)
    assert (run.done, run.retried, run.dead, run.outcome) == (4, 0, 0, OK)
    assert run.counts == {"pushed": 4}
    assert run.finished_at is not None and run.finished_at >= run.started_at
    assert flow_history.last_success(store) == {FLOW: run.finished_at}


def test_a_run_with_a_parked_job_failed_and_says_why(store: Store) -> None:
    queue = JobQueue(store)
    queue.enqueue(held("A"), held("NOPE"))
    sched = Scheduler(store, queue, [Trigger(FLOW, parse_schedule("manual"), None)])
    sched.fire(sched.triggers[0])
    Worker(store, queue, {FLOW: Stock()}).run_until_idle()

    (run,) = flow_history.recent(store, FLOW)
    assert (run.done, run.dead, run.outcome) == (1, 1, FAILED)
    assert run.last_error is not None and "unknown SKU NOPE" in run.last_error
    assert flow_history.last_success(store) == {}


def test_a_scheduled_run_with_nothing_to_do_ends_at_once(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1_000_000.0]
    monkeypatch.setattr(scheduler_module, "now", lambda: clock[0])
    sched = Scheduler(
        sqlite_store, JobQueue(sqlite_store), [Trigger(FLOW, parse_schedule("every 3m"), None)]
    )
    assert sched.tick() == [f"schedule:{FLOW}"]
    (run,) = flow_history.recent(sqlite_store, FLOW)
    assert (run.trigger, run.actor, run.released, run.queued) == (SCHEDULE, None, 0, 0)
    assert run.outcome == OK and run.finished_at == run.started_at


def test_a_new_run_ends_the_one_still_open_and_counts_what_follows(store: Store) -> None:
    queue = JobQueue(store)
    sched = Scheduler(store, queue, [Trigger(FLOW, parse_schedule("every 3m"), None)])
    queue.enqueue(held("A"))
    sched.fire(sched.triggers[0], how=SCHEDULE)
    queue.enqueue(held("B"))
    sched.fire(sched.triggers[0], how=SCHEDULE)  # before any worker took A
    Worker(store, queue, {FLOW: Stock()}).run_until_idle()

    latest, first = flow_history.recent(store, FLOW)
    assert (first.released, first.done, first.outcome) == (1, 0, OK)
    assert first.finished_at == latest.started_at
    assert (latest.released, latest.done, latest.outcome) == (1, 2, OK)


def test_the_history_keeps_each_flows_latest_runs(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flow_history, "KEEP", 3)
    sched = Scheduler(
        sqlite_store, JobQueue(sqlite_store), [Trigger(FLOW, parse_schedule("manual"), None)]
    )
    for _ in range(5):
        sched.fire(sched.triggers[0])
    # Each new run keeps the KEEP before it: the latest three and itself.
    assert [run.id for run in flow_history.recent(sqlite_store, FLOW, limit=10)] == [5, 4, 3, 2]
