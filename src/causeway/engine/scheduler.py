"""Time-based triggers: each scheduled flow gets a job when its interval is due.

The scheduler only enqueues; workers run. A pending scheduled job carries a
dedupe key, so a slow run, a restart or a second hub process never piles up
copies of the same run. The next run time is kept in the store so a restart
does not fire every flow at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update

from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.schema import flow_runs
from causeway.engine.store import Store, now

log = logging.getLogger("causeway.scheduler")


@dataclass(frozen=True)
class Trigger:
    flow: str
    every_seconds: float
    payload: dict[str, Any] = field(default_factory=dict)
    # A second trigger on the same flow (e.g. the reconcile poll) needs its own key.
    name: str = ""

    @property
    def key(self) -> str:
        return f"schedule:{self.name or self.flow}"


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

    def fire(self, trigger: Trigger) -> int:
        """Enqueue the trigger's job now (also what 'run on demand' does)."""
        return self.queue.enqueue(
            NewJob(
                trigger.flow,
                f"{trigger.flow}:{trigger.key}",
                dict(trigger.payload),
                dedupe_key=trigger.key,
            )
        )

    def tick(self) -> list[str]:
        """Fire every trigger that is due; returns the keys fired."""
        fired = []
        stamp = now()
        for trigger in self.triggers:
            due = self.next_run(trigger)
            if due is None or due <= stamp:
                self.fire(trigger)
                self._set_next_run(trigger, stamp + trigger.every_seconds)
                fired.append(trigger.key)
        return fired

    def run(self, stop: threading.Event, resolution: float = 0.5) -> None:
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # try again next tick
                log.exception("scheduler tick failed")
            stop.wait(resolution)
