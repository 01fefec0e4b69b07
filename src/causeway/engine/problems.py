"""Problems: the parked jobs a person has to look at, and what a person does with them.

A job is a problem while it is dead (engine/jobs.py): parked with an error class
(engine/error_classes.py) until someone replays it, edits its record and replays it
(engine/problem_edits.py), or resolves it with a note. A resolved job leaves the queue
without running: its state is `resolved`, which nothing claims, nothing replays and no
ordering key waits for. Every action is audited (engine/audit.py) in the transaction
that makes it, with the actor the console or the CLI names.

The console's Problems page and `causeway problems` both read and act through here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, select, update

from causeway.engine import audit
from causeway.engine.error_classes import label
from causeway.engine.jobs import DEAD, RESOLVED, JobQueue, system_of
from causeway.engine.schema import jobs
from causeway.engine.store import now

# The assignee filter's value for the problems nobody has taken.
NOBODY = "nobody"
MAX_NOTE = 2000


class ProblemActionError(ValueError):
    """An action that cannot be done as asked: the message says why; nothing changed."""


@dataclass(frozen=True)
class ProblemFilter:
    flow: str | None = None
    system: str | None = None
    error_class: str | None = None
    # An e-mail, or NOBODY for the unassigned ones.
    assignee: str | None = None
    # Parked at least this many seconds ago.
    older_than: float | None = None


@dataclass(frozen=True)
class Problem:
    id: int
    flow: str
    ordering_key: str
    state: str
    error_class: str | None
    error_detail: dict[str, Any]
    last_error: str | None
    attempts: int
    parked_at: float | None
    created_at: float
    assignee: str | None
    payload: dict[str, Any]
    # Every parking, oldest first; the last one is the current error.
    history: list[dict[str, Any]] = field(default_factory=list)
    resolution: dict[str, Any] | None = None

    @property
    def system(self) -> str:
        return system_of(self.ordering_key)

    @property
    def entity(self) -> str:
        """The ordering key without its system: "order:1001"."""
        return self.ordering_key.partition(":")[2] or self.ordering_key

    @property
    def label(self) -> str:
        return label(self.error_class)

    @property
    def skus(self) -> list[str]:
        return [str(s) for s in self.error_detail.get("skus", [])]

    @property
    def earlier_errors(self) -> list[dict[str, Any]]:
        """The errors of earlier runs, before the last replay (newest first)."""
        return list(reversed(self.history[:-1]))

    def age(self, at: float | None = None) -> float:
        return max(0.0, (at or now()) - (self.parked_at or self.created_at))


def _condition(problem_filter: ProblemFilter, at: float) -> ColumnElement[bool]:
    f = problem_filter
    parts: list[ColumnElement[bool]] = [jobs.c.state == DEAD]
    if f.flow:
        parts.append(jobs.c.flow == f.flow)
    if f.system:
        parts.append(jobs.c.ordering_key.startswith(f"{f.system}:", autoescape=True))
    if f.error_class:
        parts.append(jobs.c.error_class == f.error_class)
    if f.assignee == NOBODY:
        parts.append(jobs.c.assignee.is_(None))
    elif f.assignee:
        parts.append(jobs.c.assignee == f.assignee)
    if f.older_than is not None:
        parts.append(jobs.c.finished_at <= at - f.older_than)
    return and_(*parts)


class Problems:
    def __init__(self, queue: JobQueue) -> None:
        self.queue = queue
        self.store = queue.store

    # -- reading --------------------------------------------------------------------
    def parked(
        self, problem_filter: ProblemFilter | None = None, *, limit: int = 200
    ) -> list[Problem]:
        """The parked jobs the filter picks, the longest parked first."""
        condition = _condition(problem_filter or ProblemFilter(), now())
        with self.store.read() as conn:
            rows = conn.execute(
                select(jobs).where(condition).order_by(jobs.c.finished_at, jobs.c.id).limit(limit)
            )
            return [self._problem(row._mapping) for row in rows]

    def count(self, problem_filter: ProblemFilter | None = None) -> int:
        condition = _condition(problem_filter or ProblemFilter(), now())
        with self.store.read() as conn:
            return conn.execute(select(func.count()).where(condition)).scalar_one()

    def counts(self, problem_filter: ProblemFilter | None = None) -> dict[str | None, int]:
        """Parked jobs per error class (None: parked before classes existed), among
        those the filter picks (its own class aside: the counts are the way to pick one)."""
        f = problem_filter or ProblemFilter()
        unclassed = ProblemFilter(f.flow, f.system, None, f.assignee, f.older_than)
        with self.store.read() as conn:
            rows = conn.execute(
                select(jobs.c.error_class, func.count())
                .where(_condition(unclassed, now()))
                .group_by(jobs.c.error_class)
            )
            return {error_class: n for error_class, n in rows}

    def flows(self) -> list[str]:
        """The flows that have parked jobs, for the filter's choices."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(jobs.c.flow).where(jobs.c.state == DEAD).group_by(jobs.c.flow)
            )
            return sorted(rows.scalars())

    def assignees(self) -> list[str]:
        with self.store.read() as conn:
            rows = conn.execute(
                select(jobs.c.assignee)
                .where(jobs.c.state == DEAD, jobs.c.assignee.is_not(None))
                .group_by(jobs.c.assignee)
            )
            return sorted(rows.scalars())

    def get(self, job_id: int) -> Problem | None:
        """One job as a problem, in any state (the page of a resolved or replayed job
        still shows its errors)."""
        with self.store.read() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
        return self._problem(row._mapping) if row is not None else None

    def _problem(self, row: Any) -> Problem:
        job = self.queue.served(row)
        return Problem(
            id=job["id"],
            flow=job["flow"],
            ordering_key=job["ordering_key"],
            state=job["state"],
            error_class=job["error_class"],
            error_detail=job["error_detail"],
            last_error=job["last_error"],
            attempts=job["attempts"],
            parked_at=job["finished_at"],
            created_at=job["created_at"],
            assignee=job["assignee"],
            payload=json.loads(job["payload"] or "{}"),
            history=job["error_history"],
            resolution=json.loads(job["resolution"]) if job["resolution"] else None,
        )

    # -- acting ---------------------------------------------------------------------
    def replay(self, job_ids: Sequence[int], *, actor: str) -> list[int]:
        """Put the parked jobs among `job_ids` back in the queue; returns those requeued
        (a job that is not parked any more is left alone)."""
        with self.store.transaction() as conn:
            parked = _dead_ids(conn, job_ids)
            if parked:
                replay_audited(conn, self.queue, parked, actor=actor)
        return parked

    def resolve(self, job_id: int, note: str, *, actor: str) -> None:
        """Close a parked job without running it: the note says what was done instead."""
        note = note.strip()
        if not note:
            raise ProblemActionError("a resolution needs a note: say what was done instead")
        if len(note) > MAX_NOTE:
            raise ProblemActionError(f"the note is {len(note)} characters; at most {MAX_NOTE}")
        stamp = now()
        resolution = {"note": note, "by": actor, "at": stamp}
        with self.store.transaction() as conn:
            changed = conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.state == DEAD)
                .values(
                    state=RESOLVED,
                    resolution=json.dumps(resolution),
                    dedupe_key=None,
                    updated_at=stamp,
                )
            ).rowcount
            if not changed:
                raise ProblemActionError(_not_parked(job_id))
            audit.record(
                conn,
                actor=actor,
                action="job.resolve",
                subject=f"job:{job_id}",
                before={"state": DEAD},
                after={"state": RESOLVED},
                note=note,
            )

    def assign(self, job_id: int, assignee: str | None, *, actor: str) -> None:
        """Give a parked job to a person (None: to nobody)."""
        assignee = (assignee or "").strip() or None
        if assignee is not None and (len(assignee) > 255 or "@" not in assignee):
            raise ProblemActionError(f"{assignee[:80]!r} is no e-mail address")
        with self.store.transaction() as conn:
            before = conn.execute(
                select(jobs.c.assignee).where(jobs.c.id == job_id, jobs.c.state == DEAD)
            ).first()
            if before is None:
                raise ProblemActionError(_not_parked(job_id))
            conn.execute(
                update(jobs).where(jobs.c.id == job_id).values(assignee=assignee, updated_at=now())
            )
            audit.record(
                conn,
                actor=actor,
                action="job.assign",
                subject=f"job:{job_id}",
                before={"assignee": before.assignee},
                after={"assignee": assignee},
            )


def _dead_ids(conn: Connection, job_ids: Sequence[int]) -> list[int]:
    if not job_ids:
        return []
    rows = conn.execute(select(jobs.c.id).where(jobs.c.id.in_(list(job_ids)), jobs.c.state == DEAD))
    return sorted(rows.scalars())


def _not_parked(job_id: int) -> str:
    return f"job {job_id} is not parked (or does not exist); nothing changed"


def replay_audited(
    conn: Connection, queue: JobQueue, job_ids: list[int], *, actor: str, **after: Any
) -> None:
    """Replay these parked jobs in the caller's transaction, each with its audit entry;
    `after` adds to what the entry says the job became (its edited record, say)."""
    queue.replay_in(conn, ids=job_ids)
    for job_id in job_ids:
        audit.record(
            conn,
            actor=actor,
            action="job.replay",
            subject=f"job:{job_id}",
            before={"state": DEAD},
            after={"state": "queued", **after},
        )
