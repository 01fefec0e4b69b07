"""People who log in to the console: added, listed, given a role, disabled, and their
passwords checked here and nowhere else (the `users` table is the engine's).

A person is known by their e-mail, lower-cased, and holds one role (viewer, operator or
admin: access/permissions.py says what each grants). Passwords are kept only as
argon2id hashes (argon2-cffi's PasswordHasher, its RFC 9106 parameters): slow on
purpose, because people choose passwords an attacker can guess, and slowness limits the
guesses per second against a stolen copy of the store. When those parameters change (a
newer argon2-cffi, or ours), the next good login stores a new hash.

Every change is written to the audit log (engine/audit.py) in the same transaction,
never with a password or a hash. Disabling a person or changing their role ends their
sessions at once: a role is what a session grants, so it never outlives a change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from causeway.access.permissions import ROLES
from causeway.engine import audit, console_sessions
from causeway.engine.schema import users
from causeway.engine.store import Store, now

MIN_PASSWORD = 12
# argon2 hashes any length, but a megabyte of "password" is a cheap way to burn CPU.
MAX_PASSWORD = 1024
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

HASHER = PasswordHasher()  # argon2id, time 3, memory 64 MiB, parallelism 4
# Checked against when the e-mail is unknown or disabled, so that a bad login takes
# the same time whether or not the person exists.
_DUMMY_HASH = HASHER.hash("not anyone's password")


@dataclass(frozen=True)
class User:
    """A person as lists show them: never their password hash."""

    id: int
    email: str
    role: str
    created_at: float
    disabled_at: float | None
    last_login_at: float | None

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None


class UserError(ValueError):
    """A request about people that cannot be done; the message says why and what to do."""


def normalise_email(email: str) -> str:
    """The login as stored: trimmed and lower-cased, and shaped like an address."""
    address = email.strip().lower()
    if len(address) > 254 or not _EMAIL.fullmatch(address):
        raise UserError(f"{email.strip()!r} is not an e-mail address (name@example.com)")
    return address


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: use {', '.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    """The password, if it is one worth keeping; else why not."""
    if len(password) < MIN_PASSWORD:
        raise UserError(
            f"the password is too short: use at least {MIN_PASSWORD} characters "
            "(a few words are easier to remember than symbols)"
        )
    if len(password) > MAX_PASSWORD:
        raise UserError(f"the password is too long: use at most {MAX_PASSWORD} characters")
    if not password.strip():
        raise UserError("the password is only spaces")
    return password


def _user(row: Any) -> User:
    return User(row.id, row.email, row.role, row.created_at, row.disabled_at, row.last_login_at)


def _described(user: User) -> dict[str, object]:
    """What the audit log keeps of a person: never a password or its hash."""
    return {"email": user.email, "role": user.role, "disabled": user.disabled}


def add(store: Store, email: str, role: str, password: str, *, actor: str) -> User:
    """A new person with this role and initial password."""
    address, role = normalise_email(email), check_role(role)
    password_hash = HASHER.hash(check_password(password))
    created_at = now()
    try:
        with store.transaction() as conn:
            new_id = conn.execute(
                insert(users).values(
                    email=address, role=role, password_hash=password_hash, created_at=created_at
                )
            ).inserted_primary_key
            user = User(int(new_id[0]), address, role, created_at, None, None)  # type: ignore[index]
            audit.record(
                conn, actor=actor, action="user.add", subject=f"user:{address}",
                before=None, after=_described(user),
            )  # fmt: skip
    except IntegrityError:
        raise UserError(
            f"{address} already has a login; `causeway users list` shows it "
            "(a disabled one stays, so that the audit log keeps naming them)"
        ) from None
    return user


def find(store: Store, email: str) -> User | None:
    try:
        address = normalise_email(email)
    except UserError:
        return None
    with store.read() as conn:
        row = conn.execute(select(users).where(users.c.email == address)).first()
    return _user(row) if row else None


def get(store: Store, email: str) -> User:
    """The person with this e-mail, or an error saying how to find who exists."""
    user = find(store, email)
    if user is None:
        raise UserError(
            f"nobody logs in as {email.strip()!r}; `causeway users list` shows who does"
        )
    return user


def list_users(store: Store) -> list[User]:
    with store.read() as conn:
        rows = conn.execute(select(users).order_by(users.c.email)).all()
    return [_user(row) for row in rows]


def authenticate(store: Store, email: str, password: str) -> User | None:
    """The active person these credentials belong to, or None, whatever was wrong:
    unknown e-mail, disabled, or wrong password take the same time and the same answer.
    A good login is recorded, and rehashes the password if the hasher's parameters
    changed since it was stored."""
    try:
        address = normalise_email(email)
    except UserError:
        address = None
    row = None
    if address is not None and len(password) <= MAX_PASSWORD:
        with store.read() as conn:
            row = conn.execute(select(users).where(users.c.email == address)).first()
    if row is None or row.disabled_at is not None:
        _verify(_DUMMY_HASH, password[:MAX_PASSWORD])
        return None
    if not _verify(row.password_hash, password):
        return None
    logged_in_at = now()
    values: dict[str, object] = {"last_login_at": logged_in_at}
    if HASHER.check_needs_rehash(row.password_hash):
        values["password_hash"] = HASHER.hash(password)
    with store.transaction() as conn:
        conn.execute(update(users).where(users.c.id == row.id).values(**values))
    return replace(_user(row), last_login_at=logged_in_at)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_role(store: Store, email: str, role: str, *, actor: str) -> tuple[User, bool]:
    """Give the person another role; their sessions end (they log in again with it).
    Returns the person and whether anything changed."""
    role = check_role(role)
    return _change(store, email, actor, "user.set_role", {"role": role})


def disable(store: Store, email: str, *, actor: str) -> tuple[User, bool]:
    """The person can no longer log in, and every session of theirs ends now."""
    return _change(store, email, actor, "user.disable", {"disabled_at": now()})


def enable(store: Store, email: str, *, actor: str) -> tuple[User, bool]:
    """A disabled person can log in again (with their old password)."""
    return _change(store, email, actor, "user.enable", {"disabled_at": None})


def set_password(store: Store, email: str, password: str, *, actor: str) -> User:
    """A new password; every session of theirs ends (whoever knew the old one is out)."""
    password_hash = HASHER.hash(check_password(password))
    user = get(store, email)
    with store.transaction() as conn:
        conn.execute(update(users).where(users.c.id == user.id).values(password_hash=password_hash))
        console_sessions.end_all(conn, user.id)
        audit.record(
            conn, actor=actor, action="user.set_password", subject=f"user:{user.email}",
            before=None, after={"password": "changed"},
        )  # fmt: skip
    return user


def _change(
    store: Store, email: str, actor: str, action: str, values: dict[str, object]
) -> tuple[User, bool]:
    user = get(store, email)
    with store.transaction() as conn:
        row = conn.execute(select(users).where(users.c.id == user.id)).one()
        current = {name: getattr(row, name) for name in values}
        if action == "user.disable" and row.disabled_at is not None:
            return _user(row), False  # disabled already: keep when it was
        if current == values:
            return _user(row), False
        conn.execute(update(users).where(users.c.id == user.id).values(**values))
        after = _user(conn.execute(select(users).where(users.c.id == user.id)).one())
        if _is_admin(_user(row)) and not _is_admin(after) and not _admins(conn):
            raise UserError(
                f"{user.email} is the last admin who can log in: make someone else admin "
                "first, so that somebody can still manage people"
            )
        console_sessions.end_all(conn, user.id)
        _audit(conn, actor, action, _user(row), after)
    return after, True


def _is_admin(user: User) -> bool:
    return user.role == "admin" and not user.disabled


def _admins(conn: Connection) -> int:
    """How many admins can log in (as the transaction sees it)."""
    rows = conn.execute(
        select(users.c.id).where(users.c.role == "admin", users.c.disabled_at.is_(None))
    ).all()
    return len(rows)


def _audit(conn: Connection, actor: str, action: str, before: User, after: User) -> None:
    audit.record(
        conn, actor=actor, action=action, subject=f"user:{after.email}",
        before=_described(before), after=_described(after),
    )  # fmt: skip
