"""What the store tells monitoring, on SQLite and PostgreSQL: a day's rows of jobs, flow
runs, cursors and webhooks become facts, alerts in `causeway status` and /metrics figures."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from causeway.config import CausewayConfig, parse_config
from causeway.engine import facts as facts_module
from causeway.engine.cursors import Cursor
from causeway.engine.facts import note_disabled_webhooks, note_hub_start, read_facts
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.rate import RateBudgets
from causeway.engine.schedule import HELD_UNTIL
from causeway.engine.schema import inbox
from causeway.engine.store import Store
from causeway.engine.system_data import erase_system
from causeway.engine.worker import record_flow_outcome
from causeway.observability.metrics import BudgetCollector, HubCollector
from causeway.status import collect_status

ORDERS = "orders-to-erp"


def hub_config(store: Store) -> CausewayConfig:
    return parse_config(
        {
            "store": {"url": store.url.render_as_string(hide_password=False)},
            "systems": {
                "shop": {
                    "type": "shopify",
                    "shop_url": "http://127.0.0.1:1",
                    "access_token": "t",
                    "webhook_secret": "s",
                },
                "erp": {
                    "type": "tryton",
                    "url": "http://127.0.0.1:2",
                    "database": "d",
                    "username": "u",
                    "password": "p",
                },
            },
            "flows": {ORDERS: {"source": "shop", "target": "erp"}},
        },
        env={},
    )


def webhook(event_id: str) -> InboxRecord:
    return InboxRecord("shop", event_id, "orders/create", f"order:{event_id}", b"{}")


def a_morning_of_orders(store: Store) -> None:
    """Five orders: one placed, one retrying, one parked, one waiting, one held; the
    flow's last batch failed; one webhook and one reconcile-poll record arrived."""
    note_hub_start(store, ["shop"])
    received = Inbox(store, JobQueue(store), lambda record, inbox_id: [])
    received.accept([webhook("evt-1")])
    received.accept([InboxRecord("shop", "poll:2:2026", "orders/poll", "order:2", b"{}")])
    queue = JobQueue(store)
    for n in range(1, 5):
        queue.enqueue(NewJob(ORDERS, f"shop:order:{n}"))
    queue.enqueue(NewJob(ORDERS, "shop:order:5", run_at=HELD_UNTIL))
    placed, retrying, parked = queue.claim("w", [ORDERS], limit=3)
    queue.complete(placed, "w")
    queue.retry(retrying, "w", "ERP timed out")
    queue.kill(parked, "w", "unknown SKU NOPE")
    record_flow_outcome(store, ORDERS, ok=False, error="job 3: unknown SKU NOPE")


def metrics(store: Store, budgets: RateBudgets | None = None) -> dict[tuple[str, tuple], float]:
    registry = CollectorRegistry()
    registry.register(HubCollector(store, hub_config(store)))
    registry.register(BudgetCollector(budgets or RateBudgets()))
    text = generate_latest(registry).decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Read the store as if `seconds` had passed since the rows were written."""
    real = time.time()
    monkeypatch.setattr(facts_module, "now", lambda: real + seconds)


def test_the_store_rows_become_facts(store: Store) -> None:
    a_morning_of_orders(store)
    seen = read_facts(store)
    orders = seen.flow(ORDERS)
    assert orders.last_run_failed and "unknown SKU" in (orders.last_error or "")
    assert (orders.due, orders.retrying) == (1, 1)  # order 4 waits; order 2 backs off
    assert orders.oldest_due_at is not None and orders.oldest_due_at <= seen.now
    counts = {state: n for (flow, state), n in seen.counts.items() if flow == ORDERS}
    assert counts == {"done": 1, "queued": 2, "held": 1, "dead": 1}
    # The poll's record, stored after it, is not a webhook: the last one is evt-1.
    with store.read() as conn:
        arrivals = dict(conn.execute(select(inbox.c.event_id, inbox.c.received_at)).all())
    assert arrivals["poll:2:2026"] > arrivals["evt-1"]
    assert seen.last_webhook_at == {"shop": arrivals["evt-1"]}
    assert seen.hub_started_at is not None


def test_metrics_read_the_store_at_scrape_time(store: Store) -> None:
    a_morning_of_orders(store)
    budgets = RateBudgets()
    budget = budgets.get("shopify:shop", capacity=1, refill_per_second=1000)
    budget.acquire()
    budget.acquire()  # the bucket is empty: this one waits about a millisecond
    figures = metrics(store, budgets)
    states = ("queued", "held", "running", "dead")
    jobs = [figures[("causeway_jobs", (("flow", ORDERS), ("state", s)))] for s in states]
    assert jobs == [2, 1, 0, 1]
    assert figures[("causeway_jobs_done_total", (("flow", ORDERS),))] == 1
    assert figures[("causeway_jobs_retrying", (("flow", ORDERS),))] == 1
    assert 0 <= figures[("causeway_flow_lag_seconds", (("flow", ORDERS),))] < 60
    assert ("causeway_webhook_last_received_timestamp_seconds", (("system", "shop"),)) in figures
    credential = (("credential", "shopify:shop"),)
    assert figures[("causeway_rate_budget_waits_total", credential)] == 1
    assert figures[("causeway_rate_budget_waited_seconds_total", credential)] > 0
    # The parked order is the one alert a fresh failure raises at once: it waits for a person.
    assert figures[("causeway_alert", (("kind", "dead_jobs"), ("subject", ORDERS)))] == 1
    assert figures[("causeway_alerts_firing", ())] == 1


def test_two_hours_later_the_failing_flow_alerts_in_status_and_metrics(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_morning_of_orders(store)
    later(monkeypatch, 2 * 3600)
    alert, parked = collect_status(hub_config(store))["alerts"]
    assert (alert["kind"], alert["subject"]) == ("flow_failing", ORDERS)
    assert "unknown SKU NOPE" in alert["message"] and "job(s) due" in alert["message"]
    assert (parked["kind"], parked["subject"]) == ("dead_jobs", ORDERS)
    assert parked["message"].startswith("1 job(s) parked, the first 2h ago")
    figures = metrics(store)
    assert figures[("causeway_alert", (("kind", "flow_failing"), ("subject", ORDERS)))] == 1
    assert figures[("causeway_alerts_firing", ())] == 2
    assert figures[("causeway_flow_lag_seconds", (("flow", ORDERS),))] >= 2 * 3600


def test_a_day_without_webhooks_alerts_and_a_new_delivery_clears_it(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    note_hub_start(store, ["shop"])
    later(monkeypatch, 25 * 3600)
    (alert,) = collect_status(hub_config(store))["alerts"]
    assert (alert["kind"], alert["subject"]) == ("webhooks_quiet", "shop")
    monkeypatch.undo()
    Inbox(store, JobQueue(store), lambda record, inbox_id: []).accept([webhook("evt-9")])
    later(monkeypatch, 3600)
    assert collect_status(hub_config(store))["alerts"] == []


def test_the_hub_keeps_its_first_start_and_forgets_systems_without_webhooks(store: Store) -> None:
    note_hub_start(store, ["shop", "crm"])
    first = read_facts(store).watching
    note_hub_start(store, ["shop"])
    again = read_facts(store).watching
    assert again == {"hub": first["hub"], "webhooks:shop": first["webhooks:shop"]}


def test_a_cursor_records_each_completed_poll_but_moves_only_forward(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1_800_000_000.0]
    monkeypatch.setattr("causeway.engine.cursors.now", lambda: clock[0])
    cursor = Cursor(store, "erp", "stock-moves", timedelta(minutes=2), flow="stock-to-channels")
    assert not cursor.advance(None)  # a first poll that found nothing still counts
    (first,) = read_facts(store).cursors
    assert (first.flow, first.value, first.polled_at) == ("stock-to-channels", None, clock[0])
    seen = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    clock[0] += 60
    assert cursor.advance(seen)
    clock[0] += 3600
    assert not cursor.advance(seen - timedelta(minutes=1))  # only the overlap window again
    (after,) = read_facts(store).cursors
    assert after.value == seen.isoformat()
    assert (after.moved_at, after.polled_at) == (1_800_000_060.0, 1_800_003_660.0)


def test_webhooks_a_store_disabled_alert_until_it_delivers_again(store: Store) -> None:
    note_hub_start(store, ["shop"])
    Inbox(store, JobQueue(store), lambda record, inbox_id: []).accept([webhook("evt-1")])
    note_disabled_webhooks(store, "shop", ["orders/create"])
    note_disabled_webhooks(store, "shop", ["orders/create", "orders/updated"])  # found again
    found = read_facts(store).disabled_webhooks["shop"]
    assert set(found) == {"orders/create", "orders/updated"}
    assert "webhook-disabled:shop:orders/create" not in read_facts(store).watching
    (alert,) = collect_status(hub_config(store))["alerts"]
    assert (alert["kind"], alert["subject"]) == ("webhooks_disabled", "shop")
    Inbox(store, JobQueue(store), lambda record, inbox_id: []).accept([webhook("evt-2")])
    assert collect_status(hub_config(store))["alerts"] == []
    erase_system(store, "shop", keys_for=lambda record: set())
    assert read_facts(store).disabled_webhooks == {}
