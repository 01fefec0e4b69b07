"""The job queue's rules, on SQLite and on PostgreSQL."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from causeway.engine import jobs as jobs_module
from causeway.engine.jobs import DEAD, DONE, QUEUED, JobQueue, NewJob, RetryPolicy
from causeway.engine.schema import jobs
from causeway.engine.store import Store


def queue(store: Store, **policy: float) -> JobQueue:
    return JobQueue(store, RetryPolicy(**policy))  # type: ignore[arg-type]


def test_only_the_oldest_job_of_an_entity_runs(store: Store) -> None:
    q = queue(store)
    q.enqueue(
        NewJob("f", "order:1", {"n": 1}),
        NewJob("f", "order:1", {"n": 2}),
        NewJob("f", "order:2", {"n": 3}),
    )
    claimed = q.claim("w1", ["f"], limit=10)
    assert [j.payload["n"] for j in claimed] == [1, 3]
    # While the first order:1 job runs, a second worker gets nothing for that order.
    assert q.claim("w2", ["f"], limit=10) == []
    q.complete(claimed[0], "w1")
    assert [j.payload["n"] for j in q.claim("w2", ["f"], limit=10)] == [2]


def test_a_job_backing_off_holds_back_later_updates_of_the_same_entity(store: Store) -> None:
    q = queue(store, base_seconds=60)
    q.enqueue(NewJob("f", "sku:A", {"n": 1}), NewJob("f", "sku:A", {"n": 2}))
    (first,) = q.claim("w", ["f"])
    assert q.retry(first, "w", "ERP down") == QUEUED
    assert q.claim("w", ["f"], limit=10) == []


def test_a_crashed_workers_job_is_taken_over_after_its_lease(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    q = queue(store)
    q.enqueue(NewJob("f", "k"))
    (job,) = q.claim("crashed", ["f"], lease_seconds=30)
    assert q.claim("other", ["f"]) == []
    clock = jobs_module.now() + 31
    monkeypatch.setattr(jobs_module, "now", lambda: clock)
    (taken,) = q.claim("other", ["f"])
    assert taken.id == job.id and taken.attempts == 2
    # The crashed worker waking up late cannot overwrite the new owner's outcome.
    assert q.complete(job, "crashed") is False
    assert q.complete(taken, "other") is True
    assert q.get(job.id)["state"] == DONE


def test_renewed_leases_keep_a_slow_job_with_its_worker(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    q = queue(store)
    q.enqueue(NewJob("f", "k"))
    (job,) = q.claim("slow", ["f"], lease_seconds=30)
    start = jobs_module.now()
    monkeypatch.setattr(jobs_module, "now", lambda: start + 25)
    q.renew("slow", [job.id], 30)
    monkeypatch.setattr(jobs_module, "now", lambda: start + 40)
    assert q.claim("other", ["f"]) == []


def test_retries_back_off_exponentially_with_jitter_and_end_dead() -> None:
    policy = RetryPolicy(max_attempts=5, base_seconds=2, cap_seconds=60)
    rng = random.Random(7)
    delays = [policy.delay(n, rng=rng) for n in range(1, 8)]
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(60, 2 * 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert policy.delay(1, at_least=30, rng=rng) >= 30  # Retry-After wins over a short backoff


def test_a_job_that_keeps_failing_is_parked_with_its_reason(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    q = queue(store, max_attempts=2, base_seconds=1)
    q.enqueue(NewJob("f", "k"))
    clock = [jobs_module.now()]
    monkeypatch.setattr(jobs_module, "now", lambda: clock[0])
    (job,) = q.claim("w", ["f"])
    assert q.retry(job, "w", "timeout talking to erp") == QUEUED
    clock[0] += 5
    (job,) = q.claim("w", ["f"])
    assert q.retry(job, "w", "timeout talking to erp") == DEAD
    (dead,) = q.dead()
    assert dead["last_error"] == "gave up after 2 attempts: timeout talking to erp"


def test_dead_jobs_do_not_block_and_can_be_replayed(store: Store) -> None:
    q = queue(store)
    q.enqueue(NewJob("f", "order:9", {"n": 1}), NewJob("f", "order:9", {"n": 2}))
    (first,) = q.claim("w", ["f"])
    q.kill(first, "w", "unknown SKU X")
    (second,) = q.claim("w", ["f"])
    assert second.payload == {"n": 2}
    q.complete(second, "w")
    assert q.replay(first.id) == 1
    (again,) = q.claim("w", ["f"])
    assert again.id == first.id and again.attempts == 1
    assert q.replay(first.id) == 0  # it is no longer dead


def test_a_pending_scheduled_run_is_not_queued_twice(store: Store) -> None:
    q = queue(store)
    assert q.enqueue(NewJob("stock", "stock", dedupe_key="schedule:stock")) == 1
    assert q.enqueue(NewJob("stock", "stock", dedupe_key="schedule:stock")) == 0
    (job,) = q.claim("w", ["stock"])
    q.complete(job, "w")
    # Once the run finished, the next one may be queued.
    assert q.enqueue(NewJob("stock", "stock", dedupe_key="schedule:stock")) == 1


def test_counts_by_flow_and_state(store: Store) -> None:
    q = queue(store)
    q.enqueue(NewJob("a", "1"), NewJob("a", "2"), NewJob("b", "3"))
    (job,) = q.claim("w", ["b"])
    q.complete(job, "w")
    assert q.counts() == {("a", QUEUED): 2, ("b", DONE): 1}
    assert q.unfinished(["a"]) == 2


def test_an_exclusive_flow_runs_one_batch_at_a_time_across_workers(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    q = queue(store)
    q.enqueue(NewJob("orders", "order:1"), NewJob("orders", "order:2"))
    first = q.claim("w1", ["orders"], limit=1, exclusive=True)
    assert len(first) == 1
    assert q.claim("w2", ["orders"], limit=1, exclusive=True) == []
    assert len(q.claim("w2", ["orders"], limit=1)) == 1  # a non-exclusive claim is not held back
    q.complete(first[0], "w1")
    q.enqueue(NewJob("orders", "order:3"))
    # w2 still holds order:2, so an exclusive claim waits ...
    assert q.claim("w1", ["orders"], exclusive=True) == []
    # ... but a crashed holder blocks the flow no longer than its lease.
    clock = jobs_module.now() + 31
    monkeypatch.setattr(jobs_module, "now", lambda: clock)
    taken = q.claim("w3", ["orders"], limit=5, exclusive=True)
    assert sorted(j.ordering_key for j in taken) == ["order:2", "order:3"]


def test_error_texts_pass_through_the_cleaning_hook_when_stored_and_when_served(
    store: Store,
) -> None:
    def mask(text: str) -> str:
        return text.replace("s3cret", "***")

    raw = JobQueue(store, RetryPolicy(max_attempts=5))
    raw.enqueue(NewJob("f", "order:1"), NewJob("f", "order:2"))
    first, second = raw.claim("w", ["f"], limit=2)
    raw.kill(first, "w", "stored before cleaning existed: s3cret")
    clean = JobQueue(store, RetryPolicy(max_attempts=5), clean_text=mask)
    clean.retry(second, "w", "ERP said s3cret")
    with store.read() as conn:
        stored = {r.id: r.last_error for r in conn.execute(select(jobs.c.id, jobs.c.last_error))}
    assert stored == {first.id: "stored before cleaning existed: s3cret", second.id: "ERP said ***"}
    # Whatever was stored, what leaves the queue is clean.
    assert clean.get(first.id)["last_error"] == "stored before cleaning existed: ***"
    assert [j["last_error"] for j in clean.dead()] == ["stored before cleaning existed: ***"]
    assert [j["last_error"] for j in clean.for_key("order:2")] == ["ERP said ***"]
