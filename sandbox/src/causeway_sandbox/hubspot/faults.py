"""Fault injection with HubSpot's own failure bodies.

The knobs, seeding and webhook draws are the Shopify sandbox's (one injector
design for every sandbox); only what an API fault looks like differs: HubSpot
answers a 429 with a JSON error naming the policy, and 5xx with its error JSON
or an edge's HTML.
"""

from __future__ import annotations

import json
import uuid

from causeway_sandbox.common import InjectedResponse
from causeway_sandbox.shopify.faults import FaultInjector

_BAD_GATEWAY_HTML = "<html><body><h1>502 Bad Gateway</h1></body></html>"


def rate_limit_body(policy: str = "TEN_SECONDLY_ROLLING") -> str:
    return json.dumps(
        {
            "status": "error",
            "message": f"You have reached your {policy.lower()} limit.",
            "errorType": "RATE_LIMIT",
            "correlationId": str(uuid.uuid4()),
            "policyName": policy,
            "groupName": "publicapi:private-app",
        }
    )


class HubSpotFaultInjector(FaultInjector):
    def api_fault(self) -> InjectedResponse | None:
        with self._lock:
            draw = self._api_rng.random()
            pick = self._api_rng.random()
            faults = self._faults
        if draw < faults.error_rate_5xx:
            if pick < 0.5:
                return InjectedResponse(502, _BAD_GATEWAY_HTML, "text/html; charset=utf-8", {})
            body = json.dumps(
                {
                    "status": "error",
                    "message": "internal error",
                    "correlationId": str(uuid.uuid4()),
                    "category": "INTERNAL_ERROR",
                }
            )
            return InjectedResponse(503, body, "application/json;charset=utf-8", {})
        if draw < faults.error_rate_5xx + faults.rate_429:
            return InjectedResponse(429, rate_limit_body(), "application/json;charset=utf-8", {})
        return None
