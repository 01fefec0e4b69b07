"""API keys for the hub's HTTP API: created, listed, revoked and verified here, and
nowhere else (the `api_keys` table is the engine's).

A key reads `cw_<public id>_<secret>`. `cw_<public id>` is its **prefix**: not secret,
shown by `causeway keys list` so that an operator can tell which key a client holds,
and what a presented key is looked up by. The secret is 256 random bits and only its
SHA-256 is stored, so neither the store nor a copy of it can give a key away.

Why SHA-256 and not a password hash (argon2, bcrypt): those are slow on purpose because
people choose passwords an attacker can guess, and slowness limits the guesses per
second against a stolen hash. A 256-bit random secret cannot be guessed at any speed,
so one fast hash protects it as well, and checking a key costs microseconds instead of
tens of milliseconds of CPU on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from causeway.engine.schema import api_keys
from causeway.engine.store import Store, now

KEY_TAG = "cw"
# last_used_at is written at most this often per key, so that reading with a key
# does not turn every request into a write.
USE_RECORDED_EVERY = 60.0
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_PUBLIC_ID = re.compile(r"[0-9a-f]{12}")


@dataclass(frozen=True)
class ApiKey:
    """A stored key as lists show it: never its secret."""

    name: str
    prefix: str
    scope: str
    created_at: float
    last_used_at: float | None
    revoked_at: float | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class ApiKeyError(ValueError):
    """A request about keys that cannot be done; the message says why and what to do."""


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _key(row: Any) -> ApiKey:
    return ApiKey(row.name, row.prefix, row.scope, row.created_at, row.last_used_at, row.revoked_at)


def create(store: Store, name: str, scope: str) -> tuple[ApiKey, str]:
    """A new key with this name and scope, and the key itself: the only time it exists
    in clear. The caller checks the scope (access/permissions.py)."""
    if not _NAME.fullmatch(name):
        raise ApiKeyError(
            f"{name!r} is not a usable key name: use up to 64 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit"
        )
    for _ in range(3):  # a clash of two random 48-bit public ids: draw again
        public_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        prefix = f"{KEY_TAG}_{public_id}"
        created_at = now()
        row = {
            "name": name,
            "prefix": prefix,
            "secret_sha256": _sha256(secret),
            "scope": scope,
            "created_at": created_at,
        }
        try:
            with store.transaction() as conn:
                conn.execute(insert(api_keys).values(**row))
        except IntegrityError:
            if (existing := find(store, name)) is not None:
                state = " (revoked, names stay taken)" if existing.revoked else ""
                raise ApiKeyError(
                    f"an API key named {name!r} already exists{state}; choose another name"
                ) from None
            continue
        return ApiKey(name, prefix, scope, created_at, None, None), f"{prefix}_{secret}"
    raise RuntimeError("could not draw an unused key prefix three times running")


def find(store: Store, name: str) -> ApiKey | None:
    with store.read() as conn:
        row = conn.execute(select(api_keys).where(api_keys.c.name == name)).first()
    return _key(row) if row else None


def list_keys(store: Store) -> list[ApiKey]:
    with store.read() as conn:
        rows = conn.execute(select(api_keys).order_by(api_keys.c.id)).all()
    return [_key(row) for row in rows]


def revoke(store: Store, name: str) -> tuple[ApiKey, bool]:
    """Revoke the key named `name` at once: the key, and whether this call revoked it
    (False: it already was, and nothing changed)."""
    with store.transaction() as conn:
        changed = conn.execute(
            update(api_keys)
            .where(api_keys.c.name == name, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=now())
        ).rowcount
    key = find(store, name)
    if key is None:
        raise ApiKeyError(f"no API key named {name!r}; `causeway keys list` shows them")
    return key, changed > 0


def verify(store: Store, presented: str, *, at: float | None = None) -> ApiKey | None:
    """The live key `presented` is, or None (malformed, unknown, forged or revoked)."""
    tag, _, rest = presented.partition("_")
    public_id, _, secret = rest.partition("_")
    if tag != KEY_TAG or not _PUBLIC_ID.fullmatch(public_id) or not secret:
        return None
    with store.read() as conn:
        row = conn.execute(
            select(api_keys).where(api_keys.c.prefix == f"{KEY_TAG}_{public_id}")
        ).first()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(_sha256(secret), row.secret_sha256):
        return None
    at = now() if at is None else at
    if row.last_used_at is None or at - row.last_used_at >= USE_RECORDED_EVERY:
        recorded_before = at - USE_RECORDED_EVERY
        with store.transaction() as conn:
            # Conditional, so that requests arriving together write it once.
            conn.execute(
                update(api_keys)
                .where(
                    api_keys.c.id == row.id,
                    or_(
                        api_keys.c.last_used_at.is_(None),
                        api_keys.c.last_used_at <= recorded_before,
                    ),
                )
                .values(last_used_at=at)
            )
        return ApiKey(row.name, row.prefix, row.scope, row.created_at, at, None)
    return _key(row)
