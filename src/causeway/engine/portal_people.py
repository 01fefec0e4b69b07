"""The portal's people: their passwords, signing in, and disabling them
(docs/portal/accounts.md). Companies and memberships are engine/portal_accounts.py's.

Passwords follow the console's rules and hasher (engine/users.py: argon2id, at least
MIN_PASSWORD characters), and a bad sign-in is answered the same way and in about the
same time whatever was wrong: an unknown e-mail, a person without a password yet, a
disabled one, a wrong password, or nobody's company left to act for.

A password is set only with a one-time link (an invitation or a reset:
engine/portal_tokens.py): the token is spent, the password stored, every other link of
those kinds spent and every session of the person ended, in one transaction. Disabling
a person ends their sessions at once. Every change is in the audit log, never a
password or a hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update

from causeway.engine import audit, portal_sessions, portal_tokens
from causeway.engine.portal_tokens import TokenHolder
from causeway.engine.schema import portal_companies, portal_members, portal_users
from causeway.engine.store import Store, now
from causeway.engine.users import (
    _DUMMY_HASH,  # the console's: one dummy hash, one timing for both logins
    HASHER,
    MAX_PASSWORD,
    UserError,
    _verify,
    check_password,
    normalise_email,
)


@dataclass(frozen=True)
class Person:
    """A portal user as pages show them: never their password hash."""

    id: int
    email: str
    name: str
    has_password: bool
    disabled_at: float | None
    last_login_at: float | None

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None


def _person(row: Any) -> Person:
    return Person(
        row.id, row.email, row.name, row.password_hash is not None, row.disabled_at,
        row.last_login_at,
    )  # fmt: skip


def person(store: Store, user_id: int) -> Person | None:
    with store.read() as conn:
        row = conn.execute(select(portal_users).where(portal_users.c.id == user_id)).first()
    return _person(row) if row is not None else None


def find(store: Store, email: str) -> Person | None:
    """The person with this e-mail (any shape of input: None if it is no address)."""
    try:
        address = normalise_email(email)
    except UserError:
        return None
    with store.read() as conn:
        row = conn.execute(select(portal_users).where(portal_users.c.email == address)).first()
    return _person(row) if row is not None else None


def _acts_for_a_company(conn: Connection, user_id: int) -> bool:
    row = conn.execute(
        select(portal_members.c.id)
        .join(portal_companies, portal_companies.c.id == portal_members.c.company_id)
        .where(portal_members.c.user_id == user_id, portal_companies.c.disabled_at.is_(None))
    ).first()
    return row is not None


def authenticate(store: Store, email: str, password: str) -> Person | None:
    """The person these credentials sign in, or None whatever was wrong (see the module's
    docstring), in about the same time. A good sign-in is recorded, and rehashes the
    password when the hasher's parameters changed since it was stored."""
    try:
        address: str | None = normalise_email(email)
    except UserError:
        address = None
    row = None
    if address is not None and len(password) <= MAX_PASSWORD:
        with store.read() as conn:
            row = conn.execute(select(portal_users).where(portal_users.c.email == address)).first()
    if row is None or row.disabled_at is not None or row.password_hash is None:
        _verify(_DUMMY_HASH, password[:MAX_PASSWORD])
        return None
    if not _verify(row.password_hash, password):
        return None
    with store.transaction() as conn:
        if not _acts_for_a_company(conn, row.id):
            return None
        values: dict[str, object] = {"last_login_at": now()}
        if HASHER.check_needs_rehash(row.password_hash):
            values["password_hash"] = HASHER.hash(password)
        conn.execute(update(portal_users).where(portal_users.c.id == row.id).values(**values))
    return _person(row)


def may_sign_in(store: Store, user_id: int) -> bool:
    """Whether this person may sign in at all now: not disabled, and a member of a company
    that is not disabled (a magic link for anyone else sends nothing)."""
    with store.read() as conn:
        row = conn.execute(
            select(portal_users.c.disabled_at).where(portal_users.c.id == user_id)
        ).first()
        return row is not None and row.disabled_at is None and _acts_for_a_company(conn, user_id)


def set_password_with_link(
    store: Store, token: str, purpose: str, password: str
) -> TokenHolder | None:
    """Set a new password with an invitation or reset link: its holder, or None when the
    link does not work (then nothing changed). A password that is not good enough raises
    UserError and spends nothing, so the person can try another with the same link."""
    if purpose not in ("invite", "reset"):
        raise ValueError(f"a password is set with an invitation or a reset link, not {purpose!r}")
    password_hash = HASHER.hash(check_password(password))
    with store.transaction() as conn:
        holder = portal_tokens.spend(conn, token, purpose)
        if holder is None:
            return None
        conn.execute(
            update(portal_users)
            .where(portal_users.c.id == holder.user_id)
            .values(password_hash=password_hash, last_login_at=now())
        )
        portal_tokens.spend_all(conn, holder.user_id, "invite", "reset")
        portal_sessions.end_all(conn, holder.user_id)
        audit.record(
            conn, actor=holder.email, action="portal.user.set_password",
            subject=f"portal-user:{holder.email}", before=None,
            after={"password": "set", "with": purpose},
        )  # fmt: skip
    return holder


def sign_in_with_link(store: Store, token: str) -> TokenHolder | None:
    """Spend a magic sign-in link: its holder (who may now be given a session), or None."""
    with store.transaction() as conn:
        holder = portal_tokens.spend(conn, token, "magic")
        if holder is None or not _acts_for_a_company(conn, holder.user_id):
            return None
        conn.execute(
            update(portal_users)
            .where(portal_users.c.id == holder.user_id)
            .values(last_login_at=now())
        )
    return holder


def disable(store: Store, user_id: int, *, actor: str) -> bool:
    """The person can no longer sign in (in any company), and every session of theirs
    ends now; False when they were disabled already (the first date is kept)."""
    return _set_disabled(store, user_id, now(), actor=actor, action="portal.user.disable")


def enable(store: Store, user_id: int, *, actor: str) -> bool:
    """A disabled person may sign in again (their password and memberships are kept)."""
    return _set_disabled(store, user_id, None, actor=actor, action="portal.user.enable")


def _set_disabled(
    store: Store, user_id: int, disabled_at: float | None, *, actor: str, action: str
) -> bool:
    with store.transaction() as conn:
        row = conn.execute(select(portal_users).where(portal_users.c.id == user_id)).first()
        if row is None:
            raise UserError(f"there is no portal user {user_id}")
        if (row.disabled_at is None) == (disabled_at is None):
            return False
        conn.execute(
            update(portal_users).where(portal_users.c.id == user_id).values(disabled_at=disabled_at)
        )
        portal_sessions.end_all(conn, user_id)
        audit.record(
            conn, actor=actor, action=action, subject=f"portal-user:{row.email}",
            before={"disabled": row.disabled_at is not None},
            after={"disabled": disabled_at is not None},
        )  # fmt: skip
    return True
