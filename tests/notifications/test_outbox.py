"""notify() writes the event's e-mail in the caller's transaction, once per (order, event,
occurrence); channels that send their own get none; a suppressed address gets nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from causeway.engine import mail_outbox as outbox
from causeway.engine.store import Store
from causeway.notifications.events import OrderEvent, notify, sends_for
from tests.notifications.conftest import settings

SETTINGS = settings(25)
EVENT = OrderEvent(
    event="shipped",
    order_key="hub-1",
    channel="csv-orders",
    recipient="Buyer@Example.com",
    order_number="1001",
    facts={"carrier": "UPS", "tracking_url": "https://ups.example/t/1Z"},
    occurrence="SHIP-1",
    language="fr",
)


def queued(store: Store) -> list[outbox.OutboxMail]:
    return outbox.latest(store)


def test_the_same_event_twice_queues_one_email(store: Store) -> None:
    with store.transaction() as conn:
        assert notify(conn, SETTINGS, EVENT)
    with store.transaction() as conn:
        assert not notify(conn, SETTINGS, EVENT)  # a replayed event
    (mail,) = queued(store)
    assert (mail.state, mail.recipient, mail.language) == ("pending", "buyer@example.com", "fr")
    assert mail.order_key == "hub-1" and mail.channel == "csv-orders"
    assert "expédiée" in mail.subject and "https://ups.example/t/1Z" in (mail.html_body or "")
    # A second shipment of the same order is an e-mail of its own.
    with store.transaction() as conn:
        assert notify(conn, SETTINGS, replace(EVENT, occurrence="SHIP-2"))
    assert len(queued(store)) == 2


def test_an_event_rolled_back_leaves_no_email(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as conn:
        notify(conn, SETTINGS, EVENT)
        raise RuntimeError("the event's own write failed")
    assert queued(store) == []


@pytest.mark.parametrize(
    ("channels", "channel", "channel_type", "sends"),
    [
        ({}, "portal", None, True),
        ({}, "csv-orders", "files", True),
        ({}, "crm", "hubspot", True),
        ({}, "shop", "shopify", False),  # Shopify e-mails its customers itself
        ({}, "woo", "woocommerce", False),
        ({"shop": True}, "shop", "shopify", True),  # the merchant turned them on
        ({"csv-orders": False}, "csv-orders", "files", False),
    ],
)
def test_which_channels_get_emails(
    channels: dict[str, bool], channel: str, channel_type: str | None, sends: bool
) -> None:
    assert sends_for(settings(25, channels=channels), channel, channel_type) is sends


def test_a_store_that_sends_its_own_gets_nothing(sqlite_store: Store) -> None:
    with sqlite_store.transaction() as conn:
        assert not notify(conn, SETTINGS, replace(EVENT, channel="shop"), channel_type="shopify")
    assert queued(sqlite_store) == []


def test_a_suppressed_address_gets_nothing(store: Store) -> None:
    assert outbox.suppress(store, ["BUYER@example.com "], "bounce", "550 no such user") == (1, 0)
    with store.transaction() as conn:
        assert not notify(conn, SETTINGS, EVENT)
    (mail,) = queued(store)
    assert mail.state == "suppressed"
    assert outbox.claim(store) == []


def test_suppressing_an_address_stops_the_emails_waiting_for_it(store: Store) -> None:
    with store.transaction() as conn:
        notify(conn, SETTINGS, EVENT)
        notify(conn, SETTINGS, replace(EVENT, recipient="other@example.com", order_key="hub-2"))
    assert outbox.suppress(store, ["buyer@example.com"], "complaint") == (1, 1)
    assert outbox.suppress(store, ["buyer@example.com"], "manual") == (0, 0)  # kept as it was
    states = {m.recipient: m.state for m in queued(store)}
    assert states == {"buyer@example.com": "suppressed", "other@example.com": "pending"}
    (first,) = outbox.suppressions(store)
    assert (first.address, first.reason) == ("buyer@example.com", "complaint")
    assert outbox.unsuppress(store, "Buyer@example.com")
    assert not outbox.unsuppress(store, "buyer@example.com")
    assert outbox.suppressions(store) == []
    with pytest.raises(ValueError, match="bounce, complaint, manual"):
        outbox.suppress(store, ["x@example.com"], "spam")


def test_a_claim_is_held_under_its_attempt_so_a_late_sender_changes_nothing(store: Store) -> None:
    with store.transaction() as conn:
        notify(conn, SETTINGS, EVENT)
    (first,) = outbox.claim(store, lease_seconds=-1)  # its lease already ran out
    assert outbox.claim(store, lease_seconds=-1) != []  # so another sender takes it over
    (second,) = outbox.claim(store, lease_seconds=60)
    assert outbox.claim(store) == []  # held: nobody else gets it
    assert not outbox.mark_sent(store, first)  # the first sender's claim is gone
    assert outbox.mark_sent(store, second)
    (mail,) = queued(store)
    assert (mail.state, mail.attempts) == ("sent", 3)
    assert outbox.claim(store, lease_seconds=-1) == []  # sent is never claimed again
