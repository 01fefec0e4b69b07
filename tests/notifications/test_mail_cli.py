"""`causeway mail suppress|unsuppress|suppressions|outbox` as an operator uses them: a
suppression stops the e-mails waiting for the address, is audited, and a mistake gets one
plain sentence and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from causeway.cli import app
from causeway.engine import audit, mail_outbox
from causeway.engine.store import Store
from causeway.notifications.events import OrderEvent, notify
from tests.notifications.conftest import settings

runner = CliRunner()


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "causeway.yaml"
    files = {"type": "files", "folder": str(tmp_path / "drop")}
    store = {"url": f"sqlite:///{tmp_path / 'hub.db'}"}
    path.write_text(yaml.safe_dump({"store": store, "systems": {"csv": files}}))
    Store(store["url"]).dispose()  # made and migrated, as `causeway run` would
    return path


def mail(config_file: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["mail", *args, "-c", str(config_file)])
    return result.exit_code, " ".join(result.output.split())


def test_suppressing_an_address_stops_its_waiting_emails(tmp_path: Path, config_file: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    event = OrderEvent(
        event="confirmed", order_key="h1", channel="csv", recipient="gone@customer.example",
        order_number="1001",
    )  # fmt: skip
    with store.transaction() as conn:
        notify(conn, settings(25), event)
    code, said = mail(config_file, "suppress", "Gone@Customer.example", "--reason", "bounce")
    assert code == 0, said
    assert "suppressed 1 address(es)" in said and "1 waiting e-mail(s) will not be sent" in said
    assert [m.state for m in mail_outbox.latest(store)] == ["suppressed"]
    code, listed = mail(config_file, "suppressions", "--json")
    assert code == 0 and "gone@customer.example" in listed
    listing = runner.invoke(app, ["mail", "outbox", "--json", "-c", str(config_file)]).output
    assert [row["state"] for row in json.loads(listing)] == ["suppressed"]
    code, said = mail(config_file, "unsuppress", "gone@customer.example")
    assert code == 0 and "gets e-mails again" in said
    assert [e.action for e in audit.recent(store)] == ["mail.unsuppress", "mail.suppress"]
    store.dispose()


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["suppress", "not-an-address", "--reason", "bounce"], "not e-mail addresses"),
        (["suppress", "a@customer.example", "--reason", "spam"], "--reason must be"),
        (["unsuppress", "never@customer.example"], "is not suppressed"),
        (["outbox", "--state", "lost"], "--state must be one of"),
    ],
)
def test_mistakes_get_one_plain_sentence(config_file: Path, args: list[str], why: str) -> None:
    code, said = mail(config_file, *args)
    assert code != 0 and why in said and "Traceback" not in said
