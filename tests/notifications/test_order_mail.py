"""What the flows' order e-mails read from the hub's order record: the recipient, the order
number, the ERP number and the channel the order came from (so a Shopify order gets none
by default); and the hub runs its sender only when e-mails are on, and stops it."""

from __future__ import annotations

from pathlib import Path

from causeway.engine import entities, links
from causeway.engine import mail_outbox as outbox
from causeway.engine.store import Store
from causeway.hub import Hub
from causeway.notifications.order_mail import OrderMail
from tests.console.conftest import console_hub
from tests.notifications.conftest import settings

TYPES = {"shop": "shopify", "csv": "files", "crm": "hubspot"}


def order(store: Store, hub_id: str, system: str, source_type: str, **summary: str) -> None:
    with store.transaction() as conn:
        links.save(conn, hub_id=hub_id, system=system, entity_type=source_type, external_id=hub_id)
        entities.merge(conn, hub_id, summary, entity_type="order")


def test_an_order_e_mail_is_addressed_from_the_hubs_order_record(sqlite_store: Store) -> None:
    order(
        sqlite_store, "h-csv", "csv", "order",
        email="ann@customer.example", number="1001", erp_number="SO-9", total="30.00",
        currency="USD",
    )  # fmt: skip
    order(sqlite_store, "h-deal", "crm", "deal", email="bo@customer.example", number="D-7")
    order(sqlite_store, "h-shop", "shop", "order", email="cy@customer.example", number="#1")
    order(sqlite_store, "h-none", "csv", "order", number="1002")  # no e-mail address
    mail = OrderMail(settings(25), TYPES)
    with sqlite_store.transaction() as conn:
        assert mail.send(conn, "h-csv", "invoice_issued", occurrence="INV-1",
                         facts={"invoice_number": "INV-1"})  # fmt: skip
        assert mail.send(conn, "h-deal", "shipped")
        assert not mail.send(conn, "h-shop", "shipped", occurrence="S1")  # Shopify sends its own
        assert not mail.send(conn, "h-none", "cancelled")
        assert not mail.send(conn, "h-unknown", "cancelled")  # no order record at all
        assert not mail.send(conn, "h-csv", "invoice_issued", occurrence="INV-1")  # again
    sent = {m.order_key: m for m in outbox.latest(sqlite_store)}
    assert set(sent) == {"h-csv", "h-deal"}
    invoice = sent["h-csv"]
    assert (invoice.recipient, invoice.channel) == ("ann@customer.example", "csv")
    assert invoice.subject == "Acme Supplies: invoice INV-1 for order 1001"
    assert "30.00 USD" in invoice.text_body
    assert sent["h-deal"].channel == "crm" and "D-7" in sent["h-deal"].subject


def test_nothing_is_read_or_queued_while_emails_are_off(sqlite_store: Store) -> None:
    order(sqlite_store, "h-csv", "csv", "order", email="ann@customer.example", number="1")
    mail = OrderMail(settings(25, enabled=False), TYPES)
    with sqlite_store.transaction() as conn:
        assert not mail.send(conn, "h-csv", "confirmed")
    assert outbox.latest(sqlite_store) == []


def sender_threads(hub: Hub) -> list[str]:
    return [t.name for t in hub._threads if t.name == "mail-sender"]


def test_the_hub_runs_its_sender_only_when_emails_are_on(tmp_path: Path) -> None:
    off = console_hub(tmp_path / "off")
    off.start(workers=0, scheduler=False, ingress=False)
    assert sender_threads(off) == []
    off.stop()
    on = console_hub(tmp_path / "on", notifications={"enabled": True, "poll_every": "0.1s"})
    on.start(workers=0, scheduler=False, ingress=False)
    (thread,) = [t for t in on._threads if t.name == "mail-sender"]
    assert thread.is_alive()
    on.stop(timeout=5)
    assert not thread.is_alive()
