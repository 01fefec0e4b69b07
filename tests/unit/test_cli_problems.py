"""`causeway problems ...`: the Problems page at a terminal, audited as cli:<os user>."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from causeway.cli import app
from causeway.engine import audit
from causeway.engine.audit import cli_actor
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue
from causeway.engine.store import Store
from causeway.errors import UnknownSkuError
from causeway.flows.orders_to_erp.flow import order_job
from tests.unit.shopify_payloads import rest_order
from tests.unit.test_cli import ENV, example_hub

runner = CliRunner()


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return example_hub(tmp_path)


def park_an_order(config_file: Path) -> int:
    """A Shopify order from the example's store `shop`, parked for an unknown SKU."""
    url = yaml.safe_load(config_file.read_text())["store"]["url"]
    store = Store(url)
    queue = JobQueue(store)
    inbox = Inbox(store, queue, lambda record, inbox_id: [order_job("shop", record, inbox_id)])
    body = rest_order()
    inbox.accept(
        [
            InboxRecord(
                "shop", "e1", "orders/create", f"order:{body['id']}", json.dumps(body).encode()
            )
        ]
    )
    (job,) = queue.claim("w", ["orders-to-erp"])
    queue.kill(
        job, "w", "unknown SKU IPOD2008GREEN", cause=UnknownSkuError(["IPOD2008GREEN"], "erp")
    )
    store.dispose()
    return job.id


def audited(config_file: Path) -> list[audit.AuditEntry]:
    store = Store(yaml.safe_load(config_file.read_text())["store"]["url"])
    try:
        return list(reversed(audit.recent(store)))
    finally:
        store.dispose()


def cli(config_file: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["problems", *args, "-c", str(config_file)], env=ENV)


def test_list_shows_the_class_naming_the_sku_and_filters(config_file: Path) -> None:
    job_id = park_an_order(config_file)
    listed = cli(config_file, "list")
    assert listed.exit_code == 0, listed.output
    assert "unknown product: 1" in listed.output
    assert f"{job_id}  unknown product [IPOD2008GREEN]  orders-to-erp  shop" in listed.output
    assert "no parked jobs match" in cli(config_file, "list", "--class", "rate_limit").output
    assert "no parked jobs match" in cli(config_file, "list", "--older-than", "1d").output
    wrong = cli(config_file, "list", "--class", "nonsense")
    assert wrong.exit_code == 2 and "unknown_product" in wrong.output


def test_show_prints_the_error_and_the_record_as_json(config_file: Path) -> None:
    job_id = park_an_order(config_file)
    shown = cli(config_file, "show", str(job_id))
    assert shown.exit_code == 0, shown.output
    assert "class: unknown product (SKU IPOD2008GREEN)" in shown.output
    assert '"sku": "IPOD2008GREEN"' in shown.output


def test_assign_resolve_and_replay_are_audited_as_the_os_user(config_file: Path) -> None:
    job_id = park_an_order(config_file)
    assert cli(config_file, "assign", str(job_id), "--to", "ana@example.com").exit_code == 0
    assert "ana@example.com" in cli(config_file, "list", "--assignee", "ana@example.com").output
    assert cli(config_file, "replay", str(job_id), "999").exit_code == 0
    again = cli(config_file, "replay", str(job_id))
    assert again.exit_code == 1 and "nothing replayed" in again.output
    trail = audited(config_file)
    assert [e.action for e in trail] == ["job.assign", "job.replay"]
    assert {e.actor for e in trail} == {cli_actor()}
    assert cli_actor().startswith("cli:")


def test_resolve_needs_a_note_and_closes_the_job(config_file: Path) -> None:
    job_id = park_an_order(config_file)
    empty = cli(config_file, "resolve", str(job_id), "--note", " ")
    assert empty.exit_code == 1 and "needs a note" in empty.output
    done = cli(config_file, "resolve", str(job_id), "--note", "booked by hand")
    assert done.exit_code == 0 and "will not run" in done.output
    assert "no parked jobs" in cli(config_file, "list").output
    assert "resolved by cli:" in cli(config_file, "show", str(job_id)).output


def test_edit_validates_with_the_flow_then_replays(config_file: Path, tmp_path: Path) -> None:
    job_id = park_an_order(config_file)
    broken = copy.deepcopy(rest_order())
    broken["line_items"][0]["quantity"] = "abc"
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    refused = cli(config_file, "edit", str(job_id), "--file", str(tmp_path / "broken.json"))
    assert refused.exit_code == 1
    assert "line_items.0.quantity" in refused.output and "nothing changed" in refused.output

    fixed = copy.deepcopy(rest_order())
    fixed["line_items"][0]["sku"] = "IPOD-GREEN"
    (tmp_path / "fixed.json").write_text(json.dumps(fixed))
    done = cli(config_file, "edit", str(job_id), "--file", str(tmp_path / "fixed.json"))
    assert done.exit_code == 0, done.output
    assert 'line_items.0.sku: "IPOD2008GREEN" -> "IPOD-GREEN"' in done.output
    assert "no parked jobs" in cli(config_file, "list").output


def test_the_old_replay_command_still_works_and_is_audited(config_file: Path) -> None:
    job_id = park_an_order(config_file)
    result = runner.invoke(app, ["replay", str(job_id), "-c", str(config_file)], env=ENV)
    assert result.exit_code == 0 and "replayed 1 job" in result.output
    assert [e.action for e in audited(config_file)] == ["job.replay"]
