"""The history of a flow's runs: each scheduled or on-demand run, and what it did.

A run starts when the scheduler fires it, or someone runs the flow now (CLI, API,
console): it releases the changes the flow held and queues the flow's own job
(Scheduler.fire), and that is recorded here with who asked. The scheduler only
queues; workers run the jobs, in any process. So a run's outcome is gathered as the
workers finish the flow's batches (Worker._run_batch adds what each did to the
flow's open run), and the run ends when the flow has nothing left due or running: a
run counts what the flow did from its start until then, real-time changes that
arrived meanwhile included. A run that released and queued nothing ends at once.

`flow_runs` (engine/worker.py) keeps only each flow's latest outcome, for status and
alerts; this table keeps the last runs, for the console's Flows page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, delete, func, or_, select, update

from causeway.engine.schema import flow_run_log, jobs
from causeway.engine.store import Store, now

SCHEDULE, ON_DEMAND = "schedule", "on demand"
OK, FAILED, RUNNING = "ok", "failed", "running"
# What a run keeps of its errors: the first ones, for the operator to see why.
ERROR_LIMIT = 2000
# Runs kept per flow.
KEEP = 200


@dataclass(frozen=True)
class Run:
    id: int
    flow: str
    trigger: str
    actor: str | None
    started_at: float
    finished_at: float | None
    released: int
    queued: int
    done: int
    retried: int
    dead: int
    counts: dict[str, int] = field(default_factory=dict)
    last_error: str | None = None

    @property
    def outcome(self) -> str:
        """running until it ends; then failed if any job was parked or left to retry."""
        if self.finished_at is None:
            return RUNNING
        return FAILED if self.dead or self.retried else OK


def start_in(
    conn: Connection,
    flow: str,
    *,
    trigger: str,
    actor: str | None,
    released: int,
    queued: int,
) -> int:
    """Record a run that released and queued these jobs; returns its id. A run that
    gave the workers nothing ends here."""
    stamp = now()
    empty = released == 0 and queued == 0
    _forget_old(conn, flow)
    # A run still open (a slow batch when the next interval comes) ends here: what the
    # workers do from now on counts in the new run, the one note_batch_in() adds to.
    conn.execute(
        update(flow_run_log)
        .where(flow_run_log.c.flow == flow, flow_run_log.c.finished_at.is_(None))
        .values(finished_at=stamp)
    )
    return int(
        conn.execute(
            flow_run_log.insert()
            .values(
                flow=flow,
                trigger=trigger,
                actor=actor,
                started_at=stamp,
                finished_at=stamp if empty else None,
                released=released,
                queued=queued,
                done=0,
                retried=0,
                dead=0,
                counts="{}",
            )
            .returning(flow_run_log.c.id)
        ).scalar_one()
    )


def open_run_in(conn: Connection, flow: str) -> int | None:
    """The flow's latest run that has not ended (KEEP bounds what this reads)."""
    return conn.execute(
        select(func.max(flow_run_log.c.id)).where(
            flow_run_log.c.flow == flow, flow_run_log.c.finished_at.is_(None)
        )
    ).scalar()


def _forget_old(conn: Connection, flow: str) -> None:
    """Keep the flow's KEEP latest runs: a flow running every minute would otherwise
    grow the table by 1,440 rows a day."""
    cutoff = conn.execute(
        select(flow_run_log.c.id)
        .where(flow_run_log.c.flow == flow)
        .order_by(flow_run_log.c.id.desc())
        .offset(KEEP)
        .limit(1)
    ).scalar()
    if cutoff is not None:
        conn.execute(
            delete(flow_run_log).where(flow_run_log.c.flow == flow, flow_run_log.c.id <= cutoff)
        )


def note_batch_in(
    conn: Connection,
    flow: str,
    *,
    done: int,
    retried: int,
    dead: int,
    error: str | None = None,
    counts: Mapping[str, int] | None = None,
) -> None:
    """Add what a worker's batch did to the flow's open run (if any), and end the run
    when the flow has nothing left due or running."""
    stamp = now()
    run_id = open_run_in(conn, flow)
    if run_id is None:
        return
    row = conn.execute(select(flow_run_log).where(flow_run_log.c.id == run_id)).one()
    merged = json.loads(row.counts or "{}")
    for name, value in (counts or {}).items():
        merged[name] = merged.get(name, 0) + int(value)
    first_error = row.last_error or (error[:ERROR_LIMIT] if error else None)
    conn.execute(
        update(flow_run_log)
        .where(flow_run_log.c.id == run_id)
        .values(
            done=flow_run_log.c.done + done,
            retried=flow_run_log.c.retried + retried,
            dead=flow_run_log.c.dead + dead,
            counts=json.dumps(merged, sort_keys=True),
            last_error=first_error,
            finished_at=None if _busy(conn, flow, stamp) else stamp,
        )
    )


def _busy(conn: Connection, flow: str, stamp: float) -> bool:
    """Has the flow a job due now or running (ix_jobs_claim: state, flow, run_at)?"""
    due = or_(
        and_(jobs.c.state == "queued", jobs.c.run_at <= stamp),
        and_(jobs.c.state == "running", jobs.c.lease_until >= stamp),
    )
    found = conn.execute(select(jobs.c.id).where(jobs.c.flow == flow, due).limit(1)).first()
    return found is not None


def recent(store: Store, flow: str, limit: int = 10) -> list[Run]:
    """The flow's last `limit` runs, newest first."""
    with store.read() as conn:
        rows = conn.execute(
            select(flow_run_log)
            .where(flow_run_log.c.flow == flow)
            .order_by(flow_run_log.c.started_at.desc(), flow_run_log.c.id.desc())
            .limit(limit)
        )
        return [_run(r) for r in rows]


def last_success(store: Store) -> dict[str, float]:
    """Flow -> when its latest run that ended without a failed job ended."""
    with store.read() as conn:
        rows = conn.execute(
            select(flow_run_log.c.flow, func.max(flow_run_log.c.finished_at))
            .where(
                flow_run_log.c.finished_at.is_not(None),
                flow_run_log.c.dead == 0,
                flow_run_log.c.retried == 0,
            )
            .group_by(flow_run_log.c.flow)
        )
        return {flow: at for flow, at in rows}


def _run(row: object) -> Run:
    r = row._mapping  # type: ignore[attr-defined]
    return Run(
        id=r["id"],
        flow=r["flow"],
        trigger=r["trigger"],
        actor=r["actor"],
        started_at=r["started_at"],
        finished_at=r["finished_at"],
        released=r["released"],
        queued=r["queued"],
        done=r["done"],
        retried=r["retried"],
        dead=r["dead"],
        counts=json.loads(r["counts"] or "{}"),
        last_error=r["last_error"],
    )
