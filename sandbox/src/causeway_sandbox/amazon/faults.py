"""Injected failures of the Selling Partner API: 429 storms, 5xx, latency, in Amazon's
error format ({"errors": [{"code", "message", "details"}]})."""

from __future__ import annotations

import json
import random

from causeway_sandbox.amazon.settings import AmazonFaultSettings
from causeway_sandbox.common import InjectedResponse, SeededKnobs


def error_body(code: str, message: str, details: str = "") -> str:
    return json.dumps({"errors": [{"code": code, "message": message, "details": details}]})


QUOTA_EXCEEDED = error_body("QuotaExceeded", "You exceeded your quota for the requested resource.")
_INTERNAL = error_body("InternalFailure", "We encountered an internal error. Please try again.")
_UNAVAILABLE = error_body("ServiceUnavailable", "Service temporarily unavailable.")


class AmazonFaultInjector(SeededKnobs[AmazonFaultSettings]):
    def _reseed(self, seed: int) -> None:
        self._rng = random.Random(f"{seed}:api")
        self._flip = 0

    def reset(self, faults: AmazonFaultSettings) -> None:
        with self._lock:
            self._faults = faults.model_copy()
            self._reseed(self._seed)

    def latency_seconds(self) -> float:
        with self._lock:
            return self._faults.latency_ms / 1000.0

    def api_fault(self) -> InjectedResponse | None:
        with self._lock:
            draw = self._rng.random()
            f = self._faults
            if f.next_429:
                f.next_429 -= 1
                return InjectedResponse(429, QUOTA_EXCEEDED, "application/json", {})
            if f.next_5xx:
                f.next_5xx -= 1
                return self._server_error(f.status_5xx)
            if draw < f.error_rate_5xx:
                return self._server_error(f.status_5xx)
            if draw < f.error_rate_5xx + f.rate_429:
                return InjectedResponse(429, QUOTA_EXCEEDED, "application/json", {})
        return None

    def _server_error(self, status: int) -> InjectedResponse:
        if not status:
            self._flip += 1
            status = 500 if self._flip % 2 else 503
        body = _INTERNAL if status == 500 else _UNAVAILABLE
        return InjectedResponse(status, body, "application/json", {})
