"""Each client's rate at `POST /collect/{system}`: a rate budget (engine/rate.py) per
(system, client id), refused rather than waited for.

A budget holds `per_minute` events and refills at per_minute/60 a second, so a client
may send a burst of a minute's events and then keep that pace. A request takes all of
its events or none: refused, it is told how long until they fit (Retry-After); one
larger than a minute's events fits once the budget is full, and empties it.

Budgets live in this process (like the connectors' rate budgets, docs/scaling.md):
behind several hub processes each keeps its own. Their number is bounded: a flood of
made-up client ids evicts the least recently seen budgets instead of growing memory,
which can only give an evicted client a fresh budget, never let one client past its own
rate while it keeps sending.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from causeway.engine.rate import RateBudget

MAX_CLIENTS = 100_000


class ClientRateLimit:
    def __init__(
        self,
        *,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_clients = max_clients
        self.clock = clock
        self._budgets: OrderedDict[tuple[str, str], RateBudget] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, system: str, client_id: str, count: int, per_minute: int) -> float | None:
        """Take `count` events from the client's budget: None when they fit, else the
        seconds until they would (nothing is taken then)."""
        key = (system, client_id)
        with self._lock:
            budget = self._budgets.pop(key, None)
            if budget is None or budget.capacity != per_minute:  # new, or the setting changed
                budget = RateBudget(
                    f"collect:{system}", float(per_minute), per_minute / 60.0, clock=self.clock
                )
            self._budgets[key] = budget  # the most recently seen, last
            while len(self._budgets) > self.max_clients:
                self._budgets.popitem(last=False)
        delay = budget.try_acquire(count)
        return None if delay <= 0 else delay


def retry_after(seconds: float) -> str:
    """A Retry-After header value: whole seconds, at least one."""
    return str(max(1, math.ceil(seconds)))
