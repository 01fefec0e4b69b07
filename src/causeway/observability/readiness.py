"""`GET /ready`: can this hub take work now? The store takes writes and its schema is
the one this version needs. Beside it, when each system last answered, for people:
a system being down does not make the hub unready (webhooks are still stored, jobs
wait and retry), it makes an alert.

The answer is public (load balancers and orchestrators ask without a key), so it
names systems and ages only: no URL, no credential, no customer data.
"""

from __future__ import annotations

import time
from typing import Any

from causeway.engine.store import Store, first_line
from causeway.observability.contacts import Contacts, last_contacts


def _short(error: BaseException) -> str:
    return first_line(error)[:200]


def readiness(
    store: Store, head: str | None, systems: list[str], contacts: Contacts
) -> tuple[bool, dict[str, Any]]:
    """(ready, the report): reasons name what is wrong and what to do."""
    reasons: list[str] = []
    try:
        store.probe_write()
    except Exception as exc:  # any failure to write is the answer, not an error
        reasons.append(f"the store does not take writes ({_short(exc)})")
    try:
        revision = store.revision()
        if revision != head:
            reasons.append(
                f"the store's schema is at migration {revision or 'none'} but this version "
                f"of Causeway needs {head}: restart the hub to migrate it"
            )
    except Exception as exc:
        reasons.append(f"the store cannot be read ({_short(exc)})")
    seen = contacts.seen()
    try:
        stored = last_contacts(store)
    except Exception:  # the reasons above already say the store is the trouble
        stored = {}
    now = time.time()
    report: dict[str, Any] = {
        "status": "ready" if not reasons else "not ready",
        "reasons": reasons,
        "systems": {
            name: {
                "last_contact_seconds_ago": (
                    round(now - last)
                    if (last := max(seen.get(name, 0), stored.get(name, 0)))
                    else None
                )
            }
            for name in systems
        },
    }
    return not reasons, report
