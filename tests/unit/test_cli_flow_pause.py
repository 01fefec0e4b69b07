"""`causeway flow pause NAME` and `causeway flow resume NAME`: what the operator reads,
what the store keeps (every hub process obeys it), and the audit entry naming the OS user."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from causeway.cli import app
from causeway.engine import audit
from causeway.engine.flow_pauses import is_paused
from causeway.engine.jobs import HELD, QUEUED, JobQueue, NewJob
from causeway.engine.store import Store
from tests.unit.test_cli_failures import plain, url_of, write_config

runner = CliRunner()
ORDERS = "orders-to-erp"


def test_pause_holds_the_flows_changes_and_resume_releases_them(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    store = Store(url_of(config))  # the hub's store, as a first `causeway run` makes it
    try:
        paused = runner.invoke(app, ["flow", "pause", ORDERS, "-c", str(config)])
        assert paused.exit_code == 0, paused.output
        assert plain(paused) == f"{ORDERS}: paused; its changes wait"
        assert is_paused(store, ORDERS)
        JobQueue(store).enqueue(NewJob(ORDERS, "csv:order:1", {"inbox_id": 1}))
        assert JobQueue(store).counts() == {(ORDERS, HELD): 1}

        status = runner.invoke(app, ["status", "--json", "-c", str(config)])
        (orders,) = [f for f in json.loads(status.output)["flows"] if f["name"] == ORDERS]
        assert orders["paused"]["by"] == audit.cli_actor()
        assert (orders["held"], orders["next_run_at"]) == (1, "when resumed")
        assert status.exit_code == 0  # paused is not failing

        again = runner.invoke(app, ["flow", "pause", ORDERS, "-c", str(config)])
        assert plain(again) == f"{ORDERS}: was already paused; its changes wait"
        # Nothing of a paused flow runs, on demand neither.
        run = runner.invoke(app, ["flow", "run", ORDERS, "-c", str(config)])
        assert run.exit_code == 1
        assert f"{ORDERS} is paused" in plain(run)

        resumed = runner.invoke(app, ["flow", "resume", ORDERS, "-c", str(config)])
        assert resumed.exit_code == 0, resumed.output
        assert plain(resumed) == f"{ORDERS}: resumed; 1 held job(s) released to a running hub"
        assert JobQueue(store).counts() == {(ORDERS, QUEUED): 1}

        actions = [(e.action, e.actor) for e in audit.recent(store, subject=f"flow:{ORDERS}")]
        assert actions == [("flow.resume", audit.cli_actor()), ("flow.pause", audit.cli_actor())]
    finally:
        store.dispose()


def test_resume_of_a_flow_that_is_not_paused_says_so(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    Store(url_of(config)).dispose()
    result = runner.invoke(app, ["flow", "resume", ORDERS, "-c", str(config)])
    assert result.exit_code == 0
    assert plain(result) == f"{ORDERS}: was not paused; nothing to resume"


def test_pausing_an_unknown_flow_names_the_configured_ones(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = runner.invoke(app, ["flow", "pause", "orders", "-c", str(config)])
    assert result.exit_code == 2
    text = plain(result)
    assert text.startswith("error: no flow named 'orders' in causeway.yaml (configured: ")
    assert "orders-to-erp" in text and "stock-to-channels" in text
