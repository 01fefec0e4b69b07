"""HubSpot's request limits: a rolling window per token, plus a daily count.

Every answer carries the X-HubSpot-RateLimit-* headers with the state after the
request; a request over the window's limit is answered 429 with HubSpot's body
and not executed.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from causeway_sandbox.hubspot.settings import HubSpotSandboxSettings


class RollingLimit:
    def __init__(self, settings: HubSpotSandboxSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._stamps: deque[float] = deque()
        self._daily = 0
        self.rejected = 0

    def reset(self) -> None:
        with self._lock:
            self._stamps.clear()
            self._daily = 0
            self.rejected = 0

    def take(self) -> tuple[bool, dict[str, str], str | None]:
        """(allowed, headers, policy refused) for one request arriving now."""
        interval = self.settings.rate_interval_ms / 1000.0
        with self._lock:
            now = time.monotonic()
            while self._stamps and now - self._stamps[0] >= interval:
                self._stamps.popleft()
            policy = None
            if self._daily >= self.settings.daily_max:
                policy = "DAILY"
            elif len(self._stamps) >= self.settings.rate_max:
                policy = "TEN_SECONDLY_ROLLING"
            if policy is None:
                self._stamps.append(now)
                self._daily += 1
            else:
                self.rejected += 1
            headers = {
                "X-HubSpot-RateLimit-Max": str(self.settings.rate_max),
                "X-HubSpot-RateLimit-Remaining": str(self.settings.rate_max - len(self._stamps)),
                "X-HubSpot-RateLimit-Interval-Milliseconds": str(self.settings.rate_interval_ms),
                "X-HubSpot-RateLimit-Daily": str(self.settings.daily_max),
                "X-HubSpot-RateLimit-Daily-Remaining": str(self.settings.daily_max - self._daily),
            }
            return policy is None, headers, policy
