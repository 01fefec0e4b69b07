"""Each client's rate at `POST /collect/{system}`: a token bucket per (system, client id).

A bucket holds `per_minute` events and refills at per_minute/60 a second, so a client
may send a burst of a minute's events and then keep that pace. A request takes all of
its events or none: refused, it is told how long until they fit (Retry-After).

Buckets live in this process (like the rate budgets, docs/scaling.md): behind several
hub processes each keeps its own. Their number is bounded: a flood of made-up client
ids evicts the least recently seen buckets instead of growing memory, which can only
give an evicted client a fresh bucket, never let one client past its own rate while
it keeps sending.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_CLIENTS = 100_000


@dataclass
class _Bucket:
    tokens: float
    at: float


class ClientRateLimit:
    def __init__(
        self,
        *,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[tuple[str, str], _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, system: str, client_id: str, count: int, per_minute: int) -> float | None:
        """Take `count` events from the client's bucket: None when they fit, else the
        seconds until they would (nothing is taken then)."""
        rate = per_minute / 60.0
        now = self.clock()
        key = (system, client_id)
        with self._lock:
            bucket = self._buckets.pop(key, None) or _Bucket(float(per_minute), now)
            bucket.tokens = min(float(per_minute), bucket.tokens + (now - bucket.at) * rate)
            bucket.at = now
            self._buckets[key] = bucket  # the most recently seen, last
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            if count <= bucket.tokens:
                bucket.tokens -= count
                return None
            if count > per_minute:  # never fits: a minute, then the sender sees it again
                return 60.0
            return (count - bucket.tokens) / rate


def retry_after(seconds: float) -> str:
    """A Retry-After header value: whole seconds, at least one."""
    return str(max(1, math.ceil(seconds)))
