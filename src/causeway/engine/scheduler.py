"""Time-based triggers: each flow runs when its schedule (engine/schedule.py) says so.

A run does two things: it releases the changes the flow was holding (jobs parked at
HELD_UNTIL by a non-real-time schedule) and, if the flow has periodic work of its
own (a poll, a stock or catalogue pass), enqueues one job for it. The scheduler only
enqueues; workers run. A pending scheduled job carries a dedupe key, so a slow run,
a restart or a second hub process never piles up copies of the same run. The next
run time is kept in the store so a restart does not fire every flow at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select, update

from causeway.engine import flow_history
from causeway.engine.flow_pauses import paused_in
from causeway.engine.jobs import JobQueue, NewJob, ordering_key
from causeway.engine.schedule import DAILY, Schedule
from causeway.engine.schema import flow_runs
from causeway.engine.store import Store, now

log = logging.getLogger("causeway.scheduler")


@dataclass(frozen=True)
class Trigger:
    flow: str
    schedule: Schedule
    # The job a run enqueues; None: a run only releases the changes held for the flow.
    payload: dict[str, Any] | None = field(default_factory=dict)
    # A second trigger on the same flow (e.g. the reconcile poll) needs its own key.
    name: str = ""

    @property
    def key(self) -> str:
        return f"schedule:{self.name or self.flow}"


@dataclass(frozen=True)
class FlowRun:
    """A row of flow_runs: a flow's last run (worker.py), or a trigger's next run time
    (key "schedule:<flow>" or "schedule:<flow>:<trigger>")."""

    flow: str
    last_started_at: float | None
    last_success_at: float | None
    last_error: str | None
    next_run_at: float | None


def read_flow_runs(conn: Connection) -> list[FlowRun]:
    return [
        FlowRun(r.flow, r.last_started_at, r.last_success_at, r.last_error, r.next_run_at)
        for r in conn.execute(select(flow_runs))
    ]


class Scheduler:
    def __init__(self, store: Store, queue: JobQueue, triggers: Sequence[Trigger]) -> None:
        self.store = store
        self.queue = queue
        self.triggers = list(triggers)

    def next_run(self, trigger: Trigger) -> float | None:
        with self.store.read() as conn:
            return conn.execute(
                select(flow_runs.c.next_run_at).where(flow_runs.c.flow == trigger.key)
            ).scalar()

    def _set_next_run(self, trigger: Trigger, at: float) -> None:
        with self.store.transaction() as conn:
            changed = conn.execute(
                update(flow_runs).where(flow_runs.c.flow == trigger.key).values(next_run_at=at)
            ).rowcount
            if not changed:
                conn.execute(flow_runs.insert().values(flow=trigger.key, next_run_at=at))

    def fire(
        self, trigger: Trigger, *, how: str = flow_history.ON_DEMAND, actor: str | None = None
    ) -> int:
        """Run the flow now (also what 'run on demand' does): release what it holds and
        enqueue its own job, and record the run (engine/flow_history.py) in the same
        transaction. Returns the number of jobs released or enqueued."""
        with self.store.transaction() as conn:
            released = self.queue.release_held_in(conn, trigger.flow)
            queued = 0
            if trigger.payload is not None:
                job = NewJob(
                    trigger.flow,
                    ordering_key(trigger.flow, trigger.key),
                    dict(trigger.payload),
                    dedupe_key=trigger.key,
                )
                queued = self.queue.enqueue_in(conn, [job])
            flow_history.start_in(
                conn, trigger.flow, trigger=how, actor=actor, released=released, queued=queued
            )
        return released + queued

    def tick(self) -> list[str]:
        """Fire every trigger that is due; returns the keys fired."""
        fired = []
        stamp = now()
        with self.store.read() as conn:
            paused = paused_in(conn)
        for trigger in self.triggers:
            # A paused flow's due run waits: it fires at the first tick after resuming.
            if not trigger.schedule.runs_by_itself or trigger.flow in paused:
                continue
            due = self.next_run(trigger)
            # Intervals run once at start; times of day wait for their first time.
            if due is None and trigger.schedule.mode == DAILY:
                self._set_next_run(trigger, trigger.schedule.next_run(stamp) or stamp)
                continue
            if due is None or due <= stamp:
                self.fire(trigger, how=flow_history.SCHEDULE)
                self._set_next_run(trigger, trigger.schedule.next_run(stamp) or stamp)
                fired.append(trigger.key)
        return fired

    def run(self, stop: threading.Event, resolution: float = 0.5) -> None:
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # try again next tick
                log.exception("scheduler tick failed")
            stop.wait(resolution)
