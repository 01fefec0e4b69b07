"""One-time tokens that portal e-mails carry: an invitation, a password reset, a magic
sign-in link (docs/portal/accounts.md, "Links").

A token is 32 random bytes, handed out once in clear (to be put in the e-mail) and kept
here only as its SHA-256, so that a copy of the store opens no account. Each works for
one purpose, once, until `expires_at` (portal.link_lifetime after it was made); it is
spent by an UPDATE that matches only an unspent, unexpired token, so two requests racing
with the same link cannot both succeed.

`issue` runs in the caller's transaction: the e-mail that carries the token is queued in
that same transaction (engine/mail_outbox.py), so there is never a token without its
e-mail nor an e-mail whose token was rolled back.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from causeway.engine.schema import portal_tokens, portal_users
from causeway.engine.store import Store, now

PURPOSES = ("invite", "reset", "magic")
# Longer than any token issue() makes; anything longer is not worth hashing.
MAX_TOKEN = 128


@dataclass(frozen=True)
class TokenHolder:
    """Whose token it is, as a page about to use it needs to know."""

    user_id: int
    email: str
    purpose: str
    has_password: bool


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_purpose(purpose: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}: use {', '.join(PURPOSES)}")
    return purpose


def issue(
    conn: Connection, user_id: int, purpose: str, lifetime: float, *, at: float | None = None
) -> str:
    """A new token for this person and purpose, in the caller's transaction; the token in
    clear, this one time. Tokens of anyone that expired are forgotten on the way."""
    at = now() if at is None else at
    token = secrets.token_urlsafe(32)
    conn.execute(delete(portal_tokens).where(portal_tokens.c.expires_at < at - 86400.0))
    conn.execute(
        insert(portal_tokens).values(
            token_sha256=digest(token),
            user_id=user_id,
            purpose=_check_purpose(purpose),
            created_at=at,
            expires_at=at + lifetime,
        )
    )
    return token


def _live(conn: Connection, token: str, purpose: str, at: float) -> TokenHolder | None:
    if not token or len(token) > MAX_TOKEN:
        return None
    row = conn.execute(
        select(portal_tokens, portal_users.c.email, portal_users.c.password_hash)
        .join(portal_users, portal_users.c.id == portal_tokens.c.user_id)
        .where(
            portal_tokens.c.token_sha256 == digest(token),
            portal_tokens.c.purpose == _check_purpose(purpose),
            portal_tokens.c.used_at.is_(None),
            portal_tokens.c.expires_at > at,
            portal_users.c.disabled_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    return TokenHolder(row.user_id, row.email, row.purpose, row.password_hash is not None)


def peek(store: Store, token: str, purpose: str, *, at: float | None = None) -> TokenHolder | None:
    """Whose token this is, if it would work now (for this purpose, unspent, unexpired, its
    person not disabled); spends nothing: the page that shows a form calls this."""
    with store.read() as conn:
        return _live(conn, token, purpose, now() if at is None else at)


def spend(
    conn: Connection, token: str, purpose: str, *, at: float | None = None
) -> TokenHolder | None:
    """Use the token, in the caller's transaction: its holder, or None if it does not work
    (unknown, another purpose, spent, expired, its person disabled). Works once."""
    at = now() if at is None else at
    holder = _live(conn, token, purpose, at)
    if holder is None:
        return None
    spent = conn.execute(
        update(portal_tokens)
        .where(
            portal_tokens.c.token_sha256 == digest(token),
            portal_tokens.c.used_at.is_(None),
            portal_tokens.c.expires_at > at,
        )
        .values(used_at=at)
    ).rowcount
    return holder if spent == 1 else None


def spend_all(conn: Connection, user_id: int, *purposes: str, at: float | None = None) -> int:
    """Spend every unspent token of this person for these purposes: once a password is
    set, an older reset or invitation link must not set another."""
    at = now() if at is None else at
    return conn.execute(
        update(portal_tokens)
        .where(
            portal_tokens.c.user_id == user_id,
            portal_tokens.c.purpose.in_([_check_purpose(p) for p in purposes]),
            portal_tokens.c.used_at.is_(None),
        )
        .values(used_at=at)
    ).rowcount
