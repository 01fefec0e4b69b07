"""When each system last answered the hub: the figure that tells "Shopify has been
unreachable for an hour" from "nothing to do", for `GET /ready` and `causeway status`.

Every HTTP client calls `note` on each successful answer (an httpx response hook,
nothing per call site); the times are kept in memory and written to the store at
most every FLUSH_EVERY seconds, so that a busy hub does not pay a write per call
and every process sharing the store contributes what it saw.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx

from causeway.engine.facts import last_contacts, record_contacts
from causeway.engine.store import Store

__all__ = ["Contacts", "last_contacts"]

FLUSH_EVERY = 5.0


class Contacts:
    def __init__(self, flush_every: float = FLUSH_EVERY) -> None:
        self.flush_every = flush_every
        self._last: dict[str, float] = {}
        self._written: dict[str, float] = {}
        self._flushed_at = float("-inf")  # the first flush writes at once
        self._lock = threading.Lock()

    def note(self, system: str, at: float | None = None) -> None:
        self._last[system] = time.time() if at is None else at

    def hook(self, system: str) -> Callable[[httpx.Response], None]:
        """An httpx response hook: any answer below 500 means the system is up and
        reachable (a 401 too: the fix is then the token, which `causeway check` names)."""

        def on_response(response: httpx.Response) -> None:
            if response.status_code < 500:
                self.note(system)

        return on_response

    def seen(self) -> dict[str, float]:
        """What this process saw, not yet merged with the store's."""
        return dict(self._last)

    def flush(self, store: Store, *, force: bool = False) -> None:
        """Write the times that changed, at most every flush_every seconds."""
        stamp = time.monotonic()
        with self._lock:
            if not force and stamp - self._flushed_at < self.flush_every:
                return
            self._flushed_at = stamp
            changed = {s: t for s, t in self._last.items() if self._written.get(s) != t}
            if not changed:
                return
            record_contacts(store, changed)
            self._written.update(changed)
