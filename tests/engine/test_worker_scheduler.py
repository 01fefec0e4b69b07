"""The worker turns a flow's per-job outcomes into job states; the scheduler fires on time."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from causeway.engine import scheduler as scheduler_module
from causeway.engine.jobs import DEAD, DONE, QUEUED, Job, JobQueue, NewJob, RetryPolicy
from causeway.engine.schedule import INTERVAL, Schedule
from causeway.engine.scheduler import Scheduler, Trigger
from causeway.engine.store import Store
from causeway.engine.worker import Worker
from causeway.errors import PermanentError, RetryableError


class ScriptedFlow:
    """Answers each job by its payload: ok, retry, permanent, or crash."""

    name = "scripted"
    batch_size = 10
    exclusive = False

    def __init__(self) -> None:
        self.seen: list[list[int]] = []

    def handle(self, jobs: Sequence[Job]) -> dict[int, BaseException | None]:
        self.seen.append([j.id for j in jobs])
        answers = {
            "ok": None,
            "retry": RetryableError("ERP answered 503", retry_after=120),
            "permanent": PermanentError("unknown SKU NOPE in erp"),
            "bug": KeyError("line_items"),
        }
        return {j.id: answers[j.payload["do"]] for j in jobs}


def test_each_job_in_a_batch_gets_its_own_outcome(store: Store) -> None:
    queue = JobQueue(store, RetryPolicy(max_attempts=3))
    queue.enqueue(
        *(
            NewJob("scripted", f"k{i}", {"do": do})
            for i, do in enumerate(["ok", "retry", "permanent", "bug"])
        )
    )
    flow = ScriptedFlow()
    worker = Worker(store, queue, {"scripted": flow})
    worker.run_until_idle()
    assert len(flow.seen) == 1 and len(flow.seen[0]) == 4  # one batch
    assert queue.get(1)["state"] == DONE
    retried = queue.get(2)
    assert retried["state"] == QUEUED and retried["last_error"] == "ERP answered 503"
    assert retried["run_at"] - retried["updated_at"] >= 119  # Retry-After honoured
    assert queue.get(3)["state"] == DEAD and queue.get(3)["last_error"] == "unknown SKU NOPE in erp"
    bug = queue.get(4)
    assert bug["state"] == QUEUED and bug["last_error"].startswith("KeyError")


def test_a_flow_that_raises_fails_its_batch_but_not_the_worker(sqlite_store: Store) -> None:
    class Broken:
        name = "broken"
        batch_size = 5
        exclusive = False

        def handle(self, jobs: Sequence[Job]) -> dict[int, BaseException | None]:
            raise RuntimeError("flow bug")

    queue = JobQueue(sqlite_store)
    queue.enqueue(NewJob("broken", "a"), NewJob("broken", "b"))
    Worker(sqlite_store, queue, {"broken": Broken()}).run_once()
    assert {queue.get(i)["last_error"] for i in (1, 2)} == {"RuntimeError: flow bug"}


def test_an_interval_schedule_fires_when_due_and_not_before(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = JobQueue(sqlite_store)
    sched = Scheduler(
        sqlite_store, queue, [Trigger("stock-to-channels", Schedule(INTERVAL, every_seconds=180))]
    )
    clock = [1_000_000.0]
    monkeypatch.setattr(scheduler_module, "now", lambda: clock[0])
    assert sched.tick() == ["schedule:stock-to-channels"]
    clock[0] += 179
    assert sched.tick() == []
    clock[0] += 1
    assert sched.tick() == ["schedule:stock-to-channels"]
    # The first run is still pending, so no second copy was queued.
    assert queue.unfinished() == 1
    assert sched.next_run(sched.triggers[0]) == clock[0] + 180
