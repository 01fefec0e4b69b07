"""Schedules as merchants write them: real time, every N minutes, times of day, manual."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
import yaml

from causeway.config import parse_config
from causeway.engine.schedule import DAILY, INTERVAL, MANUAL, REALTIME, Schedule, parse_schedule
from causeway.errors import ConfigError
from tests.unit.test_config import ENV, example


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("realtime", Schedule(REALTIME)),
        ("Realtime, every 5m", Schedule(REALTIME, every_seconds=300)),
        ("every 3m", Schedule(INTERVAL, every_seconds=180)),
        ("every 90s", Schedule(INTERVAL, every_seconds=90)),
        ("at 18:00, 06:00", Schedule(DAILY, times=(time(6), time(18)))),
        (
            "at 06:00 18:30 Europe/Berlin",
            Schedule(DAILY, times=(time(6), time(18, 30)), timezone="Europe/Berlin"),
        ),
        ("manual", Schedule(MANUAL)),
    ],
)
def test_each_way_of_writing_a_schedule_is_understood(text: str, expected: Schedule) -> None:
    assert parse_schedule(text) == expected
    # What status prints reads back as the same schedule.
    assert parse_schedule(expected.describe()) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sometimes", "is not a schedule: write realtime"),
        ("every soon", "'soon' is not a duration"),
        ("at 25:00", "'25:00' is not a time of day"),
        ("at 06:00 Mars/Olympus", "'Mars/Olympus' is not a time zone"),
        ("at", "is not a schedule"),
    ],
)
def test_a_bad_schedule_says_what_to_write(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_schedule(text)


def test_a_bad_schedule_in_causeway_yaml_names_the_flow() -> None:
    data = example()
    data["flows"]["stock-to-channels"]["schedule"] = "every tuesday"
    with pytest.raises(ConfigError, match=r"flows\.stock-to-channels\.schedule: .*'tuesday'"):
        parse_config(data, env=ENV)


def test_a_flow_without_a_schedule_keeps_its_natural_one() -> None:
    config = parse_config(example(), env=ENV)
    orders = config.flows.orders_to_erp.effective_schedule()
    stock = config.flows.stock_to_channels.effective_schedule()
    assert (orders.mode, orders.every_seconds) == (REALTIME, 300)  # webhooks + reconcile poll
    assert (stock.mode, stock.every_seconds) == (INTERVAL, 300)


def test_the_schedule_set_in_yaml_wins_over_the_default() -> None:
    data = example()
    data["flows"]["orders-to-erp"]["schedule"] = "at 06:00, 18:00 Europe/Berlin"
    config = parse_config(yaml.safe_load(yaml.safe_dump(data)), env=ENV)
    schedule = config.flows.orders_to_erp.effective_schedule()
    assert schedule.holds_changes and schedule.describe() == "at 06:00, 18:00 Europe/Berlin"


def test_an_interval_runs_again_after_its_interval() -> None:
    assert Schedule(INTERVAL, every_seconds=180).next_run(1000.0) == 1180.0


def test_manual_and_plain_realtime_never_run_by_themselves() -> None:
    for schedule in (Schedule(MANUAL), Schedule(REALTIME)):
        assert not schedule.runs_by_itself
        assert schedule.next_run(1000.0) is None
    assert Schedule(MANUAL).holds_changes and not Schedule(REALTIME).holds_changes


def berlin(*args: int) -> float:
    return datetime(*args, tzinfo=ZoneInfo("Europe/Berlin")).timestamp()


def test_times_of_day_pick_the_next_one_today_or_tomorrow() -> None:
    schedule = parse_schedule("at 06:00, 18:00 Europe/Berlin")
    assert schedule.next_run(berlin(2026, 11, 27, 5, 59)) == berlin(2026, 11, 27, 6, 0)
    assert schedule.next_run(berlin(2026, 11, 27, 6, 0)) == berlin(2026, 11, 27, 18, 0)
    assert schedule.next_run(berlin(2026, 11, 27, 19, 0)) == berlin(2026, 11, 28, 6, 0)


def test_times_of_day_follow_the_wall_clock_across_daylight_saving_changes() -> None:
    schedule = parse_schedule("at 06:00 Europe/Berlin")
    # Clocks go forward on 29 March 2026: the day has 23 hours, 06:00 is still 06:00.
    before = berlin(2026, 3, 28, 6, 0)
    after = schedule.next_run(before)
    assert after == berlin(2026, 3, 29, 6, 0)
    assert after - before == 23 * 3600
    assert datetime.fromtimestamp(after, UTC).hour == 4  # 06:00 CEST is 04:00 UTC
