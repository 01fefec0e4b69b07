"""Injected failures of the REST API: 429 with Retry-After, 5xx, latency.

What a WooCommerce client meets in production comes from its host as much as
from WooCommerce: a rate limit answered 429 (here with WooCommerce's own
rate-limit body, from its Store API), WordPress's "critical error" 500 JSON when a
plugin dies, a proxy's 502 HTML page, maintenance mode's 503. Counted faults hit
the next N calls; rates are drawn from a generator seeded by the settings' seed.
"""

from __future__ import annotations

import json
import random

from causeway_sandbox.common import InjectedResponse, SeededKnobs
from causeway_sandbox.woocommerce.settings import WooFaultSettings

_CRITICAL_ERROR = json.dumps(
    {
        "code": "internal_server_error",
        "message": '<p>There has been a critical error on this website.</p><p><a href="https:'
        '//wordpress.org/documentation/article/faq-troubleshooting/">Learn more about '
        "troubleshooting WordPress.</a></p>",
        "data": {"status": 500},
        "additional_errors": [],
    }
).replace("/", "\\/")
_BAD_GATEWAY = (
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    "</h1></center><hr><center>nginx</center></body></html>\n"
)
_MAINTENANCE = (
    "<!DOCTYPE html><html><head><title>Maintenance</title></head><body>"
    "<p>Briefly unavailable for scheduled maintenance. Check back in a minute.</p></body></html>"
)
_TOO_MANY = json.dumps(
    {
        "code": "rate_limit_exceeded",
        "message": "Too many requests. Please wait and try again.",
        "data": {"status": 429},
    }
)


class WooFaultInjector(SeededKnobs[WooFaultSettings]):
    def _reseed(self, seed: int) -> None:
        self._rng = random.Random(f"{seed}:api")

    def reset(self, faults: WooFaultSettings) -> None:
        with self._lock:
            self._faults = faults.model_copy()
            self._rng = random.Random(f"{self._seed}:api")

    def latency_seconds(self) -> float:
        """This call's delay. With `latency_next`, the delay ends with the count."""
        with self._lock:
            f = self._faults
            delay = f.latency_ms / 1000.0
            if f.latency_next:
                f.latency_next -= 1
                if not f.latency_next:
                    f.latency_ms = 0
            return delay

    def api_fault(self) -> InjectedResponse | None:
        """This call's injected answer, or None. Both draws happen on every call, so a
        knob change never shifts which later calls are hit."""
        with self._lock:
            draw, pick = self._rng.random(), self._rng.random()
            f = self._faults
            if f.next_429:
                f.next_429 -= 1
                return self._too_many(f)
            if f.next_5xx:
                f.next_5xx -= 1
                return self._server_error(f, pick)
            if draw < f.error_rate_5xx:
                return self._server_error(f, pick)
            if draw < f.error_rate_5xx + f.rate_429:
                return self._too_many(f)
        return None

    @staticmethod
    def _too_many(f: WooFaultSettings) -> InjectedResponse:
        return InjectedResponse(
            429, _TOO_MANY, "application/json; charset=UTF-8", {"Retry-After": str(f.retry_after_s)}
        )

    @staticmethod
    def _server_error(f: WooFaultSettings, pick: float) -> InjectedResponse:
        status = f.status_5xx or (500, 502, 503)[int(pick * 3)]
        if status == 500:
            return InjectedResponse(500, _CRITICAL_ERROR, "application/json; charset=UTF-8", {})
        if status == 502:
            return InjectedResponse(502, _BAD_GATEWAY, "text/html", {})
        return InjectedResponse(
            503, _MAINTENANCE, "text/html; charset=utf-8", {"Retry-After": "600"}
        )
