"""The outbox: every e-mail is a row, written in the transaction of the event it tells
of, so that an event without its e-mail (or an e-mail without its event) cannot be
committed. The sender (notifications/sender.py) sends each pending row once; `dedupe_key` makes a
replayed event queue nothing new: an order's `shipped` e-mail is keyed by the order,
the event and the shipment, an account e-mail by its one-time token.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from causeway.engine import audit
from causeway.engine.schema import mail_outbox, mail_suppressions
from causeway.engine.store import Store, now


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
        insert(mail_outbox)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(mail_outbox.c.id)  # rowcount is not to be trusted with RETURNING (psycopg)
    )
    added = conn.execute(statement).first() is not None
    return added and not suppressed


# -- sending (notifications/sender.py) ---------------------------------------------------
PENDING, SENDING, SENT, FAILED, SUPPRESSED = "pending", "sending", "sent", "failed", "suppressed"
STATES = (PENDING, SENDING, SENT, FAILED, SUPPRESSED)
SUPPRESSION_REASONS = ("bounce", "complaint", "manual")


@dataclass(frozen=True)
class OutboxMail:
    """A row of the outbox as the sender and the console see it."""

    id: int
    dedupe_key: str
    event: str
    recipient: str
    subject: str
    text_body: str
    html_body: str | None
    state: str
    attempts: int  # claims so far; the claim's own number is its fencing token
    next_attempt_at: float
    last_error: str | None
    created_at: float
    sent_at: float | None
    channel: str | None
    order_key: str | None
    language: str | None


def _mail(row: Any) -> OutboxMail:
    return OutboxMail(**{name: getattr(row, name) for name in OutboxMail.__dataclass_fields__})


def claim(store: Store, *, limit: int = 10, lease_seconds: float = 120.0) -> list[OutboxMail]:
    """Take up to `limit` due e-mails to send: pending ones whose time has come, and ones
    another sender claimed and never finished (its lease, kept in next_attempt_at, ran out:
    the process died). Each claim counts an attempt, and that count is the claim's token:
    mark_sent and mark_failed only touch a row still held under it, so a sender whose
    lease ran out cannot overwrite what the next one did. On PostgreSQL two processes skip
    each other's rows (SKIP LOCKED); SQLite serialises the claims with its write lock."""
    stamp = now()
    with store.transaction() as conn:
        query = (
            select(mail_outbox.c.id)
            .where(mail_outbox.c.state.in_((PENDING, SENDING)))
            .where(mail_outbox.c.next_attempt_at <= stamp)
            .order_by(mail_outbox.c.next_attempt_at, mail_outbox.c.id)
            .limit(limit)
        )
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(conn.execute(query).scalars())
        if not ids:
            return []
        conn.execute(
            update(mail_outbox)
            .where(mail_outbox.c.id.in_(ids))
            .values(
                state=SENDING,
                attempts=mail_outbox.c.attempts + 1,
                next_attempt_at=stamp + lease_seconds,
            )
        )
        rows = conn.execute(select(mail_outbox).where(mail_outbox.c.id.in_(ids)))
        return sorted((_mail(r) for r in rows), key=lambda m: m.id)


def _held(mail: OutboxMail) -> ColumnElement[bool]:
    return and_(
        mail_outbox.c.id == mail.id,
        mail_outbox.c.state == SENDING,
        mail_outbox.c.attempts == mail.attempts,
    )


def mark_sent(store: Store, mail: OutboxMail) -> bool:
    """The server accepted it: never send it again. False if the claim was lost."""
    with store.transaction() as conn:
        done = conn.execute(
            update(mail_outbox)
            .where(_held(mail))
            .values(state=SENT, sent_at=now(), last_error=None)
        )
        return done.rowcount > 0


def mark_failed(store: Store, mail: OutboxMail, error: str, *, retry_at: float | None) -> str:
    """This try failed: due again at `retry_at`, or `failed` for good (None). Returns the
    state the row is left in ("" if the claim was lost)."""
    state = PENDING if retry_at is not None else FAILED
    values: dict[str, Any] = {"state": state, "last_error": error[:2000]}
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    with store.transaction() as conn:
        done = conn.execute(update(mail_outbox).where(_held(mail)).values(**values))
        return state if done.rowcount > 0 else ""


def retry(store: Store, mail_id: int, *, actor: str | None = None) -> bool:
    """A failed e-mail goes out again now, with its full number of tries."""
    with store.transaction() as conn:
        done = conn.execute(
            update(mail_outbox)
            .where(mail_outbox.c.id == mail_id, mail_outbox.c.state == FAILED)
            .values(state=PENDING, attempts=0, next_attempt_at=now())
        ).rowcount
        if done and actor is not None:
            audit.record(conn, actor=actor, action="mail.retry", subject=f"mail:{mail_id}")
        return done > 0


def latest(store: Store, *, state: str | None = None, limit: int = 100) -> list[OutboxMail]:
    """The newest e-mails first, of one state or all."""
    query = select(mail_outbox).order_by(mail_outbox.c.id.desc()).limit(limit)
    if state:
        query = query.where(mail_outbox.c.state == state)
    with store.read() as conn:
        return [_mail(r) for r in conn.execute(query)]


def get(store: Store, mail_id: int) -> OutboxMail | None:
    with store.read() as conn:
        row = conn.execute(select(mail_outbox).where(mail_outbox.c.id == mail_id)).first()
    return _mail(row) if row else None


def of_order(store: Store, order_key: str) -> list[OutboxMail]:
    """An order's e-mails, oldest first (for its page and the tests)."""
    query = select(mail_outbox).where(mail_outbox.c.order_key == order_key)
    with store.read() as conn:
        return [_mail(r) for r in conn.execute(query.order_by(mail_outbox.c.id))]


def counts(store: Store) -> dict[str, int]:
    query = select(mail_outbox.c.state, func.count()).group_by(mail_outbox.c.state)
    with store.read() as conn:
        found = {state: int(n) for state, n in conn.execute(query)}
    return {state: found.get(state, 0) for state in STATES}


# -- suppression: bounces, complaints, requests ------------------------------------------
@dataclass(frozen=True)
class Suppression:
    address: str
    reason: str
    detail: str | None
    created_at: float


def suppress(
    store: Store,
    addresses: Iterable[str],
    reason: str,
    detail: str | None = None,
    *,
    actor: str | None = None,
) -> tuple[int, int]:
    """Never write to these addresses again: (addresses newly suppressed, e-mails that were
    waiting for them and are now `suppressed`). An address suppressed already keeps its
    first reason."""
    if reason not in SUPPRESSION_REASONS:
        raise ValueError(f"reason must be one of {', '.join(SUPPRESSION_REASONS)}, not {reason!r}")
    wanted = sorted({a.strip().lower() for a in addresses if a.strip()})
    if not wanted:
        return 0, 0
    stamp = now()
    added = stopped = 0
    with store.transaction() as conn:
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        for start in range(0, len(wanted), 500):  # bound the statement's parameters
            chunk = wanted[start : start + 500]
            rows = [
                {"address": a, "reason": reason, "detail": detail, "created_at": stamp}
                for a in chunk
            ]
            statement = (
                insert(mail_suppressions)
                .values(rows)
                .on_conflict_do_nothing()
                .returning(mail_suppressions.c.address)
            )
            added += len(conn.execute(statement).all())
            stopped += conn.execute(
                update(mail_outbox)
                .where(mail_outbox.c.recipient.in_(chunk), mail_outbox.c.state == PENDING)
                .values(state=SUPPRESSED, last_error=f"address suppressed ({reason})")
            ).rowcount
        if actor is not None:
            subject = wanted[0] if len(wanted) == 1 else f"{len(wanted)} addresses"
            after = {"reason": reason, "added": added, "emails_stopped": stopped}
            audit.record(
                conn, actor=actor, action="mail.suppress", subject=subject, after=after, note=detail
            )
    return added, stopped


def unsuppress(store: Store, address: str, *, actor: str | None = None) -> bool:
    """Write to the address again (e-mails suppressed meanwhile stay unsent)."""
    address = address.strip().lower()
    with store.transaction() as conn:
        gone = conn.execute(
            delete(mail_suppressions).where(mail_suppressions.c.address == address)
        ).rowcount
        if gone and actor is not None:
            audit.record(conn, actor=actor, action="mail.unsuppress", subject=address)
        return gone > 0


def suppressions(store: Store, *, limit: int = 500) -> list[Suppression]:
    query = select(mail_suppressions).order_by(mail_suppressions.c.created_at.desc()).limit(limit)
    with store.read() as conn:
        return [
            Suppression(r.address, r.reason, r.detail, r.created_at) for r in conn.execute(query)
        ]


def is_suppressed(store: Store, address: str) -> bool:
    query = select(mail_suppressions.c.address).where(
        mail_suppressions.c.address == address.strip().lower()
    )
    with store.read() as conn:
        return conn.execute(query).first() is not None


def release(store: Store, mail: OutboxMail) -> bool:
    """Give back a claimed e-mail that was not tried: due now, the claim not counted."""
    with store.transaction() as conn:
        done = conn.execute(
            update(mail_outbox)
            .where(_held(mail))
            .values(state=PENDING, attempts=mail.attempts - 1, next_attempt_at=now())
        )
        return done.rowcount > 0


def mark_suppressed(store: Store, mail: OutboxMail) -> bool:
    """Its address was suppressed while it was claimed: it is never sent."""
    with store.transaction() as conn:
        done = conn.execute(
            update(mail_outbox)
            .where(_held(mail))
            .values(state=SUPPRESSED, last_error="address suppressed")
        )
        return done.rowcount > 0


def record_test_email(
    store: Store, *, actor: str, address: str, event: str, language: str, error: str | None
) -> None:
    """The audit log keeps every test e-mail an operator sent, and what became of it."""
    with store.transaction() as conn:
        audit.record(
            conn,
            actor=actor,
            action="mail.test",
            subject=address,
            after={"event": event, "language": language, "sent": error is None},
            note=error,
        )
