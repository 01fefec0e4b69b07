"""Failed console logins, counted in the store so that the limit holds across every hub
process (a guesser spreading tries over a load balancer gains nothing).

Two limits, each over a sliding window of WINDOW seconds:
- per e-mail (`EMAIL_LIMIT` failures): someone guessing one person's password, from
  anywhere; a good login clears that e-mail's count;
- per client address (`ADDRESS_LIMIT`): someone trying many e-mails from one place.
Past either, every login attempt is refused (the console answers 429 with
Retry-After) without even checking the password, until enough failures age out.
The e-mail is counted whether or not anyone has it, so the limit says nothing about
who exists.

`Limits.scope` keeps other logins' counts apart: the portal's are `Limits(scope="portal")`
(keys `portal:email:...`), never the console's `email:...`, so failures at one never lock
anyone out of the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select

from causeway.engine.schema import login_failures
from causeway.engine.store import Store, now

WINDOW = 15 * 60.0
EMAIL_LIMIT = 5
ADDRESS_LIMIT = 20


@dataclass(frozen=True)
class Limits:
    window: float = WINDOW
    per_email: int = EMAIL_LIMIT
    per_address: int = ADDRESS_LIMIT
    scope: str = ""  # "" is the console's; another login names its own (see above)


DEFAULT = Limits()


def _keys(email: str, address: str | None, limits: Limits) -> list[tuple[str, int]]:
    prefix = f"{limits.scope}:" if limits.scope else ""
    keys = [(f"{prefix}email:{email.strip().lower()[:300]}", limits.per_email)]
    if address:
        keys.append((f"{prefix}address:{address[:300]}", limits.per_address))
    return keys


def retry_after(
    store: Store,
    email: str,
    address: str | None,
    limits: Limits = DEFAULT,
    *,
    at: float | None = None,
) -> float | None:
    """Seconds until a login for this e-mail from this address may be tried again, or
    None if it may be tried now."""
    at = now() if at is None else at
    waits = []
    with store.read() as conn:
        for key, limit in _keys(email, address, limits):
            times = _failures(conn, key, at - limits.window)
            if len(times) >= limit:
                # The oldest failure that keeps the count at the limit must age out.
                waits.append(times[len(times) - limit] + limits.window - at)
    return max(waits) if waits else None


def record_failure(
    store: Store,
    email: str,
    address: str | None,
    limits: Limits = DEFAULT,
    *,
    at: float | None = None,
) -> None:
    """Count one failed login against the e-mail and the address; forget what aged out."""
    at = now() if at is None else at
    with store.transaction() as conn:
        conn.execute(delete(login_failures).where(login_failures.c.at <= at - limits.window))
        for key, _ in _keys(email, address, limits):
            conn.execute(insert(login_failures).values(key=key, at=at))


def clear(store: Store, email: str, limits: Limits = DEFAULT) -> None:
    """A good login: the e-mail's failures are forgotten (the address's are not)."""
    with store.transaction() as conn:
        for key, _ in _keys(email, None, limits):
            conn.execute(delete(login_failures).where(login_failures.c.key == key))


def _failures(conn: Connection, key: str, since: float) -> list[float]:
    rows = conn.execute(
        select(login_failures.c.at)
        .where(login_failures.c.key == key, login_failures.c.at > since)
        .order_by(login_failures.c.at)
    ).all()
    return [row.at for row in rows]
