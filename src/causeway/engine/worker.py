"""The worker loop: claim due jobs, run their flow, record the outcome.

A flow handles a batch of jobs and says, per job, whether it succeeded or which
error it met. The worker turns that into the job's next state by the class of
the error (see causeway.errors), renews leases while a slow batch runs, and
never lets one job's failure touch another's outcome.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from causeway.engine import flow_history
from causeway.engine.jobs import DEAD, QUEUED, Job, JobQueue
from causeway.engine.schema import flow_runs
from causeway.engine.store import Store, now
from causeway.errors import PermanentError, RetryableError

log = logging.getLogger("causeway.worker")


class Flow(Protocol):
    name: str
    batch_size: int
    # True: one batch at a time across all workers (see JobQueue.claim).
    exclusive: bool

    def handle(self, jobs: Sequence[Job]) -> Mapping[int, BaseException | None]:
        """Process the jobs; return, for each job id, None on success or the error."""
        ...


@dataclass
class WorkerStats:
    done: int = 0
    retried: int = 0
    dead: int = 0
    batches: int = 0
    by_flow: dict[str, int] = field(default_factory=dict)
    # "job 7 (shop:order:1) parked: <reason>", the latest ones (a hub's workers run for months).
    problems: deque[str] = field(default_factory=lambda: deque(maxlen=100))


@dataclass(frozen=True)
class BatchOutcome:
    done: int = 0
    retried: int = 0
    dead: int = 0
    # What the flow reports about the batch's work (a flow's optional `report()`).
    counts: Mapping[str, int] = field(default_factory=dict)


def record_flow_outcome(
    store: Store,
    flow: str,
    *,
    ok: bool,
    error: str | None = None,
    batch: BatchOutcome | None = None,
) -> None:
    """Keep each flow's last success and last error for `causeway status`, and add the
    batch's outcome to the flow's open run (engine/flow_history.py)."""
    stamp = now()
    values: dict[str, float | str | None] = {"last_started_at": stamp}
    values |= {"last_success_at": stamp} if ok else {"last_error": error}
    with store.transaction() as conn:
        # An upsert: several worker processes may record a flow's first run at once.
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(
            insert(flow_runs)
            .values(flow=flow, **values)
            .on_conflict_do_update(index_elements=["flow"], set_=values)
        )
        if batch is not None:
            flow_history.note_batch_in(
                conn,
                flow,
                done=batch.done,
                retried=batch.retried,
                dead=batch.dead,
                error=error,
                counts=batch.counts,
            )


def _report(flow: Flow) -> Mapping[str, int]:
    """The counts a flow reports about its last batch ("pushed": 12), if it reports any:
    an optional `report()` method, so that no flow has to."""
    report = getattr(flow, "report", None)
    if report is None:
        return {}
    try:
        return {str(k): int(v) for k, v in report().items()}
    except Exception:  # a report is a nicety; it never fails a batch
        log.exception("flow %s could not report its counts", flow.name)
        return {}


class Worker:
    def __init__(
        self,
        store: Store,
        queue: JobQueue,
        flows: Mapping[str, Flow],
        *,
        lease_seconds: float = 30.0,
        idle_sleep: float = 0.2,
        name: str | None = None,
    ) -> None:
        self.store = store
        self.queue = queue
        self.flows = dict(flows)
        self.lease_seconds = lease_seconds
        self.idle_sleep = idle_sleep
        self.name = name or f"worker-{uuid.uuid4().hex[:8]}"
        self.stats = WorkerStats()

    def run_once(self) -> int:
        """Claim and run at most one batch per flow. Returns the number of jobs run."""
        ran = 0
        for flow in self.flows.values():
            batch = self.queue.claim(
                self.name,
                [flow.name],
                limit=flow.batch_size,
                lease_seconds=self.lease_seconds,
                exclusive=flow.exclusive,
            )
            if batch:
                self._run_batch(flow, batch)
                ran += len(batch)
        return ran

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                ran = self.run_once()
            except Exception:  # the store may be briefly unavailable
                log.exception("worker %s: claiming failed; retrying", self.name)
                ran = 0
            if not ran:
                stop.wait(self.idle_sleep)

    def run_until_idle(self, timeout: float = 60.0) -> None:
        """Run until no job is due (tests, `causeway sync`); jobs backing off are left."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.run_once():
                return
        raise TimeoutError(f"jobs still due after {timeout} s")

    def _run_batch(self, flow: Flow, batch: Sequence[Job]) -> None:
        self.stats.batches += 1
        renewing = threading.Event()
        renewer = threading.Thread(
            target=self._renew_leases, args=([j.id for j in batch], renewing), daemon=True
        )
        renewer.start()
        try:
            outcomes = flow.handle(batch)
        except BaseException as exc:  # a flow bug fails its batch, not the worker
            log.exception("flow %s failed a whole batch", flow.name)
            outcomes = {job.id: exc for job in batch}
        finally:
            renewing.set()
            renewer.join()
        succeeded = [job for job in batch if job.id in outcomes and outcomes[job.id] is None]
        self.queue.complete_all(succeeded, self.name)
        self.stats.done += len(succeeded)
        for job in succeeded:
            self.stats.by_flow[job.flow] = self.stats.by_flow.get(job.flow, 0) + 1
        failures = []
        settled = {QUEUED: 0, DEAD: 0}
        for job in batch:
            if job in succeeded:
                continue
            error = outcomes.get(job.id) or RuntimeError(f"flow {flow.name} gave no outcome")
            settled[self._settle(job, error)] += 1
            failures.append(f"job {job.id}: {error}")
        # Cleaned before it is cut short: a cut could leave half a secret unrecognised.
        summary = self.queue.clean_text("; ".join(failures))[:2000] or None
        outcome = BatchOutcome(len(succeeded), settled[QUEUED], settled[DEAD], _report(flow))
        record_flow_outcome(self.store, flow.name, ok=not failures, error=summary, batch=outcome)

    def _settle(self, job: Job, error: BaseException) -> str:
        """A failed job's next state: dead, or queued to retry after a backoff."""
        if isinstance(error, PermanentError):
            log.warning("job %s (%s) parked: %s", job.id, job.ordering_key, error)
            self.stats.dead += 1
            self.stats.problems.append(self._problem(job, "parked", str(error)))
            return self.queue.kill(job, self.name, str(error), cause=error)
        retry_after = error.retry_after if isinstance(error, RetryableError) else None
        message = str(error) or type(error).__name__
        if not isinstance(error, RetryableError):
            message = f"{type(error).__name__}: {message}"
        state = self.queue.retry(job, self.name, message, retry_after=retry_after, cause=error)
        if state == DEAD:
            self.stats.dead += 1
            self.stats.problems.append(self._problem(job, "parked", message))
        else:
            self.stats.retried += 1
            self.stats.problems.append(self._problem(job, "will retry", message))
        log.info("job %s (%s) will retry: %s", job.id, job.ordering_key, message)
        return state

    def _problem(self, job: Job, outcome: str, reason: str) -> str:
        # Shown to the operator (`causeway flow run`): cleaned like the stored reason.
        return self.queue.clean_text(f"job {job.id} ({job.ordering_key}) {outcome}: {reason}")

    def _renew_leases(self, job_ids: list[int], finished: threading.Event) -> None:
        interval = self.lease_seconds / 3
        while not finished.wait(interval):
            try:
                self.queue.renew(self.name, job_ids, self.lease_seconds)
            except Exception:  # a missed renewal only risks a rerun
                log.exception("could not renew leases")
