"""`causeway users ...` as an admin uses them: a password asked twice and never echoed
(or read from standard input by a script), the list never showing a hash, a role
change or a disabled person taking effect at once, and mistakes in one sentence."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from causeway.cli import app
from causeway.engine import users
from causeway.engine.store import Store

runner = CliRunner()
PASSWORD = "correct horse battery"


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "causeway.yaml"
    erp = {"type": "tryton", "url": "http://127.0.0.1:9", "database": "d", "username": "u",
           "password": "p"}  # fmt: skip
    path.write_text(
        yaml.safe_dump(
            {"store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"}, "systems": {"erp": erp}}
        )
    )
    return path


@pytest.fixture
def store(config_file: Path) -> Store:
    return Store(yaml.safe_load(config_file.read_text())["store"]["url"])


def cli(config_file: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["users", *args, "-c", str(config_file)], input=stdin)
    return result.exit_code, result.output


def one_sentence(output: str) -> str:
    text = " ".join(output.split())
    assert "Traceback" not in text and text.count("error:") == 1, output
    return text


def test_a_person_is_added_with_a_password_typed_twice(config_file: Path, store: Store) -> None:
    code, output = cli(
        config_file, "add", "Ada@Example.com", "--role", "admin", stdin=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert code == 0, output
    assert "ada@example.com can now log in to the console as admin" in output
    assert PASSWORD not in output  # the prompt does not echo it
    user = users.authenticate(store, "ada@example.com", PASSWORD)
    assert user is not None and user.role == "admin"


def test_two_different_passwords_change_nothing(config_file: Path, store: Store) -> None:
    code, output = cli(
        config_file, "add", "ada@example.com", "--role", "admin",
        stdin=f"{PASSWORD}\nsomething else entirely\n",
    )  # fmt: skip
    assert code == 2
    assert "error: the two passwords differ; nothing was changed" in one_sentence(output)
    assert users.list_users(store) == []


def test_a_script_gives_the_password_on_standard_input(config_file: Path, store: Store) -> None:
    code, output = cli(
        config_file, "add", "ci@example.com", "--role", "viewer", "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )  # fmt: skip
    assert code == 0, output
    assert users.authenticate(store, "ci@example.com", PASSWORD) is not None


def test_the_list_shows_everyone_but_never_a_password_or_hash(
    config_file: Path, store: Store
) -> None:
    for email, role in (("ada@example.com", "admin"), ("bob@example.com", "viewer")):
        cli(config_file, "add", email, "--role", role, "--password-stdin", stdin=PASSWORD)
    code, table = cli(config_file, "list")
    assert code == 0 and "ada@example.com" in table and "never" in table
    rows = json.loads(cli(config_file, "list", "--json")[1])
    assert [(r["email"], r["role"]) for r in rows] == [
        ("ada@example.com", "admin"),
        ("bob@example.com", "viewer"),
    ]
    assert "argon2" not in table + json.dumps(rows) and PASSWORD not in table


def test_role_disable_and_password_changes_take_effect_at_once(
    config_file: Path, store: Store
) -> None:
    cli(
        config_file,
        "add",
        "bob@example.com",
        "--role",
        "viewer",
        "--password-stdin",
        stdin=PASSWORD,
    )
    code, output = cli(config_file, "set-role", "BOB@example.com", "operator")
    assert code == 0 and "bob@example.com is now operator" in output
    assert "already was operator" in cli(config_file, "set-role", "bob@example.com", "operator")[1]
    new = "another long passphrase"
    code, output = cli(config_file, "set-password", "bob@example.com", stdin=f"{new}\n{new}\n")
    assert code == 0 and "has a new password" in output
    assert users.authenticate(store, "bob@example.com", new) is not None
    code, output = cli(config_file, "disable", "bob@example.com")
    assert code == 0 and "can no longer log in" in output
    assert users.authenticate(store, "bob@example.com", new) is None
    assert "was already disabled" in cli(config_file, "disable", "bob@example.com")[1]
    assert "can log in again" in cli(config_file, "enable", "bob@example.com")[1]


def test_changes_are_audited_as_the_operating_system_user(config_file: Path, store: Store) -> None:
    from causeway.engine import audit

    cli(
        config_file,
        "add",
        "bob@example.com",
        "--role",
        "viewer",
        "--password-stdin",
        stdin=PASSWORD,
    )
    cli(config_file, "set-password", "bob@example.com", "--password-stdin", stdin=PASSWORD + "!")
    entries = audit.recent(store)
    assert {e.actor for e in entries} == {f"cli:{getpass.getuser()}"}
    assert {e.action for e in entries} == {"user.add", "user.set_password"}
    assert PASSWORD not in repr(entries) and "argon2" not in repr(entries)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("add", "nobody", "--role", "admin"), "", "'nobody' is not an e-mail address"),
        (
            ("add", "a@b.io", "--role", "root"),
            "",
            "unknown role 'root': use viewer, operator, admin",
        ),
        (("add", "a@b.io", "--role", "admin", "--password-stdin"), "short\n", "too short"),
        (("set-role", "eve@b.io", "admin"), None, "nobody logs in as 'eve@b.io'"),
        (("set-password", "eve@b.io"), None, "nobody logs in as 'eve@b.io'"),
        (("disable", "eve@b.io"), None, "`causeway users list` shows who does"),
    ],
)
def test_mistakes_get_one_plain_sentence(
    config_file: Path, args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    code, output = cli(config_file, *args, stdin=stdin)
    assert code == 2
    assert message in one_sentence(output)
