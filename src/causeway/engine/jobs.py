"""Jobs: durable units of flow work with ordering, leases, retries and a dead letter.

The rules, each one tested directly in tests/engine:
- A job is claimable when it is queued and due, or running with an expired lease
  (its worker crashed). Claiming takes a lease; a live worker renews it.
- Per-entity order: of the unfinished jobs sharing an ordering key, only the
  oldest may run. A job that is backing off holds back the later ones.
- A retryable failure backs off exponentially with jitter; a permanent failure,
  or running out of attempts, parks the job as `dead` with a readable reason.
  Dead jobs never block anything and can be replayed.
On PostgreSQL, claims use FOR UPDATE SKIP LOCKED so several worker processes can
share one queue; on SQLite the write lock serialises claims.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, case, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from causeway.engine.error_classes import classify
from causeway.engine.flow_pauses import paused_in
from causeway.engine.schedule import HELD_UNTIL, PAUSED_UNTIL
from causeway.engine.schema import jobs
from causeway.engine.store import Store, now
from causeway.observability.instruments import JOB_RETRIES

QUEUED, RUNNING, DONE, DEAD = "queued", "running", "done", "dead"
# A parked job a person closed with a note instead of running it (engine/problems.py):
# finished like done, never claimed, never replayed, blocks no ordering key.
RESOLVED = "resolved"
# Not a stored state: a queued job whose flow's schedule holds it until the next run.
HELD = "held"
UNFINISHED = (QUEUED, RUNNING)


@dataclass(frozen=True)
class Job:
    id: int
    flow: str
    ordering_key: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    last_error: str | None = None

    @property
    def last_attempt(self) -> bool:
        """This run is the job's last: should it fail now, even retryably, it is parked
        (JobQueue.retry). A flow that keeps a state of its own says so then."""
        return self.attempts >= self.max_attempts


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 12
    base_seconds: float = 2.0
    cap_seconds: float = 300.0

    def delay(
        self, attempt: int, *, at_least: float | None = None, rng: random.Random | None = None
    ) -> float:
        """Exponential backoff with jitter for the given (1-based) attempt.

        The jitter is drawn from the upper half of the window so retries of many
        jobs that failed together spread out without ever retrying instantly.
        """
        ceiling = min(self.cap_seconds, self.base_seconds * (2 ** max(0, attempt - 1)))
        delay = (rng or random).uniform(ceiling / 2, ceiling)
        return max(delay, at_least or 0.0)


def ordering_key(system: str, entity: str, *ids: str | int) -> str:
    """The ordering key of every job about one entity: "<system>:<entity type>:<id>".

    The jobs of all flows that share a key run one at a time, oldest first (see the
    rules above): a payment of an order runs after the job that placed it, because
    both are keyed by the order. So every key is made here, never by hand. `entity`
    may be an inbox entity key that holds the id already ("order:1001").
    """
    return ":".join((system, entity, *map(str, ids)))


def system_of(key: str) -> str:
    """The system an ordering key made by ordering_key() names: the store an order job's
    order came from, for a flow that serves several."""
    return key.split(":", 1)[0]


@dataclass(frozen=True)
class NewJob:
    flow: str
    ordering_key: str
    payload: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str | None = None
    run_at: float | None = None


def payloads(
    conn: Connection, flow: str, states: Sequence[str], *, ordering_key: str | None = None
) -> list[dict[str, Any]]:
    """The payloads of the flow's jobs in these states (of one ordering key, if given)."""
    condition = and_(jobs.c.flow == flow, jobs.c.state.in_(list(states)))
    if ordering_key is not None:
        condition = and_(jobs.c.ordering_key == ordering_key, condition)
    return [json.loads(p) for p in conn.execute(select(jobs.c.payload).where(condition)).scalars()]


def last_dead_errors(conn: Connection, flow: str, ordering_keys: list[str]) -> dict[str, str]:
    """Ordering key -> why its latest job of `flow` died, for the keys whose latest job
    of the flow is dead."""
    if not ordering_keys:
        return {}
    latest = (
        select(jobs.c.ordering_key, func.max(jobs.c.id).label("id"))
        .where(jobs.c.flow == flow, jobs.c.ordering_key.in_(ordering_keys))
        .group_by(jobs.c.ordering_key)
        .subquery()
    )
    rows = conn.execute(
        select(jobs.c.ordering_key, jobs.c.state, jobs.c.last_error).join(
            latest, jobs.c.id == latest.c.id
        )
    )
    return {r.ordering_key: r.last_error or "failed" for r in rows if r.state == DEAD}


# A job replayed over and over keeps its latest parkings, not an unbounded list.
MAX_HISTORY = 20


def history_entry(at: float, error: str, found: Any) -> dict[str, Any]:
    """One parking in a job's error_history: when, why, and its class (or None)."""
    return {"at": at, "error": error, "class": found.name if found is not None else None}


def _run_at(job: NewJob, stamp: float, *, paused: bool) -> float:
    run_at = job.run_at if job.run_at is not None else stamp
    # A paused flow's job waits for the resume; one its schedule holds already waits
    # for the flow's next run, and keeps doing so.
    return PAUSED_UNTIL if paused and run_at < HELD_UNTIL else run_at


def _insert(store: Store):  # type: ignore[no-untyped-def]
    return pg_insert(jobs) if store.is_postgres else sqlite_insert(jobs)


def _as_is(text: str) -> str:
    return text


class JobQueue:
    def __init__(
        self,
        store: Store,
        policy: RetryPolicy | None = None,
        *,
        clean_text: Callable[[str], str] | None = None,
    ) -> None:
        self.store = store
        self.policy = policy or RetryPolicy()
        # Every error text passes through this before it is stored or served: the hub
        # sets it to strip secrets out (causeway.redaction); the engine knows none.
        self.clean_text = clean_text or _as_is

    # -- creating -----------------------------------------------------------
    def enqueue_in(self, conn: Connection, new_jobs: Sequence[NewJob]) -> int:
        """Add jobs inside the caller's transaction. A job whose dedupe_key matches
        an unfinished job is skipped (e.g. a scheduled run that is still pending);
        finishing a job releases its key. The jobs of a paused flow are created held
        (engine/flow_pauses.py), read in this transaction so no process misses a pause."""
        stamp = now()
        paused = paused_in(conn, sorted({j.flow for j in new_jobs})) if new_jobs else {}
        rows = [
            self._row(j, stamp, state=QUEUED, run_at=_run_at(j, stamp, paused=j.flow in paused))
            for j in new_jobs
        ]
        if not rows:
            return 0
        statement = (
            _insert(self.store)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(jobs.c.id)
        )
        # Counted from RETURNING: rowcount of a multi-row insert differs by driver.
        return len(conn.execute(statement, rows).all())

    def _row(self, job: NewJob, stamp: float, *, state: str, run_at: float) -> dict[str, Any]:
        """A new job's row, as every way of adding one writes it."""
        return dict(
            flow=job.flow,
            ordering_key=job.ordering_key,
            dedupe_key=job.dedupe_key,
            payload=json.dumps(job.payload),
            state=state,
            attempts=0,
            max_attempts=self.policy.max_attempts,
            run_at=run_at,
            created_at=stamp,
            updated_at=stamp,
        )

    def enqueue(self, *new_jobs: NewJob) -> int:
        with self.store.transaction() as conn:
            return self.enqueue_in(conn, new_jobs)

    # -- claiming -----------------------------------------------------------
    def claim(
        self,
        worker: str,
        flows: Sequence[str],
        *,
        limit: int = 1,
        lease_seconds: float = 30.0,
        exclusive: bool = False,
    ) -> list[Job]:
        """Lease up to `limit` due jobs of these flows.

        exclusive: claim nothing while another worker holds a live lease on a job of
        these flows, so that a flow runs one batch at a time across all workers (a
        flow whose runs read and write one shared thing, such as a drop folder, needs
        it; a flow that only finds-or-creates a few shared records locks those instead,
        engine/locks.py).
        Nothing of a paused flow is claimed (engine/flow_pauses.py).
        """
        stamp = now()
        with self.store.transaction() as conn:
            if paused := paused_in(conn, list(flows)):
                flows = [flow for flow in flows if flow not in paused]
                if not flows:
                    return []
            if exclusive and self._busy(conn, flows, stamp):
                return []
            # Expired leases first (their jobs are the oldest), then due queued jobs.
            # Two scans rather than one OR: each walks ix_jobs_claim in claim order and
            # stops at `limit`, however long the queue is.
            ids: list[int] = []
            for state in (RUNNING, QUEUED):
                if len(ids) < limit:
                    query = self._candidates(flows, state, stamp, limit - len(ids))
                    ids.extend(conn.execute(query).scalars())
            if not ids:
                return []
            conn.execute(
                update(jobs)
                .where(jobs.c.id.in_(ids))
                .values(
                    state=RUNNING,
                    lease_owner=worker,
                    lease_until=stamp + lease_seconds,
                    attempts=jobs.c.attempts + 1,
                    updated_at=stamp,
                )
            )
            rows = conn.execute(select(jobs).where(jobs.c.id.in_(ids)).order_by(jobs.c.id))
            return [
                Job(
                    r.id,
                    r.flow,
                    r.ordering_key,
                    json.loads(r.payload),
                    r.attempts,
                    r.max_attempts,
                    r.last_error,
                )
                for r in rows
            ]

    def _candidates(
        self, flows: Sequence[str], state: str, stamp: float, limit: int
    ) -> Select[Any]:
        """Claimable jobs in this state: queued and due, or running on an expired lease."""
        j = jobs.alias("j")
        earlier = jobs.alias("earlier")
        held_back = exists().where(
            earlier.c.ordering_key == j.c.ordering_key,
            earlier.c.id < j.c.id,
            earlier.c.state.in_(UNFINISHED),
        )
        due = j.c.lease_until < stamp if state == RUNNING else j.c.run_at <= stamp
        query = (
            select(j.c.id)
            .where(j.c.flow.in_(list(flows)), j.c.state == state, due, ~held_back)
            .order_by(j.c.run_at, j.c.id)
            .limit(limit)
        )
        if self.store.is_postgres:
            # Several processes claim at once: each skips the rows another is taking.
            query = query.with_for_update(skip_locked=True, of=j)
        return query

    def _busy(self, conn: Connection, flows: Sequence[str], stamp: float) -> bool:
        if self.store.is_postgres:
            # Serialise exclusive claims of these flows: two claimers must not both
            # see "nobody is running" under READ COMMITTED.
            conn.execute(select(func.pg_advisory_xact_lock(func.hashtext("|".join(sorted(flows))))))
        running = select(jobs.c.id).where(
            jobs.c.flow.in_(list(flows)), jobs.c.state == RUNNING, jobs.c.lease_until >= stamp
        )
        return conn.execute(running.limit(1)).first() is not None

    def renew(self, worker: str, job_ids: Sequence[int], lease_seconds: float) -> None:
        if not job_ids:
            return
        with self.store.transaction() as conn:
            conn.execute(
                update(jobs)
                .where(
                    jobs.c.id.in_(list(job_ids)),
                    jobs.c.lease_owner == worker,
                    jobs.c.state == RUNNING,
                )
                .values(lease_until=now() + lease_seconds)
            )

    # -- finishing ------------------------------------------------------------
    def _owned(self, job: Job, worker: str):  # type: ignore[no-untyped-def]
        # Only the lease holder may finish a job: a worker that stalled past its
        # lease must not overwrite the outcome of the worker that took over.
        return self._all_owned([job], worker)

    @staticmethod
    def _all_owned(batch: Sequence[Job], worker: str):  # type: ignore[no-untyped-def]
        return and_(
            jobs.c.id.in_([job.id for job in batch]),
            jobs.c.lease_owner == worker,
            jobs.c.state == RUNNING,
        )

    def complete_in(self, conn: Connection, job: Job, worker: str) -> bool:
        return self.complete_all_in(conn, [job], worker) == 1

    def complete_all_in(self, conn: Connection, batch: Sequence[Job], worker: str) -> int:
        """Mark the jobs this worker still owns done; returns how many it owned."""
        if not batch:
            return 0
        stamp = now()
        result = conn.execute(
            update(jobs)
            .where(self._all_owned(batch, worker))
            .values(
                state=DONE,
                lease_owner=None,
                lease_until=None,
                updated_at=stamp,
                finished_at=stamp,
                last_error=None,
                error_class=None,
                error_detail=None,
                dedupe_key=None,
            )
        )
        return result.rowcount

    def complete(self, job: Job, worker: str) -> bool:
        with self.store.transaction() as conn:
            return self.complete_in(conn, job, worker)

    def complete_all(self, batch: Sequence[Job], worker: str) -> int:
        """One transaction for a whole batch: one commit (one fsync) instead of one per job."""
        with self.store.transaction() as conn:
            return self.complete_all_in(conn, batch, worker)

    def retry(
        self,
        job: Job,
        worker: str,
        error: str,
        *,
        retry_after: float | None = None,
        cause: BaseException | None = None,
    ) -> str:
        """Back off, or park as dead when the attempts are used up. Returns the new state.
        `cause`, the exception itself, gives a parked job its class (error_classes.py)."""
        if job.attempts >= job.max_attempts:
            return self.kill(
                job, worker, f"gave up after {job.attempts} attempts: {error}", cause=cause
            )
        delay = self.policy.delay(job.attempts, at_least=retry_after)
        with self.store.transaction() as conn:
            conn.execute(
                update(jobs)
                .where(self._owned(job, worker))
                .values(
                    state=QUEUED,
                    lease_owner=None,
                    lease_until=None,
                    run_at=now() + delay,
                    last_error=self.clean_text(error),
                    updated_at=now(),
                )
            )
        JOB_RETRIES.labels(job.flow).inc()
        return QUEUED

    def kill(
        self, job: Job, worker: str, reason: str, *, cause: BaseException | None = None
    ) -> str:
        """Park the job as dead with a readable reason, classed by `cause` (the exception
        it failed with; none: unclassified). The reason joins the job's error history,
        so a replayed job that fails again shows this error and the earlier ones."""
        stamp = now()
        reason = self.clean_text(reason)
        found = classify(cause) if cause is not None else None
        with self.store.transaction() as conn:
            earlier = conn.execute(
                select(jobs.c.error_history).where(self._owned(job, worker))
            ).scalar_one_or_none()
            history = [*json.loads(earlier or "[]"), history_entry(stamp, reason, found)]
            conn.execute(
                update(jobs)
                .where(self._owned(job, worker))
                .values(
                    state=DEAD,
                    lease_owner=None,
                    lease_until=None,
                    last_error=reason,
                    error_class=found.name if found else None,
                    error_detail=json.dumps(found.detail) if found and found.detail else None,
                    error_history=json.dumps(history[-MAX_HISTORY:]),
                    updated_at=stamp,
                    finished_at=stamp,
                    dedupe_key=None,
                )
            )
        return DEAD

    def drop_queued_in(self, conn: Connection, dedupe_key: str) -> bool:
        """Finish, unrun, the queued job of this dedupe key: its work was done by
        another job (a stock run settled the submission a settle job was to ask about).
        False when there is none queued (it ran, or is running)."""
        stamp = now()
        result = conn.execute(
            update(jobs)
            .where(jobs.c.dedupe_key == dedupe_key, jobs.c.state == QUEUED)
            .values(state=DONE, dedupe_key=None, finished_at=stamp, updated_at=stamp)
        )
        return bool(result.rowcount)

    def park_in(self, conn: Connection, new_job: NewJob, reason: str) -> None:
        """Add a job parked from the start, inside the caller's transaction: work that
        must wait for a person (fix the cause, then replay it), with the reason shown."""
        stamp = now()
        reason = self.clean_text(reason)
        conn.execute(
            jobs.insert().values(
                {
                    **self._row(new_job, stamp, state=DEAD, run_at=stamp),
                    # Parked: its key is not held (kill() lets it go likewise).
                    "dedupe_key": None,
                    "last_error": reason,
                    "error_history": json.dumps([history_entry(stamp, reason, None)]),
                    "finished_at": stamp,
                }
            )
        )

    def release(self, worker: str) -> int:
        """Give back every job `worker` holds, due now, as if its attempt never started:
        a worker stopped mid-call hands its jobs on at once instead of leaving them to
        wait for the lease to expire. Safe while that call still runs: finishing needs
        the lease (see _owned), so its late outcome is dropped and the next claim, which
        searches by natural key before writing, finds whatever the call did."""
        stamp = now()
        with self.store.transaction() as conn:
            return conn.execute(
                update(jobs)
                .where(jobs.c.lease_owner == worker, jobs.c.state == RUNNING)
                .values(
                    state=QUEUED,
                    lease_owner=None,
                    lease_until=None,
                    run_at=stamp,
                    attempts=case((jobs.c.attempts > 0, jobs.c.attempts - 1), else_=0),
                    updated_at=stamp,
                )
            ).rowcount

    # -- operating ----------------------------------------------------------
    def replay(
        self,
        job_id: int | None = None,
        *,
        flow: str | None = None,
        ids: Sequence[int] | None = None,
    ) -> int:
        """Put one dead job, the dead jobs among `ids`, or all dead jobs (of a flow), back
        in the queue with fresh attempts. Returns how many were requeued. A job that is
        not dead (resolved, done, queued) is left as it is."""
        with self.store.transaction() as conn:
            return self.replay_in(conn, job_id, flow=flow, ids=ids)

    def replay_in(
        self,
        conn: Connection,
        job_id: int | None = None,
        *,
        flow: str | None = None,
        ids: Sequence[int] | None = None,
    ) -> int:
        """replay() inside the caller's transaction (with its audit record, say)."""
        condition = jobs.c.state == DEAD
        if job_id is not None:
            condition = and_(condition, jobs.c.id == job_id)
        if ids is not None:
            condition = and_(condition, jobs.c.id.in_(list(ids)))
        if flow is not None:
            condition = and_(condition, jobs.c.flow == flow)
        stamp = now()
        result = conn.execute(
            update(jobs)
            .where(condition)
            .values(state=QUEUED, attempts=0, run_at=stamp, finished_at=None, updated_at=stamp)
        )
        return result.rowcount

    def release_held(self, flow: str) -> int:
        """Make the changes a scheduled flow was holding due now (see engine/schedule.py);
        what a pause holds waits for the resume (engine/flow_pauses.py)."""
        with self.store.transaction() as conn:
            return self.release_held_in(conn, flow)

    def release_held_in(self, conn: Connection, flow: str) -> int:
        stamp = now()
        held = and_(jobs.c.run_at >= HELD_UNTIL, jobs.c.run_at < PAUSED_UNTIL)
        return conn.execute(
            update(jobs)
            .where(jobs.c.flow == flow, jobs.c.state == QUEUED, held)
            .values(run_at=stamp, updated_at=stamp)
        ).rowcount

    def counts(self) -> dict[tuple[str, str], int]:
        """(flow, state) -> number of jobs; queued jobs a schedule holds count as `held`."""
        state = case(
            (and_(jobs.c.state == QUEUED, jobs.c.run_at >= HELD_UNTIL), HELD),
            else_=jobs.c.state,
        )
        with self.store.read() as conn:
            rows = conn.execute(
                select(jobs.c.flow, state, func.count()).group_by(jobs.c.flow, state)
            )
            return {(flow, job_state): n for flow, job_state, n in rows}

    def dead(self, limit: int = 100) -> list[dict[str, Any]]:
        with self.store.read() as conn:
            rows = conn.execute(
                select(
                    jobs.c.id,
                    jobs.c.flow,
                    jobs.c.ordering_key,
                    jobs.c.attempts,
                    jobs.c.last_error,
                    jobs.c.finished_at,
                )
                .where(jobs.c.state == DEAD)
                .order_by(jobs.c.id)
                .limit(limit)
            )
            return [self.served(r._mapping) for r in rows]

    def get(self, job_id: int) -> dict[str, Any] | None:
        with self.store.read() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
            return self.served(row._mapping) if row else None

    def for_key(self, ordering_key: str) -> list[dict[str, Any]]:
        with self.store.read() as conn:
            rows = conn.execute(
                select(jobs.c.id, jobs.c.flow, jobs.c.state, jobs.c.attempts, jobs.c.last_error)
                .where(jobs.c.ordering_key == ordering_key)
                .order_by(jobs.c.id)
            )
            return [self.served(r._mapping) for r in rows]

    def served(self, row: Mapping[Any, Any]) -> dict[str, Any]:
        """A job row as it leaves the engine: its error cleaned again, for errors stored
        before the cleaning was there (or before a secret was added to the config)."""
        job = dict(row)
        if job.get("last_error"):
            job["last_error"] = self.clean_text(job["last_error"])
        if "error_history" in job:
            job["error_history"] = [
                {**entry, "error": self.clean_text(str(entry.get("error", "")))}
                for entry in json.loads(job["error_history"] or "[]")
            ]
        if "error_detail" in job:
            job["error_detail"] = json.loads(job["error_detail"] or "{}")
        return job

    def unfinished(self, flows: Sequence[str] | None = None, *, held: bool = True) -> int:
        """Jobs queued or running; held=False leaves out those a schedule holds for the
        flow's next run (engine/schedule.py)."""
        condition: ColumnElement[bool] = jobs.c.state.in_(UNFINISHED)
        if flows:
            condition = and_(condition, jobs.c.flow.in_(list(flows)))
        if not held:
            condition = and_(condition, jobs.c.run_at < HELD_UNTIL)
        with self.store.read() as conn:
            return conn.execute(select(func.count()).where(condition)).scalar_one()

    def open_inbox_ids(self, flow: str) -> list[int]:
        """The inbox records behind the flow's jobs that are not done: queued (or held by
        a schedule), running, or parked until someone replays them."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(jobs.c.payload).where(
                    jobs.c.flow == flow, jobs.c.state.in_((*UNFINISHED, DEAD))
                )
            )
            payloads = [json.loads(r.payload) for r in rows]
        return [p["inbox_id"] for p in payloads if "inbox_id" in p]
