"""Fault injection: the deliberate misbehaviour that makes the sandbox worth testing against.

Shopify misbehaves in a few well-known ways: an edge answers 502 with an HTML
page or 503 with JSON, a burst is answered 429 with `Retry-After`, calls get slow,
webhooks arrive twice or out of order. The injector decides, per call, which of
these happens. Every draw comes from one seeded generator per concern (API calls,
webhooks), so a run with the same seed and the same sequence of calls misbehaves
the same way, and API traffic does not shift the webhook draws.
"""

from __future__ import annotations

import random
from typing import Any

from causeway_sandbox.common import InjectedResponse, SeededKnobs
from causeway_sandbox.shopify.settings import FaultSettings

# What Shopify's edge returns when an upstream is down: an HTML page, not JSON.
_BAD_GATEWAY_HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Shopify &middot; 502 Bad Gateway</title></head>
<body>
<h1>502 Bad Gateway</h1>
<p>There was a problem loading this website. Please try again later.</p>
</body>
</html>
"""

_UNAVAILABLE_JSON = '{"errors":"Service Unavailable"}'

# Shopify's words for a request-rate 429 (the REST wording; the GraphQL API uses the
# same edge). Retry-After is a float string, as Shopify sends it: parse it as one.
_TOO_MANY_REQUESTS_JSON = (
    '{"errors":"Exceeded 2 calls per second for api client. '
    'Reduce request rates to resume uninterrupted service."}'
)


class FaultInjector(SeededKnobs[FaultSettings]):
    """Holds the current knobs and the seeded generators that act on them."""

    def _reseed(self, seed: int) -> None:
        self._api_rng = random.Random(f"{seed}:api")
        self._hook_rng = random.Random(f"{seed}:webhooks")
        # Its own generator: switching lost answers on shifts no duplicate or shuffle draw.
        self._timeout_rng = random.Random(f"{seed}:timeouts")

    # ---------------------------------------------------------------- API side

    def latency_seconds(self) -> float:
        with self._lock:
            return self._faults.latency_ms / 1000.0

    def api_fault(self) -> InjectedResponse | None:
        """Decide whether this API call fails at the edge, and how.

        One draw picks the outcome from consecutive bands ([0, 5xx rate) is a 5xx,
        the next `rate_429` wide band a 429), so each happens at exactly its
        configured rate; a second draw picks the variant. Both draws are made on
        every call, so changing a knob never shifts which later calls are hit.
        """
        with self._lock:
            draw = self._api_rng.random()
            pick = self._api_rng.random()
            faults = self._faults
        if draw < faults.error_rate_5xx:
            if pick < 0.5:
                return InjectedResponse(502, _BAD_GATEWAY_HTML, "text/html; charset=utf-8", {})
            return InjectedResponse(
                503, _UNAVAILABLE_JSON, "application/json; charset=utf-8", {"Retry-After": "1.0"}
            )
        if draw < faults.error_rate_5xx + faults.rate_429:
            retry_after = "1.0" if pick < 0.5 else "2.0"
            return InjectedResponse(
                429,
                _TOO_MANY_REQUESTS_JSON,
                "application/json; charset=utf-8",
                {"Retry-After": retry_after},
            )
        return None

    # ---------------------------------------------------------------- webhook side

    def should_duplicate(self) -> bool:
        with self._lock:
            return self._hook_rng.random() < self._faults.duplicate_rate

    def answer_lost(self) -> bool:
        """Whether this delivery's (successful) answer counts as a timeout."""
        with self._lock:
            return self._timeout_rng.random() < self._faults.webhook_timeout_rate

    def shuffle(self, items: list[Any]) -> None:
        """Shuffle in place with the webhook generator (for out-of-order releases)."""
        with self._lock:
            self._hook_rng.shuffle(items)

    def hold_policy(self) -> tuple[bool, int, float]:
        """(out_of_order, window, max hold in seconds) in one consistent read."""
        with self._lock:
            f = self._faults
            return f.out_of_order, f.out_of_order_window, f.out_of_order_max_hold_ms / 1000.0
