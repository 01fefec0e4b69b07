"""The time-saved tile's arithmetic: records handled by the hub times the minutes a person
would spend on each, exact to the minute, per day and per month."""

from __future__ import annotations

from decimal import Decimal

import pytest

from causeway.config.console import DEFAULT_MINUTES_SAVED, FLOW_RECORD_KINDS, ConsoleSettings
from causeway.flows.registry import FLOWS
from causeway.web.console.time_saved import hours_text, month_window, time_saved

MINUTES = {"order": Decimal("4"), "stock_update": Decimal("0.5"), "customer": Decimal("1")}
KINDS = {"orders-to-erp": "order", "stock-to-channels": "stock_update"} | {
    "customers-to-crm": "customer",
    "customers-sync": "customer",
}


def test_records_times_minutes_per_day_and_per_month() -> None:
    saved = time_saved(
        {"orders-to-erp": 45, "stock-to-channels": 7},
        {"orders-to-erp": 1200, "stock-to-channels": 300},
        minutes=MINUTES,
        kinds=KINDS,
    )
    # 45 x 4 + 7 x 0.5 = 183.5 minutes; 1200 x 4 + 300 x 0.5 = 4950 minutes.
    assert saved.hours_day == Decimal("183.5") / 60
    assert saved.hours_month == Decimal("82.5")
    assert (saved.shown_day, saved.shown_month) == ("3.1 h", "82.5 h")
    assert (saved.records_day, saved.records_month) == (52, 1500)


def test_two_flows_of_one_kind_add_up_and_a_flow_without_a_kind_counts_nothing() -> None:
    saved = time_saved(
        {"customers-to-crm": 30, "customers-sync": 30, "my-own-flow": 1000},
        {},
        minutes=MINUTES,
        kinds=KINDS,
    )
    (customers,) = saved.by_kind
    assert (customers.kind, customers.records_day, customers.hours_day) == ("customer", 60, 1)
    assert saved.hours_day == 1
    assert saved.not_counted == ["my-own-flow"]


def test_a_shorter_retention_is_scaled_to_a_month() -> None:
    """Done jobs kept 10 days: the month is those 10 days' records, times three."""
    window = month_window(10 * 86400.0)
    assert window == 10
    saved = time_saved({}, {"orders-to-erp": 150}, minutes=MINUTES, kinds=KINDS, window_days=window)
    assert saved.hours_month == Decimal(30)  # 150 x 4 min = 10 h in 10 days
    assert month_window(None) == month_window(90 * 86400.0) == 30


def test_nothing_handled_is_zero_hours() -> None:
    saved = time_saved({}, {}, minutes=MINUTES, kinds=KINDS)
    assert (saved.shown_day, saved.shown_month, saved.by_kind) == ("0.0 h", "0.0 h", [])


def test_hours_are_rounded_once_half_up_for_display() -> None:
    assert hours_text(Decimal("0.05")) == "0.1 h"
    assert hours_text(Decimal(1) / 3) == "0.3 h"


def test_every_declared_flow_has_a_kind_with_a_default() -> None:
    assert {d.name for d in FLOWS} == set(FLOW_RECORD_KINDS)
    assert set(FLOW_RECORD_KINDS.values()) <= set(DEFAULT_MINUTES_SAVED)


def test_configured_minutes_override_the_defaults_and_typos_are_refused() -> None:
    settings = ConsoleSettings(minutes_saved={"order": Decimal("2.5")})
    minutes = settings.minutes_per_record()
    assert minutes["order"] == Decimal("2.5")
    assert minutes["stock_update"] == DEFAULT_MINUTES_SAVED["stock_update"]
    with pytest.raises(ValueError, match="'orders' is not a kind of record; use one of"):
        ConsoleSettings(minutes_saved={"orders": Decimal(4)})
    with pytest.raises(ValueError, match="write 0 to 480 minutes"):
        ConsoleSettings(minutes_saved={"order": Decimal(-1)})


def test_the_month_is_never_less_than_the_day() -> None:
    """The month's count is cached for minutes (MonthCounts): counted before today's
    records came in, it must still show at least the day's."""
    saved = time_saved({"orders-to-erp": 15}, {"orders-to-erp": 2}, minutes=MINUTES, kinds=KINDS)
    assert saved.records_month == 15
    assert (saved.shown_day, saved.shown_month) == ("1.0 h", "1.0 h")
    assert saved.hours_month >= saved.hours_day
