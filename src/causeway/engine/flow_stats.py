"""Figures about each flow's work, read from the jobs the store already keeps.

For the console's overview: per flow and hour of the last 24, how many jobs finished
(done, parked) and how long the done ones took from creation to done (their lag); the
flow's state in one word; and how many records each flow handled by itself over a
window (what the time-saved tile counts, web/console/time_saved.py).

Every windowed query starts from ix_jobs_finished (state, finished_at): a range of
finished jobs, never a scan of the whole job table (tests/engine/test_flow_stats.py
checks SQLite's plan).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, cast, func, not_, select

from causeway.engine.schema import jobs
from causeway.engine.store import Store, now

DONE, DEAD = "done", "dead"
HOUR = 3600.0
HOURS = 24
# The ordering key of a flow's own scheduled job (Scheduler.fire: ordering_key(flow,
# "schedule:<name>")): a poll or a pass, not a record someone would have keyed in.
RUN_KEY = "%:schedule:%"

# A flow's state, most urgent first (flow_state decides).
PAUSED, FAILING, RUNNING, HELD, IDLE = "paused", "failing", "running", "held", "idle"


@dataclass(frozen=True)
class Hour:
    """One hour of a flow's work: [start, start + 1 h)."""

    start: float
    done: int = 0
    dead: int = 0
    # Seconds from a done job's creation to its end: the mean and the worst.
    mean_lag: float | None = None
    max_lag: float | None = None


@dataclass(frozen=True)
class Activity:
    """A flow's last 24 hours, oldest hour first (always HOURS of them)."""

    hours: list[Hour] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(h.done for h in self.hours)

    @property
    def dead(self) -> int:
        return sum(h.dead for h in self.hours)

    @property
    def max_lag(self) -> float | None:
        lags = [h.max_lag for h in self.hours if h.max_lag is not None]
        return max(lags) if lags else None


def _hour_of(since: float, is_postgres: bool) -> ColumnElement[int]:
    """The 0-based hour after `since` a job finished in. PostgreSQL rounds a cast to
    integer, SQLite truncates: floor first where it would round."""
    offset = (jobs.c.finished_at - since) / HOUR
    return cast(func.floor(offset) if is_postgres else offset, Integer)


def activity(store: Store, *, at: float | None = None) -> dict[str, Activity]:
    """Flow -> its last 24 hours, hour by hour, for every flow that finished a job."""
    stamp = now() if at is None else at
    # Whole hours ending with the current one, so a chart's bars stay put as time passes.
    end = (stamp // HOUR + 1) * HOUR
    since = end - HOURS * HOUR
    found: dict[str, dict[int, dict[str, float | int | None]]] = {}
    with store.read() as conn:
        for row in conn.execute(activity_query(since, is_postgres=store.is_postgres)):
            if not 0 <= row.hour < HOURS:
                continue  # finished "in the future": a clock moved back
            cell = found.setdefault(row.flow, {}).setdefault(row.hour, {})
            if row.state == DONE:
                cell.update(done=row.n, mean_lag=row.mean_lag, max_lag=row.max_lag)
            else:
                cell["dead"] = row.n
    return {
        flow: Activity([_hour(since + i * HOUR, cells.get(i, {})) for i in range(HOURS)])
        for flow, cells in found.items()
    }


def activity_query(since: float, *, is_postgres: bool) -> Select[Any]:
    """Per flow, state (done, dead) and hour after `since`: jobs, mean and worst lag."""
    hour = _hour_of(since, is_postgres).label("hour")
    lag = jobs.c.finished_at - jobs.c.created_at
    return (
        select(
            jobs.c.flow,
            jobs.c.state,
            hour,
            func.count().label("n"),
            func.avg(lag).label("mean_lag"),
            func.max(lag).label("max_lag"),
        )
        .where(jobs.c.state.in_((DONE, DEAD)), jobs.c.finished_at >= since)
        .group_by(jobs.c.flow, jobs.c.state, hour)
    )


def _hour(start: float, cell: Mapping[str, float | int | None]) -> Hour:
    mean, worst = cell.get("mean_lag"), cell.get("max_lag")
    return Hour(
        start=start,
        done=int(cell.get("done") or 0),
        dead=int(cell.get("dead") or 0),
        mean_lag=float(mean) if mean is not None else None,
        max_lag=float(worst) if worst is not None else None,
    )


def handled(store: Store, since: float, *, until: float | None = None) -> dict[str, int]:
    """Flow -> the records it handled by itself in [since, until): jobs that ended done.

    A job retried before it succeeded is one row, so it counts once; a parked job (dead)
    or one an operator resolved without running it is not done, so it does not count,
    nor does a flow's own scheduled job (a poll, a pass), which is no record."""
    with store.read() as conn:
        return {flow: n for flow, n in conn.execute(handled_query(since, until))}


def handled_query(since: float, until: float | None = None) -> Select[Any]:
    condition = [jobs.c.state == DONE, jobs.c.finished_at >= since]
    if until is not None:
        condition.append(jobs.c.finished_at < until)
    return (
        select(jobs.c.flow, func.count())
        .where(*condition, not_(jobs.c.ordering_key.like(RUN_KEY)))
        .group_by(jobs.c.flow)
    )


def flow_state(*, paused: bool, failing: bool, running: int, due: int, held: int) -> str:
    """One word for a flow: paused (an operator stopped it), failing (its last run
    failed, or it alerts), running (jobs in hand or due), held (changes waiting for the
    next scheduled run) or idle."""
    if paused:
        return PAUSED
    if failing:
        return FAILING
    if running or due:
        return RUNNING
    if held:
        return HELD
    return IDLE
