"""Portal sessions, kept in the store like the console's (engine/console_sessions.py):
a random token in the cookie, only its SHA-256 here, a CSRF token per session, idle and
absolute timeouts. Each session also holds the company its person acts for now; a
person with access to two companies switches, and every page then shows that one's.

A session ends when its person is disabled or loses their membership of the company
it acts for: find() checks both on every request.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, select, update

from causeway.engine.console_sessions import (
    SessionPolicy,
    close_session,
    expired,
    open_session,
    seen,
    token_digest,
)
from causeway.engine.schema import portal_companies, portal_members, portal_sessions, portal_users
from causeway.engine.store import Store, now


@dataclass(frozen=True)
class PortalSession:
    """A live session: who, for which company, with which role there."""

    user_id: int
    email: str
    company_id: int
    role: str
    csrf_token: str


def start(
    store: Store, user_id: int, company_id: int, policy: SessionPolicy, *, at: float | None = None
) -> str:
    """A new session (always a new token: no fixation); the token, the one time in clear."""
    return open_session(store, portal_sessions, policy, at, user_id=user_id, company_id=company_id)


def find(
    store: Store, token: str, policy: SessionPolicy, *, at: float | None = None
) -> PortalSession | None:
    """The live session this token opens, or None (unknown, ended, expired, its person
    disabled, its company disabled, or the person no longer a member of it)."""
    if not token or len(token) > 128:
        return None
    at = now() if at is None else at
    digest = token_digest(token)
    query = (
        select(
            portal_sessions,
            portal_users.c.email,
            portal_users.c.disabled_at,
            portal_members.c.role,
            portal_companies.c.disabled_at.label("company_disabled_at"),
        )
        .join(portal_users, portal_users.c.id == portal_sessions.c.user_id)
        .join(
            portal_members,
            and_(
                portal_members.c.user_id == portal_sessions.c.user_id,
                portal_members.c.company_id == portal_sessions.c.company_id,
            ),
            isouter=True,
        )
        .join(portal_companies, portal_companies.c.id == portal_sessions.c.company_id, isouter=True)
        .where(portal_sessions.c.token_sha256 == digest)
    )
    with store.read() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    if (
        expired(row.created_at, row.last_seen_at, policy, at)
        or row.disabled_at is not None
        or row.role is None
        or row.company_disabled_at
    ):
        end(store, token)
        return None
    seen(store, portal_sessions, digest, row.last_seen_at, at)
    return PortalSession(row.user_id, row.email, row.company_id, row.role, row.csrf_token)


def switch_company(store: Store, token: str, company_id: int) -> bool:
    """Act for another company of the same person: False (nothing changed) unless they
    are a member of it."""
    digest = token_digest(token)
    with store.transaction() as conn:
        row = conn.execute(
            select(portal_sessions.c.user_id).where(portal_sessions.c.token_sha256 == digest)
        ).first()
        if row is None:
            return False
        member = conn.execute(
            select(portal_members.c.id).where(
                portal_members.c.user_id == row.user_id, portal_members.c.company_id == company_id
            )
        ).first()
        if member is None:
            return False
        conn.execute(
            update(portal_sessions)
            .where(portal_sessions.c.token_sha256 == digest)
            .values(company_id=company_id)
        )
    return True


def end(store: Store, token: str) -> bool:
    return close_session(store, portal_sessions, token)


def end_all(conn: Connection, user_id: int) -> int:
    """End every session of this person, in the caller's transaction."""
    return conn.execute(
        delete(portal_sessions).where(portal_sessions.c.user_id == user_id)
    ).rowcount
