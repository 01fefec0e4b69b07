"""The e-mail outbox crash test: a hub process killed (SIGKILL) after an order event was
committed with its e-mail, and before the e-mail was sent, delivers it exactly once after
a restart.

The hub is caught in the middle: its sender has claimed the e-mail and is connected to an
SMTP server that accepted the connection and never answers. The kill leaves the e-mail
claimed; after the restart it waits out the dead sender's lease, then goes, once."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from causeway.engine import mail_outbox as outbox
from causeway.engine.store import Store
from causeway.notifications.events import OrderEvent, notify
from causeway_sandbox.localserver import HubProcess, free_port
from tests.notifications.conftest import Silent, settings, smtp

LEASE = 3.0


def hub_config(tmp_path: Path, smtp_port: int) -> dict[str, Any]:
    return {
        "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
        "server": {"port": free_port()},
        "workers": {"count": 1},
        # A drop folder and no flow: this hub only sends e-mails.
        "systems": {"csv-orders": {"type": "files", "folder": str(tmp_path / "drop")}},
        "notifications": {
            "enabled": True,
            "smtp": {"host": "127.0.0.1", "port": smtp_port, "security": "none", "timeout": "60s"},
            "sender": "orders@shop.example",
            "merchant": "Acme Supplies",
            "lease": f"{LEASE}s",
            "poll_every": "0.2s",
            "retry_base": "0.5s",
        },
    }


def wait_for(what: str, check: Any, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.1)
    raise AssertionError(f"not seen within {timeout}s: {what}")


def test_a_hub_killed_between_the_event_and_the_send_delivers_the_email_once(
    tmp_path: Path,
) -> None:
    silent = Silent()
    hub = HubProcess(tmp_path, hub_config(tmp_path, silent.port))
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        hub.start()
        event = OrderEvent(
            event="confirmed",
            order_key="hub-crash-1",
            channel="csv-orders",
            recipient="buyer@customer.example",
            order_number="CSV-1001",
            facts={"erp_number": "SO-77"},
        )
        with store.transaction() as conn:  # the event and its e-mail, one commit
            assert notify(conn, settings(25), event)
        # The hub claims it and waits on a server that never answers: then it dies.
        wait_for("the e-mail claimed", lambda: outbox.latest(store)[0].state == "sending")
        wait_for("the hub connected", lambda: silent.held)
        hub.kill()
        assert [(m.state, m.attempts) for m in outbox.latest(store)] == [("sending", 1)]
        silent.close()
        with smtp() as (port, mailbox):
            hub.config_path.write_text(
                hub.config_path.read_text().replace(f"port: {silent.port}", f"port: {port}")
            )
            killed_at = time.time()
            hub.start()
            (message,) = mailbox.wait_for(lambda m: "CSV-1001" in str(m["Subject"]))
            # Not before the dead sender's lease ran out: two processes never hold one.
            assert time.time() >= killed_at + LEASE - 1
            time.sleep(LEASE + 1)  # long enough for a second copy, were there one
            assert len(mailbox.messages) == 1
        (mail,) = outbox.latest(store)
        assert (mail.state, mail.attempts) == ("sent", 2)
        assert message["Message-ID"].startswith(f"<causeway.{mail.id}.")
        assert "SO-77" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    finally:
        hub.stop()
        silent.close()
        store.dispose()


def test_a_hub_killed_while_the_server_is_down_sends_once_it_is_back(tmp_path: Path) -> None:
    with smtp() as (port, _):
        pass  # nothing listens on `port` now
    hub = HubProcess(tmp_path, hub_config(tmp_path, port))
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        hub.start()
        with store.transaction() as conn:
            event = OrderEvent(
                event="cancelled",
                order_key="hub-crash-2",
                channel="portal",
                recipient="buyer@customer.example",
                order_number="PO-2",
            )
            assert notify(conn, settings(25), event)
        wait_for("a failed try", lambda: (outbox.latest(store)[0].last_error or "").strip())
        hub.kill()
        assert outbox.latest(store)[0].state in ("pending", "sending")
        from aiosmtpd.controller import Controller

        from tests.mailbox import Mailbox

        mailbox = Mailbox()
        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            hub.start()
            mailbox.wait_for(lambda m: "PO-2" in str(m["Subject"]), timeout=LEASE + 15)
            time.sleep(1.5)
            assert len(mailbox.messages) == 1
        finally:
            controller.stop()
        assert outbox.latest(store)[0].state == "sent"
    finally:
        hub.stop()
        store.dispose()
