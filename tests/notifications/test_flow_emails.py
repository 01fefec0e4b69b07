"""Order e-mails from the flows, against the real Tryton: a CSV order dropped in a folder
becomes a confirmed Tryton sale, and in the same transaction its customer's `confirmed`
e-mail is queued; the hub's sender delivers it to a real SMTP server, once, however often
the same order is dropped again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.engine import entities
from causeway.engine import mail_outbox as outbox
from causeway.hub import Hub
from causeway.notifications.sender import MailSender
from causeway_sandbox.tryton.server import TrytonServer
from tests.mailbox import Mailbox
from tests.notifications.conftest import smtp

pytestmark = pytest.mark.tryton

HEADER = "order_number,ordered_at,email,customer_name,sku,quantity,unit_price,currency\n"


@pytest.fixture
def mail_server() -> Iterator[tuple[int, Mailbox]]:
    with smtp() as server:
        yield server


def config(
    tmp_path: Path, erp: TrytonServer, prefix: str, port: int, channels: dict[str, bool]
) -> dict[str, Any]:
    return {
        "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
        "workers": {"lease": "3s", "backoff_base": "200ms", "backoff_cap": "1s", "max_attempts": 2},
        "systems": {
            "csv": {"type": "files", "folder": str(tmp_path / "drop")},
            "erp": {
                "type": "tryton",
                "url": erp.url,
                "database": erp.database,
                "username": erp.username,
                "password": erp.password,
            },
        },
        "flows": {
            "orders-to-erp": {"source": "csv", "target": "erp", "reference_prefix": prefix},
            "files-exchange": {"source": "csv", "target": "erp"},
        },
        "notifications": {
            "enabled": True,
            "smtp": {"host": "127.0.0.1", "port": port, "security": "none", "timeout": "5s"},
            "sender": "orders@acme.example",
            "merchant": "Acme Supplies",
            "channels": channels,
        },
    }


def placed(hub: Hub) -> list[tuple[str, dict[str, Any]]]:
    """The hub's order records (hub id, summary)."""
    with hub.store.read() as conn:
        return entities.newest(conn, "order", 10)


def drop_and_exchange(hub: Hub, name: str, content: str) -> None:
    folder = Path(hub.config.systems["csv"].folder) / "in"  # type: ignore[union-attr]
    (folder / name).write_text(content)
    (folder / f"{name}.done").touch()
    hub.run_flow("files-exchange")
    hub.new_worker().run_until_idle(timeout=120)


def test_a_csv_order_placed_in_tryton_sends_its_confirmed_email_once(
    tmp_path: Path,
    tryton_server: TrytonServer,
    unique: str,
    mail_server: tuple[int, Mailbox],
) -> None:
    port, mailbox = mail_server
    prefix = f"m{unique[:6]}-"
    hub = Hub(parse_config(config(tmp_path, tryton_server, prefix, port, {}), env={}))
    email = f"Buyer-{unique}@Customer.example"
    order = HEADER + (
        f"5001,2026-12-01T09:30:00Z,{email},Ann <b>Lee</b>,WID-001,3,10.00,USD\n"
        "5001,,,,GAD-001,2,25.00,\n"
    )
    try:
        hub.store.migrate()
        drop_and_exchange(hub, "orders.csv", order)
        (mail,) = outbox.latest(hub.store)
        assert (mail.event, mail.state, mail.channel) == ("confirmed", "pending", "csv")
        assert mail.recipient == email.lower()
        assert "5001" in mail.subject
        # The same order dropped again (a re-sent export) is no new sale and no new e-mail.
        drop_and_exchange(hub, "orders-again.csv", order)
        assert len(outbox.latest(hub.store)) == 1

        MailSender(hub.store, hub.config.notifications).send_due()
        (message,) = mailbox.wait_for(lambda m: email.lower() in str(m["To"]))
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert "Dear Ann <b>Lee</b>" in text and "Ann &lt;b&gt;Lee&lt;/b&gt;" in html
        assert "WID-001" in text and "GAD-001" in text
        assert outbox.latest(hub.store)[0].state == "sent"
        ((_, summary),) = placed(hub)
        assert f"(our reference {summary['erp_number']})" in text  # the Tryton sale's number
    finally:
        hub.stop()


def test_a_channel_turned_off_gets_no_email(
    tmp_path: Path,
    tryton_server: TrytonServer,
    unique: str,
    mail_server: tuple[int, Mailbox],
) -> None:
    port, _ = mail_server
    prefix = f"n{unique[:6]}-"
    settings = config(tmp_path, tryton_server, prefix, port, {"csv": False})
    hub = Hub(parse_config(settings, env={}))
    try:
        hub.store.migrate()
        line = f"6001,2026-12-01T09:30:00Z,off-{unique}@customer.example,Bo,WID-001,1,10.00,USD\n"
        drop_and_exchange(hub, "orders.csv", HEADER + line)
        assert [s["erp_state"] in ("confirmed", "processing") for _, s in placed(hub)] == [True]
        assert outbox.latest(hub.store) == []
    finally:
        hub.stop()
