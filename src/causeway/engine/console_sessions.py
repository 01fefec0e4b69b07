"""Console sessions, kept in the store: started at login, found on every request by the
cookie's token, ended at logout, when idle too long or too old, or when the person's
role changes or they are disabled (engine/users.py).

The cookie carries 256 random bits; the store keeps only their SHA-256 (as for API
keys, engine/api_keys.py: a random secret needs no slow hash), so a copy of the store
logs nobody in. Each session has its own CSRF token, which every form and htmx request
of the console sends back (web/console/routing.py checks it): another site can make a
browser send the cookie, never read the token.

Because sessions live in the store, every hub process behind a load balancer knows
them, and a logout or a disabled person takes effect everywhere at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, Table, delete, insert, or_, select, update

from causeway.engine.schema import console_sessions, users
from causeway.engine.store import Store, now

# last_seen_at is written at most this often per session, so that browsing the console
# does not turn every page into a write; the idle timeout is that much less exact.
SEEN_RECORDED_EVERY = 30.0


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lasts: `idle` seconds without a request, `lifetime` at most."""

    idle: float
    lifetime: float


@dataclass(frozen=True)
class Session:
    """A live session and who it is for, as the authenticator needs it."""

    user_id: int
    email: str
    role: str
    csrf_token: str
    created_at: float
    last_seen_at: float


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(store: Store, user_id: int, policy: SessionPolicy, *, at: float | None = None) -> str:
    """A new session for this person: the token for their cookie, the only time it
    exists in clear. Always a new one, so a token planted before login (session
    fixation) is never the one that logs in. Sweeps out expired sessions on the way."""
    return open_session(store, console_sessions, policy, at, user_id=user_id)


def open_session(
    store: Store, table: Table, policy: SessionPolicy, at: float | None, **owner: object
) -> str:
    """A new session row in `table` (the console's, the portal's) for `owner`, with its
    own CSRF token; the table's expired sessions swept out on the way. The cookie's
    token, the only time it exists in clear."""
    at = now() if at is None else at
    token = secrets.token_urlsafe(32)
    with store.transaction() as conn:
        conn.execute(
            delete(table).where(
                or_(
                    table.c.last_seen_at < at - policy.idle,
                    table.c.created_at < at - policy.lifetime,
                )
            )
        )
        conn.execute(
            insert(table).values(
                token_sha256=token_digest(token),
                csrf_token=secrets.token_urlsafe(32),
                created_at=at,
                last_seen_at=at,
                **owner,
            )
        )
    return token


def seen(store: Store, table: Table, digest: str, last_seen_at: float, at: float) -> float:
    """Note that the session was used now, at most every SEEN_RECORDED_EVERY seconds (so
    that browsing is not a write per page); when it was last seen, as recorded."""
    if at - last_seen_at < SEEN_RECORDED_EVERY:
        return last_seen_at
    with store.transaction() as conn:
        conn.execute(update(table).where(table.c.token_sha256 == digest).values(last_seen_at=at))
    return at


def close_session(store: Store, table: Table, token: str) -> bool:
    """The session of this token is gone (True if there was one)."""
    with store.transaction() as conn:
        gone = conn.execute(
            delete(table).where(table.c.token_sha256 == token_digest(token))
        ).rowcount
    return gone > 0


def find(
    store: Store, token: str, policy: SessionPolicy, *, at: float | None = None
) -> Session | None:
    """The live session this token opens, or None (unknown, ended, expired, or its
    person disabled). Using it keeps it alive: the idle timeout starts again."""
    if not token or len(token) > 128:
        return None
    at = now() if at is None else at
    digest = token_digest(token)
    query = (
        select(console_sessions, users.c.email, users.c.role, users.c.disabled_at)
        .join(users, users.c.id == console_sessions.c.user_id)
        .where(console_sessions.c.token_sha256 == digest)
    )
    with store.read() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    if row.disabled_at is not None or expired(row.created_at, row.last_seen_at, policy, at):
        end(store, token)
        return None
    last_seen_at = seen(store, console_sessions, digest, row.last_seen_at, at)
    return Session(row.user_id, row.email, row.role, row.csrf_token, row.created_at, last_seen_at)


def expired(created_at: float, last_seen_at: float, policy: SessionPolicy, at: float) -> bool:
    return at - last_seen_at > policy.idle or at - created_at > policy.lifetime


def end(store: Store, token: str) -> bool:
    """Log out: the session is gone (True if there was one)."""
    return close_session(store, console_sessions, token)


def end_all(conn: Connection, user_id: int) -> int:
    """End every session of this person, inside the caller's transaction (a role change
    or disabling ends them in the same commit). How many ended."""
    return conn.execute(
        delete(console_sessions).where(console_sessions.c.user_id == user_id)
    ).rowcount


def count(store: Store, user_id: int) -> int:
    """How many sessions this person has open (expired ones not yet swept included)."""
    with store.read() as conn:
        rows = conn.execute(
            select(console_sessions.c.token_sha256).where(console_sessions.c.user_id == user_id)
        ).all()
    return len(rows)
