"""`causeway keys create|list|revoke` as an operator uses them: a key is printed once,
with how to use it; lists never show it; revoking works at once; mistakes get one plain
sentence."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from causeway.cli import app
from causeway.engine import api_keys
from causeway.engine.store import Store

runner = CliRunner()
KEY = re.compile(r"cw_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "causeway.yaml"
    erp = {"type": "tryton", "url": "http://127.0.0.1:9", "database": "d", "username": "u",
           "password": "p"}  # fmt: skip
    path.write_text(
        yaml.safe_dump(
            {
                "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
                "server": {"port": 8181},
                "systems": {"erp": erp},
            }
        )
    )
    return path


def keys(config_file: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["keys", *args, "-c", str(config_file)])
    return result.exit_code, result.output


def one_sentence(output: str) -> str:
    text = " ".join(output.split())
    assert "Traceback" not in text and text.count("error:") == 1, output
    return text


def test_a_new_key_is_printed_once_with_how_to_use_it(config_file: Path) -> None:
    code, output = keys(config_file, "create", "--name", "prometheus", "--scope", "read")
    assert code == 0, output
    key = next(line for line in output.splitlines() if KEY.fullmatch(line))
    assert output.count(key) == 2  # alone on its line, to copy, and in the example
    assert "shown only this once" in output
    assert f'curl -H "Authorization: Bearer {key}" http://127.0.0.1:8181/metrics' in output
    store = Store(yaml.safe_load(config_file.read_text())["store"]["url"])
    verified = api_keys.verify(store, key)
    assert verified is not None and (verified.name, verified.scope) == ("prometheus", "read")


def test_a_run_key_is_shown_running_a_flow_and_json_gives_it_to_scripts(
    config_file: Path,
) -> None:
    code, output = keys(config_file, "create", "--name", "cron", "--scope", "run", "--json")
    assert code == 0, output
    made = json.loads(output)
    assert made["name"] == "cron" and made["scope"] == "run"
    assert KEY.fullmatch(made["key"]) and made["key"].startswith(made["prefix"] + "_")
    code, output = keys(config_file, "create", "--name", "cron2", "--scope", "run")
    assert "curl -X POST" in output and "/api/flows/" in output


def test_the_list_shows_each_key_but_never_the_key_itself(config_file: Path) -> None:
    created = []
    for name, scope in (("prometheus", "read"), ("ops", "admin")):
        _, output = keys(config_file, "create", "--name", name, "--scope", scope, "--json")
        created.append(json.loads(output))
    code, table = keys(config_file, "list")
    assert code == 0
    code, listed = keys(config_file, "list", "--json")
    rows = json.loads(listed)
    assert [(r["name"], r["scope"], r["prefix"]) for r in rows] == [
        (c["name"], c["scope"], c["prefix"]) for c in created
    ]
    assert rows[0]["last_used_at"] is None and rows[0]["revoked_at"] is None
    for made in created:
        secret = made["key"].split("_", 2)[2]
        assert made["prefix"] in table
        assert secret not in table and secret not in listed
    assert "never" in table  # not used yet


def test_a_revoked_key_stops_working_and_the_list_says_when(config_file: Path) -> None:
    _, output = keys(config_file, "create", "--name", "laptop", "--scope", "admin", "--json")
    key = json.loads(output)["key"]
    code, output = keys(config_file, "revoke", "laptop")
    assert code == 0 and "revoked API key 'laptop'" in output
    store = Store(yaml.safe_load(config_file.read_text())["store"]["url"])
    assert api_keys.verify(store, key) is None
    (row,) = json.loads(keys(config_file, "list", "--json")[1])
    assert row["revoked_at"] is not None
    code, output = keys(config_file, "revoke", "laptop")
    assert code == 0 and "was already revoked" in output


def test_mistakes_get_one_plain_sentence(config_file: Path) -> None:
    keys(config_file, "create", "--name", "grafana", "--scope", "read")
    code, output = keys(config_file, "create", "--name", "grafana", "--scope", "read")
    assert code == 1
    assert "error: an API key named 'grafana' already exists; choose another name" in (
        one_sentence(output)
    )
    code, output = keys(config_file, "create", "--name", "ops", "--scope", "root")
    assert code == 2
    assert "error: unknown scope 'root': use read, run or admin" in one_sentence(output)
    code, output = keys(config_file, "revoke", "nosuch")
    assert code == 1
    assert "error: no API key named 'nosuch'; `causeway keys list` shows them" in (
        one_sentence(output)
    )
    assert json.loads(keys(config_file, "list", "--json")[1])[0]["name"] == "grafana"
