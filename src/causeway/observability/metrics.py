"""`GET /metrics`: the hub's figures in Prometheus' text format (docs/monitoring.md).

Job, flow, cursor, webhook-arrival and alert figures are read from the store at
scrape time, so they are right however many processes share the store; rate-budget
waits and the in-process instruments (observability/instruments.py) are this
process's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from causeway.config import CausewayConfig
from causeway.engine.facts import Facts, read_facts
from causeway.engine.jobs import DEAD, DONE, HELD, QUEUED, RUNNING
from causeway.engine.rate import RateBudget, RateBudgets
from causeway.engine.store import Store
from causeway.observability.alerts import evaluate
from causeway.observability.instruments import INSTRUMENTS

GAUGED_STATES = (QUEUED, HELD, RUNNING, DEAD)


class HubCollector(Collector):
    """Reads the store each time Prometheus scrapes."""

    def __init__(self, store: Store, config: CausewayConfig) -> None:
        self.store = store
        self.config = config

    def collect(self) -> Iterator[Metric]:
        facts = read_facts(self.store)
        flows = sorted(set(self.config.flows.configured()) | {f for f, _ in facts.counts})
        yield from _jobs(facts, flows)
        yield from _flows(facts, flows)
        yield from _cursors(facts)
        yield from _webhooks(facts)
        yield from _amount_mismatches(facts)
        yield from _alerts(self.config, facts)


class BudgetCollector(Collector):
    """This process's waits for its rate budgets."""

    def __init__(self, budgets: RateBudgets) -> None:
        self.budgets = budgets

    def collect(self) -> Iterator[Metric]:
        yield from _budgets(self.budgets.all())


def _jobs(facts: Facts, flows: list[str]) -> Iterator[Metric]:
    jobs = GaugeMetricFamily(
        "causeway_jobs",
        "Jobs by flow and state (queued includes those backing off)",
        labels=["flow", "state"],
    )
    done = CounterMetricFamily("causeway_jobs_done", "Jobs finished successfully", labels=["flow"])
    retrying = GaugeMetricFamily(
        "causeway_jobs_retrying",
        "Jobs waiting to run again after a failed attempt",
        labels=["flow"],
    )
    for flow in flows:
        for state in GAUGED_STATES:
            jobs.add_metric([flow, state], facts.counts.get((flow, state), 0))
        done.add_metric([flow], facts.counts.get((flow, DONE), 0))
        retrying.add_metric([flow], facts.flow(flow).retrying)
    yield from (jobs, done, retrying)


def _flows(facts: Facts, flows: list[str]) -> Iterator[Metric]:
    lag = GaugeMetricFamily(
        "causeway_flow_lag_seconds",
        "How long the oldest job that could run now has been due (0: none waiting)",
        labels=["flow"],
    )
    success = GaugeMetricFamily(
        "causeway_flow_last_success_timestamp_seconds",
        "When the flow last succeeded (absent: never)",
        labels=["flow"],
    )
    since = GaugeMetricFamily(
        "causeway_flow_seconds_since_last_success",
        "Seconds since the flow last succeeded (absent: never)",
        labels=["flow"],
    )
    for flow in flows:
        found = facts.flow(flow)
        oldest = found.oldest_due_at
        lag.add_metric([flow], max(0.0, facts.now - oldest) if oldest is not None else 0.0)
        if found.last_success_at is not None:
            success.add_metric([flow], found.last_success_at)
            since.add_metric([flow], max(0.0, facts.now - found.last_success_at))
    yield from (lag, success, since)


def _cursors(facts: Facts) -> Iterator[Metric]:
    moved = GaugeMetricFamily(
        "causeway_cursor_moved_timestamp_seconds",
        "When a polling cursor's watermark last moved",
        labels=["system", "stream"],
    )
    polled = GaugeMetricFamily(
        "causeway_cursor_polled_timestamp_seconds",
        "When a polling cursor's poll last completed",
        labels=["system", "stream"],
    )
    for cursor in facts.cursors:
        moved.add_metric([cursor.system, cursor.stream], cursor.moved_at)
        if cursor.polled_at is not None:
            polled.add_metric([cursor.system, cursor.stream], cursor.polled_at)
    yield from (moved, polled)


def _webhooks(facts: Facts) -> Iterator[Metric]:
    last = GaugeMetricFamily(
        "causeway_webhook_last_received_timestamp_seconds",
        "When the latest webhook from a system was received",
        labels=["system"],
    )
    for system, at in sorted(facts.last_webhook_at.items()):
        last.add_metric([system], at)
    yield last


def _amount_mismatches(facts: Facts) -> Iterator[Metric]:
    open_orders = GaugeMetricFamily(
        "causeway_amount_mismatches",
        "Orders whose ERP sale amounts differ from the channel's and nobody has accepted",
        labels=["system"],
    )
    for found in facts.amount_mismatches:
        open_orders.add_metric([found.system], found.count)
    yield open_orders


def _budgets(budgets: list[RateBudget]) -> Iterator[Metric]:
    waits = CounterMetricFamily(
        "causeway_rate_budget_waits",
        "Requests that waited for their credential's rate budget (this process)",
        labels=["credential"],
    )
    waited = CounterMetricFamily(
        "causeway_rate_budget_waited_seconds",
        "Time spent waiting for a credential's rate budget (this process)",
        labels=["credential"],
    )
    for budget in budgets:
        waits.add_metric([budget.name], budget.waits)
        waited.add_metric([budget.name], budget.waited_seconds)
    yield from (waits, waited)


def _alerts(config: CausewayConfig, facts: Facts) -> Iterator[Metric]:
    firing = evaluate(config, facts)
    alert = GaugeMetricFamily(
        "causeway_alert",
        "1 for each alert firing now (docs/monitoring.md)",
        labels=["kind", "subject"],
    )
    for found in firing:
        alert.add_metric([found.kind, found.subject], 1)
    total = GaugeMetricFamily("causeway_alerts_firing", "Alerts firing now")
    total.add_metric([], len(firing))
    yield from (alert, total)


def process_registry(hub: Any) -> CollectorRegistry:
    """What only this process knows: its rate-budget waits and instruments (retries,
    webhook latency). A `causeway worker` process serves just these (--metrics-port)."""
    registry = CollectorRegistry()
    registry.register(BudgetCollector(hub.budgets))
    for instrument in INSTRUMENTS:
        registry.register(instrument)
    return registry


def hub_registry(hub: Any) -> CollectorRegistry:
    """The hub app's: the store's figures, right across processes, plus this process's."""
    registry = process_registry(hub)
    registry.register(HubCollector(hub.store, hub.config))
    return registry


def exposition(registry: CollectorRegistry, accept: str | None) -> tuple[bytes, str]:
    """The scrape's body and content type: OpenMetrics if the scraper asks for it,
    else Prometheus' classic text format (0.0.4), which every version reads."""
    encode, content_type = choose_encoder(accept or "")
    return encode(registry), content_type
