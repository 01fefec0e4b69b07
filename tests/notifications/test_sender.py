"""The sender against a real SMTP server (aiosmtpd): multipart e-mails with a fixed
Message-ID, STARTTLS and TLS on connect with a certificate made for the test, login,
retries with backoff when the server refuses, `failed` after the last try or a permanent
refusal, timeouts against a server that never answers."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from causeway.engine import mail_outbox as outbox
from causeway.engine.store import Store
from causeway.notifications.events import OrderEvent, notify
from causeway.notifications.sender import MailSender, build_message
from tests.notifications.conftest import Certificate, Refusing, Silent, settings, smtp

EVENT = OrderEvent(
    event="shipped",
    order_key="hub-7",
    channel="csv-orders",
    recipient="buyer@customer.example",
    order_number="1007",
    facts={"carrier": "UPS", "tracking_url": "https://ups.example/t/1Z7", "customer_name": "Bo"},
    occurrence="SHIP-7",
)


def queue(store: Store, event: OrderEvent = EVENT, **changes: Any) -> None:
    with store.transaction() as conn:
        assert notify(conn, settings(25), replace(event, **changes))


def only(store: Store) -> outbox.OutboxMail:
    (mail,) = outbox.latest(store)
    return mail


def test_an_email_is_sent_as_multipart_alternative_and_marked_sent(sqlite_store: Store) -> None:
    queue(sqlite_store)
    with smtp() as (port, mailbox):
        config = settings(port, reply_to="help@shop.example", sender_name="Acme Orders")
        sender = MailSender(sqlite_store, config)
        assert sender.send_due() == 1
        (message,) = mailbox.messages
    assert sender.send_due() == 0  # sent: never again
    mail = only(sqlite_store)
    assert (mail.state, mail.attempts, mail.last_error) == ("sent", 1, None)
    assert mail.sent_at is not None
    assert message["From"] == "Acme Orders <orders@shop.example>"
    assert message["To"] == "buyer@customer.example"
    assert message["Reply-To"] == "help@shop.example"
    assert message["Subject"] == mail.subject == "Acme Supplies: order 1007 has shipped"
    assert message["Date"] and message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].startswith(f"<causeway.{mail.id}.")
    assert message["Message-ID"].endswith("@shop.example>")
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    assert "https://ups.example/t/1Z7" in text.get_content()
    assert 'href="https://ups.example/t/1Z7"' in html.get_content()


def test_starttls_with_login(sqlite_store: Store, certificate: Certificate) -> None:
    from aiosmtpd.smtp import AuthResult

    logins: list[tuple[str, str]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> Any:
        logins.append((auth.login.decode(), auth.password.decode()))
        return AuthResult(success=auth.password == b"s3cret")

    queue(sqlite_store)
    server = {
        "tls_context": certificate.server_context(),
        "require_starttls": True,
        "authenticator": authenticator,
        "auth_required": True,
    }
    with smtp(**server) as (port, mailbox):
        tls = {"security": "starttls", "ca_file": str(certificate.cert)}
        config = settings(port, smtp=tls | {"username": "hub", "password": "s3cret"})
        MailSender(sqlite_store, config).send_due()
        assert len(mailbox.messages) == 1
    assert logins == [("hub", "s3cret")]
    assert only(sqlite_store).state == "sent"


def test_tls_on_connect(sqlite_store: Store, certificate: Certificate) -> None:
    queue(sqlite_store)
    with smtp(ssl_context=certificate.server_context()) as (port, mailbox):
        config = settings(port, smtp={"security": "tls", "ca_file": str(certificate.cert)})
        MailSender(sqlite_store, config).send_due()
        assert len(mailbox.messages) == 1
    assert only(sqlite_store).state == "sent"


def test_a_certificate_the_hub_does_not_trust_sends_nothing(
    sqlite_store: Store, certificate: Certificate
) -> None:
    queue(sqlite_store)
    with smtp(ssl_context=certificate.server_context()) as (port, mailbox):
        MailSender(sqlite_store, settings(port, smtp={"security": "tls"})).send_due()
        assert mailbox.messages == []
    mail = only(sqlite_store)
    assert mail.state == "pending" and "CERTIFICATE_VERIFY_FAILED" in (mail.last_error or "")


def test_starttls_is_required_when_asked_for(sqlite_store: Store) -> None:
    """A server (or a man in the middle) that does not offer STARTTLS gets nothing."""
    queue(sqlite_store)
    with smtp() as (port, mailbox):  # no TLS at all
        MailSender(sqlite_store, settings(port, smtp={"security": "starttls"})).send_due()
        assert mailbox.messages == []
    mail = only(sqlite_store)
    assert mail.state == "pending"
    assert "does not offer STARTTLS: refusing to send in the clear" in (mail.last_error or "")


def test_a_refusing_server_is_retried_with_backoff_until_it_accepts(sqlite_store: Store) -> None:
    queue(sqlite_store)
    with smtp(Refusing(refusals=1)) as (port, mailbox):
        sender = MailSender(sqlite_store, settings(port, retry_base=0.3, max_attempts=3))
        started = time.time()
        sender.send_due()
        mail = only(sqlite_store)
        assert (mail.state, mail.attempts) == ("pending", 1)
        assert mail.last_error == "451 4.3.0 Try again later"
        assert mail.next_attempt_at >= started + 0.3
        assert sender.send_due() == 0  # not due yet: the backoff holds
        time.sleep(0.35)
        assert sender.send_due() == 1
        assert len(mailbox.messages) == 1
    mail = only(sqlite_store)
    assert (mail.state, mail.attempts, mail.last_error) == ("sent", 2, None)


def test_the_backoff_doubles_up_to_its_cap(sqlite_store: Store) -> None:
    sender = MailSender(sqlite_store, settings(25, retry_base=30, retry_cap=100, max_attempts=9))
    now = time.time()
    waits = [round((sender.retry_at(n) or 0) - now) for n in (1, 2, 3, 4, 5)]
    assert waits == [30, 60, 100, 100, 100]
    assert sender.retry_at(9) is None


def test_after_the_last_try_the_email_is_failed_with_the_servers_answer(
    sqlite_store: Store,
) -> None:
    queue(sqlite_store)
    with smtp(Refusing(refusals=99)) as (port, mailbox):
        sender = MailSender(sqlite_store, settings(port, retry_base=0.01, max_attempts=3))
        for _ in range(3):
            time.sleep(0.05)
            sender.send_due()
        assert mailbox.messages == []
    mail = only(sqlite_store)
    assert (mail.state, mail.attempts) == ("failed", 3)
    assert mail.last_error == "451 4.3.0 Try again later"
    # An operator retries it (the console's button) once the server is fixed.
    assert outbox.retry(sqlite_store, mail.id)
    with smtp() as (port, mailbox):
        MailSender(sqlite_store, settings(port)).send_due()
        assert len(mailbox.messages) == 1
    assert only(sqlite_store).state == "sent"


def test_a_permanent_refusal_fails_at_once_and_the_next_email_still_goes(
    sqlite_store: Store,
) -> None:
    queue(sqlite_store)
    queue(sqlite_store, recipient="good@customer.example", order_key="hub-8")
    refusing = Refusing(refusals=1, answer="550 5.1.1 No such user")
    with smtp(refusing) as (port, mailbox):
        MailSender(sqlite_store, settings(port)).send_due()
        assert [str(m["To"]) for m in mailbox.messages] == ["good@customer.example"]
    states = {m.recipient: (m.state, m.last_error) for m in outbox.latest(sqlite_store)}
    assert states == {
        "buyer@customer.example": ("failed", "550 5.1.1 No such user"),
        "good@customer.example": ("sent", None),
    }


def test_a_server_that_never_answers_times_out(sqlite_store: Store) -> None:
    queue(sqlite_store)
    silent = Silent()
    try:
        sender = MailSender(sqlite_store, settings(silent.port, smtp={"timeout": 0.5}))
        started = time.monotonic()
        sender.send_due()
        assert time.monotonic() - started < 3
    finally:
        silent.close()
    mail = only(sqlite_store)
    assert mail.state == "pending" and "timed out" in (mail.last_error or "")


def test_a_server_that_is_down_leaves_the_email_pending(sqlite_store: Store) -> None:
    queue(sqlite_store)
    with smtp() as (port, _):
        pass  # started and stopped: nothing listens on the port now
    MailSender(sqlite_store, settings(port)).send_due()
    mail = only(sqlite_store)
    assert mail.state == "pending" and "ConnectionRefusedError" in (mail.last_error or "")


def test_an_address_suppressed_after_its_email_was_claimed_gets_nothing(
    sqlite_store: Store,
) -> None:
    """Two e-mails to one address are claimed together; a bounce arrives while the first
    is on its way: the second is checked again before it goes, and is not sent."""
    queue(sqlite_store)
    queue(sqlite_store, occurrence="SHIP-8")

    def bounce_meanwhile(mail: outbox.OutboxMail) -> None:
        outbox.suppress(sqlite_store, [mail.recipient], "bounce")

    with smtp() as (port, mailbox):
        sender = MailSender(sqlite_store, settings(port), before_send=bounce_meanwhile)
        assert sender.send_due() == 2
        assert len(mailbox.messages) == 1
    assert [m.state for m in outbox.latest(sqlite_store)] == ["suppressed", "sent"]


def test_every_try_of_one_email_carries_the_same_message_id(sqlite_store: Store) -> None:
    """The one window (a crash between the server's 250 and the commit) sends a second copy
    after the lease: it is recognisable as the same e-mail."""
    queue(sqlite_store)
    queue(sqlite_store, occurrence="SHIP-8")
    first, other = outbox.claim(sqlite_store, lease_seconds=-1)
    (again, _) = outbox.claim(sqlite_store)  # the lease ran out: claimed anew
    config = settings(25)
    assert again.attempts == 2
    assert build_message(config, first)["Message-ID"] == build_message(config, again)["Message-ID"]
    assert build_message(config, first)["Message-ID"] != build_message(config, other)["Message-ID"]


def test_two_senders_never_send_one_email_twice(store: Store) -> None:
    """Three senders, two threads each, on one outbox (SQLite's write lock, PostgreSQL's
    SKIP LOCKED): thirty e-mails, thirty messages, thirty Message-IDs."""
    sqlite_store = store
    for n in range(30):
        queue(sqlite_store, order_key=f"hub-{n}")
    with smtp() as (port, mailbox):
        import threading

        senders = [MailSender(sqlite_store, settings(port)) for _ in range(3)]
        threads = [threading.Thread(target=s.send_due) for s in senders for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        while MailSender(sqlite_store, settings(port)).send_due():
            pass
        ids = sorted(str(m["Message-ID"]) for m in mailbox.messages)
    assert len(ids) == 30 and len(set(ids)) == 30
    assert {m.state for m in outbox.latest(sqlite_store)} == {"sent"}
