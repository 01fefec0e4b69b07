"""The overview: each flow with its state, 24-hour chart, parked jobs and last success;
each system with its last contact, rate budget and webhooks; the time saved; refreshed
through htmx."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from causeway.engine.facts import record_contacts
from causeway.engine.flow_pauses import pause
from causeway.engine.jobs import JobQueue, NewJob
from causeway.hub import Hub
from causeway.web.console.overview_figures import MonthCounts, overview
from tests.console.conftest import client_with_key, console_hub

ORDERS = "orders-to-erp"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    hub = console_hub(
        tmp_path,
        {ORDERS: {"source": "shop", "target": "erp"}},
        console={"minutes_saved": {"order": 6}},
    )
    yield hub
    hub.store.dispose()


def place_orders(hub: Hub, count: int, *, park: int = 0) -> None:
    queue = JobQueue(hub.store)
    queue.enqueue(*(NewJob(ORDERS, f"shop:order:{n}", {"n": n}) for n in range(count + park)))
    jobs = queue.claim("w", [ORDERS], limit=count + park)
    queue.complete_all(jobs[:count], "w")
    for job in jobs[count:]:
        queue.kill(job, "w", "unknown SKU NOPE")


def test_a_viewer_sees_each_flow_with_its_day_and_the_time_saved(hub: Hub) -> None:
    place_orders(hub, 10, park=1)
    record_contacts(hub.store, {"erp": 1_700_000_000.0})
    page = client_with_key(hub, "read").get("/console")
    assert page.status_code == 200
    text = page.text
    assert f'id="overview-{ORDERS}"' in text
    # The chart, drawn on the server, says what it draws.
    assert (
        f'aria-label="{ORDERS}, last 24 hours: 10 done (at most 10 in an hour), 1 parked"' in text
    )
    assert "<script" not in text.split("<body", 1)[1]  # no chart script, only htmx's tag
    assert f'href="/console/problems?flow={ORDERS}">1</a>' in text
    # 10 orders x 6 minutes = 1 hour today; the month counts the same 10 (30 days kept).
    assert "<strong>1.0 h</strong> a day" in text
    assert "<strong>1.0 h</strong> a month" in text
    assert 'id="system-erp"' in text and 'id="system-shop"' in text


def test_a_paused_flow_shows_as_paused(hub: Hub) -> None:
    pause(hub.store, ORDERS, actor="ann@example.com")
    text = client_with_key(hub, "read").get("/console").text
    assert 'class="state state-paused">paused<' in text


def test_the_overview_refreshes_its_body_every_ten_seconds(hub: Hub) -> None:
    reader = client_with_key(hub, "read")
    page = reader.get("/console").text
    assert 'hx-get="/console/overview/live"' in page
    assert 'hx-trigger="every 10s [' in page  # unless hidden, or a details is open
    live = reader.get("/console/overview/live")
    assert live.status_code == 200
    assert "<html" not in live.text  # the body alone, swapped in place
    assert 'id="overview"' in live.text


def test_the_months_count_is_redone_every_five_minutes_not_every_refresh(hub: Hub) -> None:
    month = MonthCounts(every=300)
    place_orders(hub, 2)
    at = time.time() + 1
    assert month.get(hub, 30, at) == {ORDERS: 2}
    place_orders(hub, 3)
    assert month.get(hub, 30, at + 10) == {ORDERS: 2}  # the refresh 10 s later
    assert month.get(hub, 30, at + 301) == {ORDERS: 5}


def test_a_month_counted_before_the_days_records_still_shows_at_least_the_day(hub: Hub) -> None:
    """The reviewer's "0.1 h a day / 0.0 h a month": the month counted on an empty store
    and kept for five minutes while the day's records came in."""
    month = MonthCounts(every=300)
    at = time.time() + 1
    assert overview(hub, at=at, month=month).saved.records_month == 0
    place_orders(hub, 10)
    saved = overview(hub, at=at + 10, month=month).saved
    assert (saved.shown_day, saved.shown_month) == ("1.0 h", "1.0 h")


def test_the_parked_jobs_alert_links_to_the_flows_problems_not_to_cli_commands(hub: Hub) -> None:
    place_orders(hub, 0, park=2)
    text = client_with_key(hub, "read").get("/console").text
    assert "2 job(s) parked" in text
    assert "causeway replay" not in text and "causeway status" not in text
    assert f'<a href="/console/problems?flow={ORDERS}">see and replay them' in text


def test_a_flow_without_runs_draws_no_chart_but_says_so(hub: Hub) -> None:
    reader = client_with_key(hub, "read")
    row = reader.get("/console").text.split(f'id="overview-{ORDERS}"', 1)[1].split("</tr>")[0]
    assert "no runs in 24 h" in row and "<svg" not in row
    place_orders(hub, 3)
    row = reader.get("/console").text.split(f'id="overview-{ORDERS}"', 1)[1].split("</tr>")[0]
    assert "no runs in 24 h" not in row and "<svg" in row
