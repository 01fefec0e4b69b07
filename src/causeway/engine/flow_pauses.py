"""Pausing a flow: it holds its changes like a manual flow, until someone resumes it.

While a flow is paused (a row in `flow_pauses`, so every hub process sees it):
- its new jobs are created *held* (JobQueue.enqueue_in): nothing is lost, nothing runs;
- no worker claims any job of it (JobQueue.claim), so a job already queued, or backing
  off, waits too; a batch already running when the pause lands finishes;
- the scheduler fires none of its runs (Scheduler.tick), and running it on demand is
  refused (Hub.run_flow): resume it first.

A job held by the pause gets run_at PAUSED_UNTIL, beyond the HELD_UNTIL of a schedule,
so that resuming releases what the pause held and nothing else: the changes a
non-real-time schedule holds wait for its next run as before (a run missed while paused
fires at the first tick after resuming). Pausing and resuming are audited with who and
when (engine/audit.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, select, update

from causeway.engine import audit
from causeway.engine.schedule import PAUSED_UNTIL
from causeway.engine.schema import flow_pauses, jobs
from causeway.engine.store import Store, now

QUEUED = "queued"  # engine/jobs.py's; not imported: jobs.py imports this module


class FlowPausedError(Exception):
    def __init__(self, flow: str) -> None:
        super().__init__(
            f"{flow} is paused: nothing of it runs until it is resumed "
            f"(`causeway flow resume {flow}`)"
        )
        self.flow = flow


@dataclass(frozen=True)
class Pause:
    flow: str
    paused_at: float
    paused_by: str


def paused_in(conn: Connection, flows: list[str] | None = None) -> dict[str, Pause]:
    """The paused flows (of `flows`, if given), read inside the caller's transaction."""
    query = select(flow_pauses)
    if flows is not None:
        query = query.where(flow_pauses.c.flow.in_(flows))
    return {r.flow: Pause(r.flow, r.paused_at, r.paused_by) for r in conn.execute(query)}


def paused(store: Store) -> dict[str, Pause]:
    with store.read() as conn:
        return paused_in(conn)


def is_paused(store: Store, flow: str) -> bool:
    with store.read() as conn:
        return bool(paused_in(conn, [flow]))


def pause(store: Store, flow: str, *, actor: str) -> bool:
    """Pause the flow; False when it already was (nothing changes, nothing is audited)."""
    stamp = now()
    with store.transaction() as conn:
        if paused_in(conn, [flow]):
            return False
        conn.execute(flow_pauses.insert().values(flow=flow, paused_at=stamp, paused_by=actor))
        audit.record(
            conn,
            actor=actor,
            action="flow.pause",
            subject=f"flow:{flow}",
            before={"paused": False},
            after={"paused": True, "paused_at": stamp},
        )
    return True


def resume(store: Store, flow: str, *, actor: str) -> int | None:
    """Resume the flow and release the jobs its pause held (due now); returns how many,
    or None when it was not paused (nothing changes, nothing is audited)."""
    stamp = now()
    with store.transaction() as conn:
        found = paused_in(conn, [flow]).get(flow)
        if found is None:
            return None
        conn.execute(delete(flow_pauses).where(flow_pauses.c.flow == flow))
        released = conn.execute(
            update(jobs)
            .where(jobs.c.flow == flow, jobs.c.state == QUEUED, jobs.c.run_at >= PAUSED_UNTIL)
            .values(run_at=stamp, updated_at=stamp)
        ).rowcount
        audit.record(
            conn,
            actor=actor,
            action="flow.resume",
            subject=f"flow:{flow}",
            before={"paused": True, "paused_at": found.paused_at, "paused_by": found.paused_by},
            after={"paused": False, "released": released},
        )
    return released
