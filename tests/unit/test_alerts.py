"""Alerts for silent failure, decided from the store's facts: each kind firing and not,
with its default threshold, a configured one, and turned off."""

from __future__ import annotations

from typing import Any

import pytest

from causeway.config import CausewayConfig, parse_config
from causeway.engine.facts import CursorFacts, Facts, FlowFacts
from causeway.errors import ConfigError
from causeway.observability.alerts import (
    CURSOR_STALLED,
    DEAD_JOBS,
    FLOW_FAILING,
    WEBHOOKS_DISABLED,
    WEBHOOKS_QUIET,
    Alert,
    evaluate,
)

NOW = 1_800_000_000.0
MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0
# The hub has been running for a month unless a scenario says otherwise.
LONG_RUNNING = {"hub": NOW - 30 * DAY, "webhooks:shop": NOW - 30 * DAY}


def config(**flow_settings: Any) -> CausewayConfig:
    """A shop and an ERP; orders (real time with a reconcile poll) and stock (every 5m)."""
    orders = {"source": "shop", "target": "erp"} | flow_settings.pop("orders", {})
    stock = {"source": "erp", "targets": ["shop"]} | flow_settings.pop("stock", {})
    shop = {"type": "shopify", "shop_url": "http://127.0.0.1:1", "access_token": "t"}
    shop |= {"webhook_secret": "s"} | flow_settings.pop("shop", {})
    erp = {"type": "tryton", "url": "http://127.0.0.1:2", "database": "d"}
    erp |= {"username": "u", "password": "p"}
    data = {
        "systems": {"shop": shop, "erp": erp},
        "flows": {"orders-to-erp": orders, "stock-to-channels": stock, **flow_settings},
    }
    return parse_config(data, env={})


def facts(**kwargs: Any) -> Facts:
    kwargs.setdefault("watching", LONG_RUNNING)
    # Webhooks arrive: only the webhook scenarios silence them.
    kwargs.setdefault("last_webhook_at", {"shop": NOW - MINUTE})
    return Facts(now=NOW, **kwargs)


def only(alerts: list[Alert], kind: str) -> list[Alert]:
    return [a for a in alerts if a.kind == kind]


# -- parked jobs ---------------------------------------------------------------------


def test_a_parked_job_alerts_at_once_with_the_count_and_the_replay_command() -> None:
    # Parked a minute ago; the flow succeeds otherwise: no threshold to wait for.
    parked = FlowFacts(
        last_started_at=NOW - MINUTE,
        last_success_at=NOW - MINUTE,
        dead=2,
        oldest_dead_at=NOW - 5 * MINUTE,
    )
    (alert,) = evaluate(config(), facts(flows={"orders-to-erp": parked}))
    assert (alert.kind, alert.subject, alert.since) == (
        DEAD_JOBS,
        "orders-to-erp",
        NOW - 5 * MINUTE,
    )
    assert alert.message.startswith("2 job(s) parked, the first 5m ago")
    assert "causeway replay --all --flow orders-to-erp" in alert.message


def test_parked_jobs_of_a_flow_no_longer_configured_still_alert() -> None:
    # Turning a flow off does not make its parked orders any less stuck.
    parked = FlowFacts(dead=1, oldest_dead_at=NOW - HOUR)
    (alert,) = evaluate(config(), facts(flows={"returns-to-erp": parked}))
    assert (alert.kind, alert.subject) == (DEAD_JOBS, "returns-to-erp")


# -- a flow that is not succeeding ---------------------------------------------------


def test_a_healthy_hub_has_no_alerts() -> None:
    ok = FlowFacts(last_started_at=NOW - MINUTE, last_success_at=NOW - MINUTE)
    assert evaluate(config(), facts(flows={"orders-to-erp": ok, "stock-to-channels": ok})) == []


def test_a_flow_failing_for_longer_than_an_hour_since_its_last_success_alerts() -> None:
    failing = FlowFacts(
        last_started_at=NOW - MINUTE,
        last_success_at=NOW - 2 * HOUR,
        last_error="job 7: ERP unreachable: connection refused",
    )
    (alert,) = evaluate(config(), facts(flows={"orders-to-erp": failing}))
    assert (alert.kind, alert.subject, alert.since) == (
        FLOW_FAILING,
        "orders-to-erp",
        NOW - 2 * HOUR,
    )
    assert "ERP unreachable" in alert.message
    assert "no success for 2h" in alert.message and "threshold 1h" in alert.message


def test_a_recent_failure_after_a_recent_success_is_not_an_alert_yet() -> None:
    blip = FlowFacts(last_started_at=NOW - MINUTE, last_success_at=NOW - 20 * MINUTE)
    assert evaluate(config(), facts(flows={"orders-to-erp": blip})) == []


def test_a_flow_that_never_succeeded_counts_from_the_hubs_first_start() -> None:
    never = FlowFacts(last_started_at=NOW - MINUTE, last_error="unknown SKU")
    young = facts(flows={"orders-to-erp": never}, watching={"hub": NOW - 30 * MINUTE})
    assert evaluate(config(), young) == []
    (alert,) = evaluate(config(), facts(flows={"orders-to-erp": never}))
    assert alert.since == NOW - 30 * DAY and "never succeeded" in alert.message


def test_a_realtime_flow_without_traffic_is_quiet_not_failing() -> None:
    # Succeeded a week ago, nothing since: no jobs, no failures, no schedule of its own.
    quiet = FlowFacts(last_started_at=NOW - 7 * DAY, last_success_at=NOW - 7 * DAY)
    realtime = config(orders={"schedule": "realtime"})
    assert evaluate(realtime, facts(flows={"orders-to-erp": quiet})) == []
    assert evaluate(realtime, facts()) == []


def test_jobs_waiting_longer_than_the_threshold_alert_even_without_a_failure() -> None:
    backlog = FlowFacts(
        last_started_at=NOW - 3 * HOUR,
        last_success_at=NOW - 3 * HOUR,
        due=40,
        oldest_due_at=NOW - 90 * MINUTE,
    )
    (alert,) = evaluate(config(), facts(flows={"orders-to-erp": backlog}))
    assert alert.since == NOW - 90 * MINUTE
    assert "40 job(s) due and not done, the oldest for 1h30m" in alert.message
    short = FlowFacts(due=40, oldest_due_at=NOW - 5 * MINUTE)
    assert evaluate(config(), facts(flows={"orders-to-erp": short})) == []


def test_a_scheduled_run_long_overdue_means_the_scheduler_is_not_running() -> None:
    stopped = FlowFacts(
        last_started_at=NOW - 3 * HOUR, last_success_at=NOW - 3 * HOUR, next_runs=(NOW - 2 * HOUR,)
    )
    (alert,) = evaluate(config(), facts(flows={"stock-to-channels": stopped}))
    assert alert.subject == "stock-to-channels" and "is the hub running?" in alert.message
    # A flow run only by hand has no overdue run, whatever the store remembers.
    manual = config(stock={"schedule": "manual"})
    assert evaluate(manual, facts(flows={"stock-to-channels": stopped})) == []


def test_a_paused_flow_is_not_failing_but_its_parked_jobs_still_alert() -> None:
    """An operator paused it: its waiting jobs and missed runs are what a pause does."""
    paused = FlowFacts(
        last_started_at=NOW - 3 * HOUR,
        last_success_at=NOW - 3 * HOUR,
        due=40,
        oldest_due_at=NOW - 90 * MINUTE,
        next_runs=(NOW - 2 * HOUR,),
        dead=1,
        oldest_dead_at=NOW - 2 * HOUR,
    )
    flows = {"orders-to-erp": paused, "stock-to-channels": paused}
    found = evaluate(config(), facts(flows=flows, paused={"orders-to-erp": NOW - 2 * HOUR}))
    assert [(a.kind, a.subject) for a in found if a.subject == "orders-to-erp"] == [
        (DEAD_JOBS, "orders-to-erp")
    ]
    assert (FLOW_FAILING, "stock-to-channels") in [(a.kind, a.subject) for a in found]


def test_the_flow_threshold_is_configurable_and_can_be_turned_off() -> None:
    failing = FlowFacts(last_started_at=NOW - MINUTE, last_success_at=NOW - 20 * MINUTE)
    seen = facts(flows={"orders-to-erp": failing})
    (alert,) = evaluate(config(orders={"alert_after": "10m"}), seen)
    assert "threshold 10m" in alert.message
    assert evaluate(config(orders={"alert_after": "off"}), seen) == []
    long_failing = facts(flows={"orders-to-erp": FlowFacts(last_started_at=NOW, due=1)})
    assert evaluate(config(orders={"alert_after": False}), long_failing) == []


# -- a cursor that stops advancing ------------------------------------------------


def cursor(moved: float, polled: float | None, flow: str = "stock-to-channels") -> CursorFacts:
    return CursorFacts("erp", "stock-moves", flow, "2026-11-22T12:00:00+00:00", moved, polled)


def test_a_cursor_whose_polls_run_but_whose_watermark_stands_still_alerts() -> None:
    (alert,) = evaluate(config(), facts(cursors=[cursor(NOW - 4 * DAY, NOW - MINUTE)]))
    assert (alert.kind, alert.subject, alert.since) == (
        CURSOR_STALLED,
        "erp/stock-moves",
        NOW - 4 * DAY,
    )
    assert "has not moved for 4d" in alert.message and "polls complete" in alert.message


def test_a_cursor_whose_poll_stopped_completing_alerts_as_such() -> None:
    (alert,) = evaluate(config(), facts(cursors=[cursor(NOW - 5 * DAY, NOW - 4 * DAY)]))
    assert alert.since == NOW - 4 * DAY
    assert "no poll of it by stock-to-channels has completed for 4d" in alert.message


def test_a_moving_cursor_or_a_young_hub_does_not_alert() -> None:
    assert evaluate(config(), facts(cursors=[cursor(NOW - HOUR, NOW - MINUTE)])) == []
    # A hub (re)installed an hour ago on an old store: silence counts from its start.
    young = {"hub": NOW - HOUR, "webhooks:shop": NOW - HOUR}
    stale = [cursor(NOW - 9 * DAY, NOW - 9 * DAY)]
    assert evaluate(config(), facts(cursors=stale, watching=young)) == []


def test_the_cursor_threshold_is_per_flow_with_a_longer_default_for_quiet_sources() -> None:
    stalled = [cursor(NOW - 4 * DAY, NOW - MINUTE)]
    assert evaluate(config(stock={"cursor_alert_after": "5d"}), facts(cursors=stalled)) == []
    assert evaluate(config(stock={"cursor_alert_after": "off"}), facts(cursors=stalled)) == []
    (alert,) = evaluate(config(stock={"cursor_alert_after": "1d"}), facts(cursors=stalled))
    assert "threshold 1d" in alert.message
    catalog = {"source": "erp", "targets": ["shop"]}
    unchanged = [CursorFacts("erp", "catalog", "catalog-to-channels", None, NOW - 4 * DAY, NOW)]
    assert evaluate(config(**{"catalog-to-channels": catalog}), facts(cursors=unchanged)) == []


def test_a_cursor_of_a_manual_or_unconfigured_flow_does_not_alert() -> None:
    stalled = [cursor(NOW - 9 * DAY, NOW - 9 * DAY)]
    assert evaluate(config(stock={"schedule": "manual"}), facts(cursors=stalled)) == []
    gone = [cursor(NOW - 9 * DAY, NOW - 9 * DAY, flow="catalog-to-channels")]
    assert evaluate(config(), facts(cursors=gone)) == []


# -- a webhook subscription that went quiet -------------------------------------------


def test_no_webhook_for_a_day_alerts_and_says_when_the_last_one_came() -> None:
    (alert,) = evaluate(config(), facts(last_webhook_at={"shop": NOW - 30 * HOUR}))
    assert (alert.kind, alert.subject, alert.since) == (WEBHOOKS_QUIET, "shop", NOW - 30 * HOUR)
    assert "no webhook from shop for 1d06h" in alert.message
    assert evaluate(config(), facts(last_webhook_at={"shop": NOW - 2 * HOUR})) == []


def test_webhook_silence_counts_from_when_the_hub_first_expected_them() -> None:
    never = facts(last_webhook_at={})
    (alert,) = evaluate(config(), never)
    assert alert.since == NOW - 30 * DAY and "none yet" in alert.message
    brand_new = facts(last_webhook_at={}, watching={"hub": NOW - HOUR, "webhooks:shop": NOW - HOUR})
    assert evaluate(config(), brand_new) == []


def test_webhook_silence_is_configurable_off_and_ignored_for_systems_without_webhooks() -> None:
    quiet = facts(last_webhook_at={"shop": NOW - 30 * HOUR})
    assert evaluate(config(shop={"webhooks_quiet_after": "2d"}), quiet) == []
    assert evaluate(config(shop={"webhooks_quiet_after": "off"}), quiet) == []
    # No flow takes webhooks from the shop: the hub never started watching it.
    unwatched = facts(last_webhook_at={}, watching={"hub": NOW - 30 * DAY})
    assert evaluate(config(), unwatched) == []


def test_a_threshold_that_is_neither_a_duration_nor_off_is_refused_by_name() -> None:
    with pytest.raises(ConfigError, match="alert_after"):
        config(orders={"alert_after": "soon"})
    with pytest.raises(ConfigError, match="webhooks_quiet_after"):
        config(shop={"webhooks_quiet_after": True})


# -- webhooks a system disabled ----------------------------------------------------------


def test_webhooks_a_store_disabled_alert_until_a_delivery_arrives_again() -> None:
    found = {"shop": {"orders/create": NOW - 10 * MINUTE, "orders/updated": NOW - 5 * MINUTE}}
    silent = facts(disabled_webhooks=found, last_webhook_at={"shop": NOW - HOUR})
    (alert,) = only(evaluate(config(), silent), WEBHOOKS_DISABLED)
    assert (alert.subject, alert.since) == ("shop", NOW - 10 * MINUTE)
    assert "disabled the hub's orders/create, orders/updated webhook(s)" in alert.message
    assert "the reconciling poll of orders-to-erp fetches it" in alert.message
    delivered = facts(disabled_webhooks=found, last_webhook_at={"shop": NOW - MINUTE})
    assert only(evaluate(config(), delivered), WEBHOOKS_DISABLED) == []


def test_a_disabled_webhook_alerts_when_no_delivery_ever_came() -> None:
    never = facts(disabled_webhooks={"shop": {"orders/create": NOW - HOUR}}, last_webhook_at={})
    (alert,) = only(evaluate(config(), never), WEBHOOKS_DISABLED)
    assert alert.since == NOW - HOUR
