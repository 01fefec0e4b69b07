"""What the overview shows, gathered from the engine and the hub: one row per flow, one
per system, and the time-saved tile. No SQL here: the store is read through
engine/facts.py, engine/flow_stats.py, engine/flow_history.py and engine/flow_pauses.py,
the alerts decided by observability/alerts.py.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from causeway.config.console import FLOW_RECORD_KINDS
from causeway.engine import flow_history, flow_stats
from causeway.engine.facts import Facts, last_contacts, read_facts
from causeway.engine.flow_pauses import Pause, paused
from causeway.engine.flow_stats import Activity
from causeway.engine.jobs import DEAD, HELD, QUEUED, RUNNING
from causeway.engine.rate import RateBudget
from causeway.hub import Hub
from causeway.observability import alerts as alert_rules
from causeway.observability.alerts import Alert
from causeway.web.console.time_saved import DAY, TimeSaved, month_window, time_saved


@dataclass(frozen=True)
class FlowRow:
    name: str
    schedule: str
    state: str
    activity: Activity
    dead: int
    held: int
    queued: int
    last_success_at: float | None
    next_run_at: float | None
    alerts: list[Alert] = field(default_factory=list)
    pause: Pause | None = None


@dataclass(frozen=True)
class SystemRow:
    name: str
    type: str
    last_contact_at: float | None
    # Share of the rate budget in use now, 0-100 (None: the system has no budget, or
    # this process has not called it yet: budgets live in each process).
    rate_use: int | None
    # "ok", "quiet", "disabled", or None when the hub takes no webhooks from it.
    webhooks: str | None
    last_webhook_at: float | None
    alerts: list[Alert] = field(default_factory=list)


@dataclass(frozen=True)
class Overview:
    at: float
    flows: list[FlowRow]
    systems: list[SystemRow]
    saved: TimeSaved
    alerts: list[Alert]


class MonthCounts:
    """The records handled over the month, counted at most every `every` seconds: the
    month is a range of up to 30 days of finished jobs (a second or so to count with
    150,000 of them), and it barely moves between two refreshes of the overview."""

    def __init__(self, every: float = 300.0) -> None:
        self.every = every
        self._counted: tuple[float, float, dict[str, int]] | None = None
        self._lock = threading.Lock()

    def get(self, hub: Hub, window_days: float, at: float) -> dict[str, int]:
        with self._lock:
            if self._counted is not None:
                counted_at, window, counts = self._counted
                if window == window_days and 0 <= at - counted_at < self.every:
                    return counts
            counts = flow_stats.handled(hub.store, at - window_days * DAY, until=at)
            self._counted = (at, window_days, counts)
            return counts


def overview(hub: Hub, *, at: float | None = None, month: MonthCounts | None = None) -> Overview:
    stamp = time.time() if at is None else at
    config = hub.config
    facts = read_facts(hub.store, stamp)
    firing = alert_rules.evaluate(config, facts)
    return Overview(
        at=stamp,
        flows=flow_rows(hub, facts, firing),
        systems=system_rows(hub, facts, firing),
        saved=saved_time(hub, stamp, month or MonthCounts(every=0)),
        alerts=firing,
    )


def flow_rows(hub: Hub, facts: Facts, firing: list[Alert]) -> list[FlowRow]:
    configured = hub.config.flows.configured()
    day = flow_stats.activity(hub.store, at=facts.now)
    pauses = paused(hub.store)
    succeeded = flow_history.last_success(hub.store)
    rows = []
    for name, settings in configured.items():
        enabled = hub.flows.enabled.get(name)
        schedule = enabled.schedule if enabled else settings.effective_schedule()
        flow = facts.flow(name)
        mine = [a for a in firing if a.subject == name]
        counts = {state: facts.counts.get((name, state), 0) for state in (QUEUED, HELD, DEAD)}
        failing = flow.last_run_failed or any(a.kind == alert_rules.FLOW_FAILING for a in mine)
        running = facts.counts.get((name, RUNNING), 0)
        runs = [s for s in (flow.last_success_at, succeeded.get(name)) if s is not None]
        rows.append(
            FlowRow(
                name=name,
                schedule=schedule.describe(),
                state=flow_stats.flow_state(
                    paused=name in pauses,
                    failing=failing,
                    running=running,
                    due=flow.due,
                    held=counts[HELD],
                ),
                activity=day.get(name) or flow_stats.Activity(),
                dead=counts[DEAD],
                held=counts[HELD],
                queued=counts[QUEUED],
                last_success_at=max(runs) if runs else None,
                next_run_at=min(flow.next_runs) if flow.next_runs else None,
                alerts=mine,
                pause=pauses.get(name),
            )
        )
    return rows


def system_rows(hub: Hub, facts: Facts, firing: list[Alert]) -> list[SystemRow]:
    contacts = last_contacts(hub.store)
    for name, seen in hub.contacts.seen().items():  # this process's, not flushed yet
        contacts[name] = max(seen, contacts.get(name, 0.0))
    rows = []
    for name, system in hub.config.systems.items():
        mine = [a for a in firing if a.subject == name]
        rows.append(
            SystemRow(
                name=name,
                type=system.type,
                last_contact_at=contacts.get(name),
                rate_use=_rate_use(budget_of(hub.connectors.get(name))),
                webhooks=_webhook_health(name, hub, facts, mine),
                last_webhook_at=facts.last_webhook_at.get(name),
                alerts=mine,
            )
        )
    return rows


def budget_of(connector: Any) -> RateBudget | None:
    """The rate budget a connector's client draws on, if it has one."""
    for holder in (connector, getattr(connector, "client", None)):
        budget = getattr(holder, "budget", None)
        if isinstance(budget, RateBudget):
            return budget
    return None


def _rate_use(budget: RateBudget | None) -> int | None:
    if budget is None:
        return None
    used = 1 - budget.available / budget.capacity
    return max(0, min(100, round(used * 100)))


def _webhook_health(name: str, hub: Hub, facts: Facts, mine: list[Alert]) -> str | None:
    if any(a.kind == alert_rules.WEBHOOKS_DISABLED for a in mine):
        return "disabled"
    if any(a.kind == alert_rules.WEBHOOKS_QUIET for a in mine):
        return "quiet"
    if hub.flows.webhook_topics(name) or name in facts.last_webhook_at:
        return "ok"
    return None


def saved_time(hub: Hub, at: float, month: MonthCounts) -> TimeSaved:
    window = month_window(hub.config.retention.done_jobs)
    return time_saved(
        flow_stats.handled(hub.store, at - DAY, until=at),
        month.get(hub, float(window), at),
        minutes=hub.config.console.minutes_per_record(),
        kinds=FLOW_RECORD_KINDS,
        window_days=window,
    )
