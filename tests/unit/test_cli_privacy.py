"""`causeway erase` and `causeway privacy export` as an operator runs them."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import yaml

from causeway.cli import app
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.store import Store
from tests.unit.test_cli import ENV, example_hub, runner

ORDER = {
    "id": 4401,
    "name": "#4401",
    "email": "ines.quarry@example.net",
    "customer": {"id": 77, "email": "ines.quarry@example.net", "first_name": "Ines"},
    "shipping_address": {"first_name": "Ines", "last_name": "Quarry", "address1": "9 Fern Way"},
}


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """The example hub, having received Ines's order."""
    path = example_hub(tmp_path)
    store = Store(yaml.safe_load(path.read_text())["store"]["url"])
    queue = JobQueue(store)
    inbox = Inbox(store, queue, lambda r, i: [NewJob("orders-to-erp", "shop:order:4401", {})])
    body = json.dumps(ORDER).encode()
    inbox.accept([InboxRecord("shop", "evt-1", "orders/create", "order:4401", body)])
    store.dispose()
    return path


def stored_body(config_file: Path) -> str:
    store = Store(yaml.safe_load(config_file.read_text())["store"]["url"])
    stored = Inbox(store, JobQueue(store), lambda r, i: []).get(1)
    store.dispose()
    assert stored is not None
    return stored.body.decode()


def test_erase_says_what_it_changed_and_what_it_cannot_erase(config_file: Path) -> None:
    args = ["erase", "--email", "ines.quarry@example.net", "-c", str(config_file)]
    refused = runner.invoke(app, args, env=ENV, input="n\n")
    assert refused.exit_code == 1 and "Quarry" in stored_body(config_file)

    result = runner.invoke(app, [*args, "--yes"], env=ENV)
    assert result.exit_code == 0, result.output
    assert "received payloads (inbox): 1 changed" in result.output
    assert "Not erased by this command" in result.output
    assert "shop (shopify)" in result.output and "erp (tryton)" in result.output
    body = stored_body(config_file)
    assert "ines" not in body.lower() and "Quarry" not in body and "Fern" not in body

    again = runner.invoke(app, [*args, "--yes"], env=ENV)
    assert again.exit_code == 0
    assert "nothing changed" in again.output


def test_erase_by_a_systems_customer_id(config_file: Path) -> None:
    result = runner.invoke(
        app, ["erase", "--customer", "shop:77", "--yes", "-c", str(config_file)], env=ENV
    )
    assert result.exit_code == 0, result.output
    assert "ines.quarry" not in stored_body(config_file)


def test_erase_needs_someone_or_a_known_system(config_file: Path) -> None:
    nobody = runner.invoke(app, ["erase", "--yes", "-c", str(config_file)], env=ENV)
    assert nobody.exit_code == 2 and "--email" in nobody.output
    unknown = runner.invoke(app, ["erase", "--system", "nope", "-c", str(config_file)], env=ENV)
    assert unknown.exit_code == 2 and "no system named 'nope'" in unknown.output


def test_export_writes_a_private_file_with_their_data(config_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "exports"
    args = ["privacy", "export", "--email", "INES.QUARRY@example.net", "--output", str(out)]
    result = runner.invoke(app, [*args, "-c", str(config_file)], env=ENV)
    assert result.exit_code == 0, result.output
    (path,) = out.iterdir()
    assert str(path) in result.output.replace("\n", "")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert "ines" not in path.name.lower()  # a file name is no place for personal data
    data = json.loads(path.read_text())
    (received,) = data["hub"]["inbox"]
    assert received["body"]["shipping_address"]["address1"] == "9 Fern Way"
    assert data["person"]["emails"] == ["ines.quarry@example.net"]
    assert "shop:77" in data["person"]["customer_ids"]


def test_an_erasure_removes_the_exports_that_hold_the_person(
    config_file: Path, tmp_path: Path
) -> None:
    data = yaml.safe_load(config_file.read_text())
    data["flows"]["privacy-requests"] = {"exports_folder": str(tmp_path / "exports")}
    config_file.write_text(yaml.safe_dump(data))
    who = ["--email", "ines.quarry@example.net", "-c", str(config_file)]
    assert runner.invoke(app, ["privacy", "export", *who], env=ENV).exit_code == 0
    assert len(list((tmp_path / "exports").iterdir())) == 1

    result = runner.invoke(app, ["erase", *who, "--yes"], env=ENV)
    assert "privacy exports: 1 changed" in result.output
    assert list((tmp_path / "exports").iterdir()) == []


def test_no_privacy_command_creates_a_store_at_a_mistyped_path(
    config_file: Path, tmp_path: Path
) -> None:
    data = yaml.safe_load(config_file.read_text())
    data["store"]["url"] = f"sqlite:///{tmp_path / 'typo' / 'hub.db'}"
    config_file.write_text(yaml.safe_dump(data))
    for args in (
        ["prune"],
        ["erase", "--email", "a@b.co", "--yes"],
        ["privacy", "export", "--email", "a@b.co"],
    ):
        result = runner.invoke(app, [*args, "-c", str(config_file)], env=ENV)
        assert result.exit_code == 1 and "does not exist" in result.output, result.output
    assert not (tmp_path / "typo").exists()
