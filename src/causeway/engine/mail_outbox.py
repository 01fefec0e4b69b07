"""The outbox: every e-mail is a row, written in the transaction of the event it tells
of, so that an event without its e-mail (or an e-mail without its event) cannot be
committed. The sender (notifications/sender.py) sends each pending row once; `dedupe_key` makes a
replayed event queue nothing new: an order's `shipped` e-mail is keyed by the order,
the event and the shipment, an account e-mail by its one-time token.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from causeway.engine.schema import mail_outbox, mail_suppressions
from causeway.engine.store import now


@dataclass(frozen=True)
class Mail:
    """One e-mail to queue: rendered already (templates.py), text and HTML."""

    dedupe_key: str
    event: str  # confirmed, shipped, ..., or an account e-mail: invite, reset, magic_link
    recipient: str
    subject: str
    text_body: str
    html_body: str | None = None
    channel: str | None = None  # the system the order came from (portal, a store, ...)
    order_key: str | None = None  # the hub's order id, for the order page and the console
    language: str | None = None


def queue(conn: Connection, mail: Mail) -> bool:
    """Queue the e-mail in the caller's transaction; False when one with its dedupe key is
    queued already (a replayed event), or the address is suppressed (it is then queued
    as `suppressed`, never sent, so the console shows why nothing went out)."""
    recipient = mail.recipient.strip().lower()
    suppressed = conn.execute(
        select(mail_suppressions.c.address).where(mail_suppressions.c.address == recipient)
    ).first()
    values = {
        "dedupe_key": mail.dedupe_key,
        "channel": mail.channel,
        "order_key": mail.order_key,
        "event": mail.event,
        "recipient": recipient,
        "language": mail.language,
        "subject": mail.subject,
        "text_body": mail.text_body,
        "html_body": mail.html_body,
        "state": "suppressed" if suppressed else "pending",
        "attempts": 0,
        "next_attempt_at": now(),
        "created_at": now(),
    }
    dialect = conn.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(mail_outbox).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    added = conn.execute(statement).rowcount > 0
    return added and not suppressed
