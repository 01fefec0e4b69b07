"""The command line as an operator uses it: init, status, replay, and bad configs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from causeway.cli import app
from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.store import Store

runner = CliRunner()
ENV = {"SHOPIFY_ACCESS_TOKEN": "t", "SHOPIFY_WEBHOOK_SECRET": "s", "TRYTON_PASSWORD": "p"}


def example_hub(tmp_path: Path) -> Path:
    """`causeway init`'s example config, its store in tmp_path; the hub has run once, so
    the store exists."""
    path = tmp_path / "causeway.yaml"
    assert runner.invoke(app, ["init", str(path)]).exit_code == 0
    data = yaml.safe_load(path.read_text())
    data["store"]["url"] = f"sqlite:///{tmp_path / 'hub.db'}"
    path.write_text(yaml.safe_dump(data))
    Store(data["store"]["url"]).dispose()
    return path


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return example_hub(tmp_path)


def park_a_job(config_file: Path) -> int:
    data = yaml.safe_load(config_file.read_text())
    queue = JobQueue(Store(data["store"]["url"]))
    queue.enqueue(NewJob("orders-to-erp", "shop:order:1", {"inbox_id": 1}))
    (job,) = queue.claim("w", ["orders-to-erp"])
    queue.kill(job, "w", "unknown SKU NOPE in erp: create the product")
    return job.id


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "causeway.yaml"
    assert runner.invoke(app, ["init", str(path)]).exit_code == 0
    again = runner.invoke(app, ["init", str(path)])
    assert again.exit_code == 1 and "--force" in again.output
    assert runner.invoke(app, ["init", str(path), "--force"]).exit_code == 0


def test_status_shows_dead_jobs_with_their_reason(config_file: Path) -> None:
    job_id = park_a_job(config_file)
    result = runner.invoke(app, ["status", "-c", str(config_file), "--json"], env=ENV)
    assert result.exit_code == 3, result.output  # a parked job is an alert (dead_jobs)
    report = json.loads(result.output)
    orders = next(f for f in report["flows"] if f["name"] == "orders-to-erp")
    assert orders["dead"] == 1
    assert report["dead"][0]["id"] == job_id
    assert "unknown SKU NOPE" in report["dead"][0]["last_error"]
    table = runner.invoke(app, ["status", "-c", str(config_file)], env=ENV)
    assert "unknown SKU NOPE" in table.output


def test_replay_puts_a_dead_job_back_and_says_so(config_file: Path) -> None:
    job_id = park_a_job(config_file)
    result = runner.invoke(app, ["replay", str(job_id), "-c", str(config_file)], env=ENV)
    assert result.exit_code == 0 and "replayed 1 job" in result.output
    again = runner.invoke(app, ["replay", str(job_id), "-c", str(config_file)], env=ENV)
    assert again.exit_code == 1 and "not dead" in again.output
    assert runner.invoke(app, ["replay", "-c", str(config_file)], env=ENV).exit_code == 2


def test_a_bad_config_exits_2_with_the_key_named(config_file: Path) -> None:
    result = runner.invoke(app, ["status", "-c", str(config_file)], env={})
    assert result.exit_code == 2
    assert "SHOPIFY_ACCESS_TOKEN" in result.output


def test_status_shows_each_flows_schedule_and_when_it_runs_next(config_file: Path) -> None:
    data = yaml.safe_load(config_file.read_text())
    data["flows"]["orders-to-erp"]["schedule"] = "manual"
    config_file.write_text(yaml.safe_dump(data))
    result = runner.invoke(app, ["status", "-c", str(config_file), "--json"], env=ENV)
    flows = {f["name"]: f for f in json.loads(result.output)["flows"]}
    assert (flows["orders-to-erp"]["schedule"], flows["orders-to-erp"]["next_run_at"]) == (
        "manual",
        "on demand",
    )
    assert flows["stock-to-channels"]["schedule"] == "every 5m"
    table = runner.invoke(app, ["status", "-c", str(config_file)], env=ENV)
    assert "manual" in table.output and "every 5m" in table.output


def test_flow_run_names_the_enabled_flows_when_the_flow_is_unknown(config_file: Path) -> None:
    result = runner.invoke(app, ["flow", "run", "stock", "-c", str(config_file)], env=ENV)
    assert result.exit_code == 2
    assert "no enabled flow named 'stock'" in result.output
    assert "orders-to-erp" in result.output and "stock-to-channels" in result.output
