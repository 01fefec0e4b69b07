"""Per-operation token buckets, as the Selling Partner API's usage plans work.

Each operation has its own bucket for the selling partner (the sandbox has one): a request
takes a token, tokens come back at the plan's rate up to its burst, and a request that finds
the bucket empty is answered 429 QuotaExceeded. Every answer of an operation carries its
rate in `x-amzn-RateLimit-Limit`, as Amazon's do.
"""

from __future__ import annotations

import threading
import time

from causeway_sandbox.amazon.settings import UsagePlanSetting


class Buckets:
    def __init__(self, plans: dict[str, UsagePlanSetting]) -> None:
        self._lock = threading.Lock()
        self.plans = dict(plans)
        self._tokens: dict[str, float] = {}
        self._stamps: dict[str, float] = {}
        self.refused = 0

    def reset(self, plans: dict[str, UsagePlanSetting]) -> None:
        with self._lock:
            self.plans = dict(plans)
            self._tokens.clear()
            self._stamps.clear()
            self.refused = 0

    def take(self, operation: str) -> bool:
        """Take a token of `operation`'s bucket; False when it is empty."""
        plan = self.plans[operation]
        now = time.monotonic()
        with self._lock:
            held = self._tokens.get(operation, float(plan.burst))
            elapsed = now - self._stamps.get(operation, now)
            held = min(float(plan.burst), held + elapsed * plan.rate)
            self._stamps[operation] = now
            if held < 1.0:
                self._tokens[operation] = held
                self.refused += 1
                return False
            self._tokens[operation] = held - 1.0
            return True

    def rate(self, operation: str) -> str:
        return f"{self.plans[operation].rate:g}"
