"""What an operator sees when something is wrong: one sentence naming the key or the
system and the fix, never a traceback, and an exit code a cron job can act on
(1 run time, 2 configuration, 3 `status` alerting)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from causeway.cli import app
from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.store import Store

runner = CliRunner()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(tmp_path: Path, **changes: Any) -> Path:
    """A drop folder feeding orders to a Tryton that does not answer, and a store."""
    config: dict[str, Any] = {
        "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
        "workers": {"backoff_base": "10ms", "backoff_cap": "20ms", "max_attempts": 2},
        "systems": {
            "csv": {"type": "files", "folder": str(tmp_path / "drop")},
            "shop": {
                "type": "shopify",
                "shop_url": f"http://127.0.0.1:{closed_port()}",
                "access_token": "shpat_test",
                "webhook_secret": "whsec",
            },
            "erp": {
                "type": "tryton",
                "url": f"http://127.0.0.1:{closed_port()}",
                "database": "tryton",
                "username": "causeway",
                "password": "secret",
            },
        },
        "flows": {
            "orders-to-erp": {"source": "csv", "target": "erp", "schedule": "realtime"},
            "stock-to-channels": {"source": "erp", "targets": ["shop"]},
        },
    }
    config.update(changes)
    path = tmp_path / "causeway.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def url_of(config: Path) -> str:
    return str(yaml.safe_load(config.read_text())["store"]["url"])


def park_a_job(config: Path) -> int:
    store = Store(url_of(config))
    queue = JobQueue(store)
    queue.enqueue(NewJob("orders-to-erp", "csv:order:1", {"inbox_id": 1}))
    (job,) = queue.claim("w", ["orders-to-erp"])
    queue.kill(job, "w", "unknown SKU NOPE in erp: create the product")
    store.dispose()
    return job.id


def plain(result: Any) -> str:
    """The output as one line, whatever the terminal's width; and no traceback in it."""
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return " ".join(result.output.split())


# -- finding 8: parked jobs are not silent ---------------------------------------------


def test_status_exits_3_while_a_job_is_parked_and_says_how_many_and_to_replay(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    park_a_job(config)
    result = runner.invoke(app, ["status", "-c", str(config)])
    assert result.exit_code == 3, result.output
    text = plain(result)
    assert "dead_jobs orders-to-erp" in text
    assert "1 job(s) parked" in text and "causeway replay --all --flow orders-to-erp" in text
    as_json = runner.invoke(app, ["status", "-c", str(config), "--json"])
    assert as_json.exit_code == 3
    (alert,) = json.loads(as_json.output)["alerts"]
    assert (alert["kind"], alert["subject"]) == ("dead_jobs", "orders-to-erp")


def test_status_is_quiet_again_once_the_parked_job_is_replayed(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    job_id = park_a_job(config)
    assert runner.invoke(app, ["replay", str(job_id), "-c", str(config)]).exit_code == 0
    result = runner.invoke(app, ["status", "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert "no alerts" in result.output


def test_flow_run_exits_1_when_a_job_it_ran_was_parked(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    store = Store(url_of(config))
    # An order whose received payload is gone: parked at once, no ERP call needed.
    JobQueue(store).enqueue(NewJob("orders-to-erp", "csv:order:7", {"inbox_id": 424242}))
    store.dispose()
    result = runner.invoke(app, ["flow", "run", "orders-to-erp", "-c", str(config)])
    assert result.exit_code == 1, result.output
    text = plain(result)
    assert "1 parked" in text
    assert "inbox record 424242 is missing" in text
    assert "causeway replay --all --flow orders-to-erp" in text


def test_replay_of_an_unknown_flow_names_the_known_ones(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    park_a_job(config)
    result = runner.invoke(app, ["replay", "--all", "--flow", "nosuch", "-c", str(config)])
    assert result.exit_code == 2, result.output
    text = plain(result)
    assert "no flow named 'nosuch'" in text
    assert "orders-to-erp" in text and "stock-to-channels" in text


def test_replay_all_that_matches_nothing_exits_1_and_says_so(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    Store(url_of(config)).dispose()
    result = runner.invoke(app, ["replay", "--all", "-c", str(config)])
    assert result.exit_code == 1, result.output
    assert "no dead job to replay" in plain(result)
    of_flow = runner.invoke(app, ["replay", "--all", "--flow", "orders-to-erp", "-c", str(config)])
    assert of_flow.exit_code == 1
    assert "no dead job of orders-to-erp to replay" in plain(of_flow)


# -- finding 9: plain sentences, not tracebacks ----------------------------------------


@pytest.mark.parametrize("scheme", ["postgres", "postgresql+psycopg2", "mysql"])
def test_a_store_url_causeway_cannot_open_is_refused_naming_the_key(
    tmp_path: Path, scheme: str
) -> None:
    url = f"{scheme}://causeway:hunter2@127.0.0.1/causeway"
    config = write_config(tmp_path, store={"url": url})
    result = runner.invoke(app, ["status", "-c", str(config)])
    assert result.exit_code == 2, result.output
    text = plain(result)
    assert "store.url" in text and f"{scheme}://" in text
    assert "postgresql+psycopg://" in text  # the fix
    assert "hunter2" not in text


@pytest.mark.parametrize("command", [["status"], ["replay", "--all"], ["flow", "run", "x"]])
def test_an_unreachable_postgresql_is_one_sentence_naming_the_store(
    tmp_path: Path, command: list[str]
) -> None:
    url = f"postgresql+psycopg://causeway:hunter2@127.0.0.1:{closed_port()}/causeway"
    config = write_config(tmp_path, store={"url": url})
    result = runner.invoke(app, [*command, "-c", str(config)])
    assert result.exit_code == 1, result.output
    text = plain(result)
    assert "the store postgresql+psycopg://causeway:***@127.0.0.1" in text
    assert "start PostgreSQL or fix store.url" in text
    assert "hunter2" not in text


def test_status_on_a_sqlite_path_that_does_not_exist_says_so_and_creates_nothing(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "typo" / "deeper" / "hub.db"
    config = write_config(tmp_path, store={"url": f"sqlite:///{missing}"})
    for command in (["status"], ["replay", "--all"]):
        result = runner.invoke(app, [*command, "-c", str(config)])
        assert result.exit_code == 1, result.output
        assert f"the store {missing} does not exist" in plain(result)
    assert not (tmp_path / "typo").exists()


def test_sync_stock_with_the_erp_unreachable_names_the_system_without_a_traceback(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    result = runner.invoke(app, ["sync", "stock", "-c", str(config)])
    assert result.exit_code == 1, result.output
    text = plain(result)
    assert "erp" in text and "unreachable" in text and "systems.erp.url" in text


def test_flow_run_with_the_erp_unreachable_exits_1_with_the_reason(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = runner.invoke(app, ["flow", "run", "stock-to-channels", "-c", str(config)])
    assert result.exit_code == 1, result.output
    text = plain(result)
    assert "unreachable" in text and "systems.erp.url" in text
