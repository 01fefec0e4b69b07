"""`causeway status` and alerts: exit 0 when all is well, 3 when something is alerting."""

from __future__ import annotations

import json
import time
from pathlib import Path

import yaml

from causeway.cli import ALERTING, app
from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.store import Store
from tests.unit.test_cli import ENV, config_file, runner

__all__ = ["config_file"]  # the fixture, shared with test_cli


def an_order_waiting_two_hours(config_file: Path) -> None:
    """The hub was down: an order's job has been due for two hours, nothing ran it."""
    url = yaml.safe_load(config_file.read_text())["store"]["url"]
    store = Store(url)
    JobQueue(store).enqueue(NewJob("orders-to-erp", "shop:order:1", run_at=time.time() - 7200))
    store.dispose()


def test_status_exits_0_and_says_no_alerts_when_nothing_is_wrong(config_file: Path) -> None:
    result = runner.invoke(app, ["status", "-c", str(config_file)], env=ENV)
    assert result.exit_code == 0, result.output
    assert "no alerts" in result.output
    as_json = runner.invoke(app, ["status", "-c", str(config_file), "--json"], env=ENV)
    assert as_json.exit_code == 0 and json.loads(as_json.output)["alerts"] == []


def test_status_exits_3_and_shows_the_alert_when_a_flow_is_stuck(config_file: Path) -> None:
    an_order_waiting_two_hours(config_file)
    result = runner.invoke(app, ["status", "-c", str(config_file)], env=ENV)
    assert result.exit_code == ALERTING == 3
    text = " ".join(result.output.split())  # as read, whatever the terminal's width
    assert "Alerts (1) - flow_failing orders-to-erp since" in text
    assert "1 job(s) due and not done, the oldest for 2h" in text
    as_json = runner.invoke(app, ["status", "-c", str(config_file), "--json"], env=ENV)
    assert as_json.exit_code == 3
    (alert,) = json.loads(as_json.output)["alerts"]
    assert (alert["kind"], alert["subject"]) == ("flow_failing", "orders-to-erp")


def test_turning_the_flows_alert_off_silences_it(config_file: Path) -> None:
    an_order_waiting_two_hours(config_file)
    data = yaml.safe_load(config_file.read_text())
    data["flows"]["orders-to-erp"]["alert_after"] = "off"
    config_file.write_text(yaml.safe_dump(data))
    result = runner.invoke(app, ["status", "-c", str(config_file)], env=ENV)
    assert result.exit_code == 0 and "no alerts" in result.output
