"""One rate budget per credential, shared by every flow that uses that credential.

A budget is a leaky bucket kept in step with what the remote system reports:
Shopify says how many cost points are left (`throttleStatus`), any HTTP API may
answer 429 with Retry-After. Callers ask for `cost` units before a request and
wait, without busy-looping and without fixed one-second sleeps, until the bucket
holds them. A Retry-After pauses everyone on that credential, not just the caller
that saw it, because the limit belongs to the credential.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, Protocol


@dataclass
class RateBudget:
    name: str
    capacity: float
    refill_per_second: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _available: float = field(init=False)
    _stamp: float = field(init=False)
    _paused_until: float = field(init=False, default=0.0)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    waits: int = field(init=False, default=0)
    waited_seconds: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        if self.capacity <= 0 or self.refill_per_second <= 0:
            raise ValueError("a rate budget needs a positive capacity and refill rate")
        self._available = self.capacity
        self._stamp = self.clock()

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._stamp)
        self._available = min(self.capacity, self._available + elapsed * self.refill_per_second)
        self._stamp = now

    def _delay_for(self, cost: float, now: float) -> float:
        """Seconds until `cost` units are there; 0 means take them now."""
        self._refill(now)
        pause = max(0.0, self._paused_until - now)
        # A request that costs more than the whole bucket can never fit; let it
        # through once the bucket is full, the server will tell us the rest.
        needed = min(cost, self.capacity)
        shortfall = needed - self._available
        # Float rounding can leave a sliver of a unit missing; waiting for it
        # would sleep for nanoseconds in a loop.
        shortfall = 0.0 if shortfall < 1e-9 else shortfall
        return max(pause, shortfall / self.refill_per_second)

    # The longest one sleep while waiting for tokens: a bucket another process also
    # changes (engine/shared_rate.py) looks again before the wait it computed is over.
    max_nap: ClassVar[float] = math.inf

    def acquire(self, cost: float = 1.0) -> float:
        """Block until `cost` units are available, take them, return seconds waited."""
        waited = 0.0
        while (delay := self.try_acquire(cost)) > 0:
            nap = min(delay, self.max_nap)
            self.sleep(nap)
            waited += nap
        if waited:
            with self._lock:
                self.waits += 1
                self.waited_seconds += waited
        return waited

    def try_acquire(self, cost: float = 1.0) -> float:
        """Take `cost` units if they are there now and return 0; else take nothing and
        return the seconds until they would be (for callers that refuse, not wait)."""
        with self._lock:
            delay = self._delay_for(cost, self.clock())
            if delay <= 0:
                self._available -= min(cost, self.capacity)
            return delay

    def pause(self, seconds: float) -> None:
        """Honour a Retry-After: nobody on this credential calls for `seconds`."""
        with self._lock:
            self._paused_until = max(self._paused_until, self.clock() + max(0.0, seconds))

    def observe(
        self,
        *,
        available: float | None = None,
        capacity: float | None = None,
        refill_per_second: float | None = None,
    ) -> None:
        """Adopt the server's own view of the bucket (it is the one that counts).
        available=None: keep what the bucket holds now (refilled at the old rate up to
        now), and only resize it or change its rate from now on."""
        with self._lock:
            now = self.clock()
            self._refill(now)
            if capacity:
                self.capacity = float(capacity)
            if refill_per_second:
                self.refill_per_second = float(refill_per_second)
            held = self._available if available is None else float(available)
            self._available = min(self.capacity, held)
            self._stamp = now

    def refund(self, units: float) -> None:
        """Give back units taken for a request that cost less than estimated."""
        with self._lock:
            self._available = min(self.capacity, self._available + max(0.0, units))

    @property
    def available(self) -> float:
        with self._lock:
            self._refill(self.clock())
            return self._available


class SharedBudgets(Protocol):
    """Makes budgets whose state lives outside the process (engine/shared_rate.py)."""

    def __call__(self, name: str, capacity: float, refill_per_second: float) -> RateBudget: ...

    def close(self) -> None: ...


class RateBudgets:
    """The registry: the same credential always gets the same budget object.

    shared: how to make the budgets every worker process draws from (the hub gives its
    store's, engine/shared_rate.py); without it `shared()` hands out this process's own,
    as `get()` does (tests, one-off commands)."""

    def __init__(self, shared: SharedBudgets | None = None) -> None:
        self._budgets: dict[str, RateBudget] = {}
        self._lock = threading.Lock()
        self._shared = shared

    def get(self, credential: str, *, capacity: float, refill_per_second: float) -> RateBudget:
        with self._lock:
            budget = self._budgets.get(credential)
            if budget is None:
                budget = RateBudget(credential, capacity, refill_per_second)
                self._budgets[credential] = budget
            return budget

    def shared(self, name: str, *, capacity: float, refill_per_second: float) -> RateBudget:
        """The budget `name` that every worker process on the hub's store shares, sized
        capacity/refill_per_second unless the store already knows better (a rate a remote
        stated); this process's own when no store was given."""
        with self._lock:
            budget = self._budgets.get(name)
            if budget is None:
                make = self._shared or RateBudget
                budget = make(name, capacity, refill_per_second)
                self._budgets[name] = budget
            return budget

    def close(self) -> None:
        """Let go of the store connections the shared budgets hold, if any."""
        if self._shared is not None:
            self._shared.close()

    def for_credential(
        self, vendor: str, base_url: str, secret: str, *, capacity: float, refill_per_second: float
    ) -> RateBudget:
        """The budget of one credential at one address. Its name holds a hash of the
        secret, never the secret: two systems configured with the same token share it."""
        digest = hashlib.sha256(secret.encode()).hexdigest()[:12]
        return self.get(
            f"{vendor}:{base_url}:{digest}", capacity=capacity, refill_per_second=refill_per_second
        )

    def all(self) -> list[RateBudget]:
        with self._lock:
            return list(self._budgets.values())
