"""Problems: parked jobs by class, filtered, assigned, resolved, replayed in bulk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest
from sqlalchemy import func, select

from causeway.engine import jobs as jobs_module
from causeway.engine import problems as problems_module
from causeway.engine.error_classes import CONNECTION, UNKNOWN_PRODUCT
from causeway.engine.jobs import DEAD, QUEUED, RESOLVED, Job, JobQueue, NewJob, RetryPolicy
from causeway.engine.problems import NOBODY, ProblemActionError, ProblemFilter, Problems
from causeway.engine.schema import jobs
from causeway.engine.store import Store
from causeway.engine.worker import Worker
from causeway.errors import PermanentError, RetryableError, UnknownSkuError
from tests.engine.audit_trail import audited


class ScriptedFlow:
    """Fails each job with the next error scripted for its ordering key; None: succeeds."""

    batch_size = 10
    exclusive = False

    def __init__(self, name: str, script: dict[str, list[BaseException | None]]) -> None:
        self.name = name
        self.script = script
        self.ran: list[int] = []

    def handle(self, jobs: Sequence[Job]) -> Mapping[int, BaseException | None]:
        self.ran += [job.id for job in jobs]
        return {job.id: self.script[job.ordering_key].pop(0) for job in jobs}


def park(store: Store, flow: ScriptedFlow, *keys: str) -> tuple[JobQueue, list[int]]:
    queue = JobQueue(store, RetryPolicy(max_attempts=1))
    ids = []
    for key in keys:
        queue.enqueue(NewJob(flow.name, key, {"n": key}))
        ids.append(_last_id(queue))
    Worker(store, queue, {flow.name: flow}).run_until_idle(timeout=10)
    return queue, ids


def _last_id(queue: JobQueue) -> int:
    with queue.store.read() as conn:
        return conn.execute(select(func.max(jobs.c.id))).scalar_one()


def test_a_parked_unknown_sku_is_an_unknown_product_naming_the_sku(store: Store) -> None:
    flow = ScriptedFlow("orders-to-erp", {"shop:order:1": [UnknownSkuError(["X-9"], "tryton")]})
    queue, (job_id,) = park(store, flow, "shop:order:1")
    (problem,) = Problems(queue).parked()
    assert (problem.id, problem.error_class, problem.skus) == (job_id, UNKNOWN_PRODUCT, ["X-9"])
    assert (problem.flow, problem.system, problem.entity) == ("orders-to-erp", "shop", "order:1")
    assert "unknown SKU X-9" in (problem.last_error or "")
    assert Problems(queue).counts() == {UNKNOWN_PRODUCT: 1}


def test_a_retryable_error_that_ran_out_of_attempts_is_a_connection_problem(store: Store) -> None:
    flow = ScriptedFlow("f", {"erp:sku:A": [RetryableError("Tryton unavailable")]})
    queue, _ = park(store, flow, "erp:sku:A")
    (problem,) = Problems(queue).parked()
    assert problem.error_class == CONNECTION
    assert problem.last_error == "gave up after 1 attempts: Tryton unavailable"


def test_filters_pick_by_flow_system_class_assignee_and_age(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders = ScriptedFlow(
        "orders-to-erp",
        {
            "shop:order:1": [UnknownSkuError(["A"], "erp")],
            "woo:order:2": [PermanentError("refused")],
        },
    )
    queue, (shop_job, woo_job) = park(store, orders, "shop:order:1", "woo:order:2")
    payments = ScriptedFlow("payments", {"shop:order:3": [PermanentError("no")]})
    _, (payment_job,) = park(store, payments, "shop:order:3")
    problems = Problems(queue)
    problems.assign(woo_job, "ana@example.com", actor="test")

    def ids(**criteria: object) -> list[int]:
        return [p.id for p in problems.parked(ProblemFilter(**criteria))]  # type: ignore[arg-type]

    assert ids() == [shop_job, woo_job, payment_job]
    assert ids(flow="payments") == [payment_job]
    assert ids(system="shop") == [shop_job, payment_job]
    assert ids(error_class=UNKNOWN_PRODUCT) == [shop_job]
    assert ids(assignee="ana@example.com") == [woo_job]
    assert ids(assignee=NOBODY) == [shop_job, payment_job]
    assert ids(older_than=3600) == []
    later = jobs_module.now() + 7200
    monkeypatch.setattr(problems_module, "now", lambda: later)
    assert ids(older_than=3600) == [shop_job, woo_job, payment_job]
    assert problems.counts(ProblemFilter(system="shop")) == {UNKNOWN_PRODUCT: 1, "rejected": 1}
    assert problems.flows() == ["orders-to-erp", "payments"]
    assert problems.assignees() == ["ana@example.com"]


def test_a_system_name_with_a_like_wildcard_matches_only_itself(store: Store) -> None:
    flow = ScriptedFlow("f", {"s_1:x:1": [PermanentError("a")], "sA1:x:2": [PermanentError("b")]})
    queue, (first, _) = park(store, flow, "s_1:x:1", "sA1:x:2")
    assert [p.id for p in Problems(queue).parked(ProblemFilter(system="s_1"))] == [first]


def test_a_resolved_job_never_runs_and_stops_being_a_problem(store: Store) -> None:
    flow = ScriptedFlow("f", {"shop:order:1": [PermanentError("refused"), None]})
    queue, (job_id,) = park(store, flow, "shop:order:1")
    problems = Problems(queue)
    problems.resolve(job_id, "entered in the ERP by hand", actor="ops@example.com")

    assert problems.parked() == [] and problems.counts() == {}
    resolved = problems.get(job_id)
    assert resolved is not None and resolved.state == RESOLVED
    assert resolved.resolution is not None
    assert resolved.resolution["note"] == "entered in the ERP by hand"
    # Neither a replay nor a worker runs it again ...
    assert queue.replay(job_id) == 0
    assert problems.replay([job_id], actor="ops@example.com") == []
    # ... and a later job of the same order is not held back by it.
    queue.enqueue(NewJob("f", "shop:order:1", {"n": "later"}))
    Worker(store, queue, {"f": flow}).run_until_idle(timeout=10)
    assert flow.ran == [job_id, job_id + 1]
    assert queue.get(job_id + 1)["state"] == "done"
    assert audited(store, f"job:{job_id}") == ["job.resolve"]


def test_resolving_needs_a_note_and_a_parked_job(store: Store) -> None:
    flow = ScriptedFlow("f", {"k:1": [PermanentError("x")]})
    queue, (job_id,) = park(store, flow, "k:1")
    with pytest.raises(ProblemActionError, match="needs a note"):
        Problems(queue).resolve(job_id, "  ", actor="a")
    with pytest.raises(ProblemActionError, match="not parked"):
        Problems(queue).resolve(job_id + 99, "note", actor="a")
    assert queue.get(job_id)["state"] == DEAD


def test_a_replayed_job_that_fails_again_shows_both_errors(store: Store) -> None:
    flow = ScriptedFlow(
        "f", {"shop:order:1": [UnknownSkuError(["A"], "erp"), PermanentError("tax missing")]}
    )
    queue, (job_id,) = park(store, flow, "shop:order:1")
    problems = Problems(queue)
    assert problems.replay([job_id], actor="ops@example.com") == [job_id]
    Worker(store, queue, {"f": flow}).run_until_idle(timeout=10)

    problem = problems.get(job_id)
    assert problem is not None and problem.last_error == "tax missing"
    assert [e["class"] for e in problem.history] == [UNKNOWN_PRODUCT, "rejected"]
    (earlier,) = problem.earlier_errors
    assert earlier["error"].startswith("unknown SKU A")


def test_bulk_replay_requeues_the_parked_ones_of_a_selection_and_audits_each(
    store: Store,
) -> None:
    flow = ScriptedFlow("f", {"k:1": [PermanentError("a")], "k:2": [PermanentError("b")]})
    queue, (one, two) = park(store, flow, "k:1", "k:2")
    queue.enqueue(NewJob("f", "k:3"))
    queued = _last_id(queue)
    assert Problems(queue).replay([one, two, queued, 999], actor="ops") == [one, two]
    assert queue.get(one)["state"] == queue.get(two)["state"] == QUEUED
    assert audited(store, f"job:{one}") == ["job.replay"]
    assert audited(store, f"job:{queued}") == []


def test_assigning_names_a_person_and_unassigning_clears_it(store: Store) -> None:
    flow = ScriptedFlow("f", {"k:1": [PermanentError("a")]})
    queue, (job_id,) = park(store, flow, "k:1")
    problems = Problems(queue)
    problems.assign(job_id, "ana@example.com", actor="lead@example.com")
    assert problems.get(job_id).assignee == "ana@example.com"  # type: ignore[union-attr]
    problems.assign(job_id, "", actor="lead@example.com")
    assert problems.get(job_id).assignee is None  # type: ignore[union-attr]
    with pytest.raises(ProblemActionError, match="no e-mail"):
        problems.assign(job_id, "ana", actor="lead@example.com")
    assert audited(store, f"job:{job_id}") == ["job.assign", "job.assign"]
