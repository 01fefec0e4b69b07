"""What `causeway status` reports, as data (the CLI prints it, tests read it)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from causeway.config import CausewayConfig
from causeway.engine.facts import read_facts
from causeway.engine.flow_pauses import paused_in
from causeway.engine.jobs import JobQueue
from causeway.engine.schedule import MANUAL, Schedule
from causeway.engine.scheduler import read_flow_runs
from causeway.engine.store import Store
from causeway.observability.alerts import evaluate
from causeway.redaction import Redactor

STATES = ("queued", "held", "running", "done", "dead")


def configured_flows(config: CausewayConfig) -> list[str]:
    return list(config.flows.configured())


def _next_run(schedule: Schedule, stored: list[float]) -> float | str | None:
    if schedule.mode == MANUAL:
        return "on demand"
    if not schedule.runs_by_itself:
        return "on each change"
    return min(stored) if stored else None


def collect_status(config: CausewayConfig) -> dict[str, Any]:
    """Raises StoreUnavailableError for a store that is missing or unreachable: looking
    never creates one."""
    store = Store(config.store.url, create=False)
    redact = Redactor.from_config(config)
    try:
        queue = JobQueue(store, clean_text=redact)
        counts = queue.counts()
        with store.read() as conn:
            runs = {row.flow: row for row in read_flow_runs(conn)}
            pauses = paused_in(conn)
        flows = []
        for name, settings in config.flows.configured().items():
            schedule = settings.effective_schedule()
            run = runs.get(name)
            pause = pauses.get(name)
            stored = [
                r.next_run_at
                for key, r in runs.items()
                if key.startswith(f"schedule:{name}") and r.next_run_at
            ]
            flows.append(
                {
                    "name": name,
                    "schedule": schedule.describe(),
                    **{state: counts.get((name, state), 0) for state in STATES},
                    "last_run_at": run.last_started_at if run else None,
                    "last_success_at": run.last_success_at if run else None,
                    "last_error": redact(run.last_error) if run and run.last_error else None,
                    "next_run_at": "when resumed" if pause else _next_run(schedule, stored),
                    "paused": (
                        {"by": pause.paused_by, "since": pause.paused_at} if pause else None
                    ),
                }
            )
        alerts = [asdict(alert) for alert in evaluate(config, read_facts(store))]
        for alert in alerts:
            alert["message"] = redact(alert["message"])
        return {"flows": flows, "dead": queue.dead(), "alerts": alerts}
    finally:
        store.dispose()
