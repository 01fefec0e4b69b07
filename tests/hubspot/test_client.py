"""HubSpotClient against an httpx.MockTransport answering the way HubSpot does.

Time is fake (the RateBudget's clock and sleep are injected), so every wait the
client makes is recorded and checked instead of slept.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from causeway.connectors.http_retry import RetryPolicy
from causeway.connectors.hubspot.client import HubSpotClient, HubSpotNotFound
from causeway.engine.rate import RateBudget
from causeway.errors import PermanentError, RetryableError


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 1e-6)


LIMIT_HEADERS = {
    "X-HubSpot-RateLimit-Max": "190",
    "X-HubSpot-RateLimit-Remaining": "7",
    "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
    "X-HubSpot-RateLimit-Daily": "500000",
    "X-HubSpot-RateLimit-Daily-Remaining": "499000",
}


def rate_limited(policy: str = "TEN_SECONDLY_ROLLING", **headers: str) -> httpx.Response:
    body = {
        "status": "error",
        "message": f"You have reached your {policy.lower()} limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": "c0ffee-429",
        "policyName": policy,
    }
    return httpx.Response(429, json=body, headers=headers)


def client_for(
    answers: list[httpx.Response], time: FakeTime, seen: list[httpx.Request] | None = None
) -> HubSpotClient:
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return queue.pop(0)

    budget = RateBudget("hubspot:test", 100, 10, clock=time.clock, sleep=time.sleep)
    return HubSpotClient(
        "https://api.hubapi.com",
        "pat-na1-secret",
        budget=budget,
        retry=RetryPolicy(max_attempts=3, backoff_initial=0.5, max_throttle_waits=3),
        transport=httpx.MockTransport(handler),
    )


OK: Callable[[], httpx.Response] = lambda: httpx.Response(  # noqa: E731
    200, json={"id": "1", "properties": {}}, headers=LIMIT_HEADERS
)


def test_requests_carry_the_bearer_token_and_adopt_hubspots_rate_headers() -> None:
    time, seen = FakeTime(), []
    client = client_for([OK()], time, seen)
    status, body = client.request("GET", "/crm/v3/objects/contacts/1")
    assert (status, body["id"]) == (200, "1")
    assert seen[0].headers["authorization"] == "Bearer pat-na1-secret"
    budget = client.budget
    assert budget.capacity == 190
    assert budget.refill_per_second == pytest.approx(19.0)
    assert budget.available == pytest.approx(7.0)
    assert client.daily_remaining == 499000


def test_a_429_is_waited_out_for_retry_after_then_the_request_succeeds() -> None:
    time = FakeTime()
    client = client_for([rate_limited(**{"Retry-After": "2"}), OK()], time)
    assert client.request("GET", "/crm/v3/objects/contacts/1")[0] == 200
    assert client.throttle_waits == 1
    assert sum(time.sleeps) == pytest.approx(2.0, abs=0.01)


def test_a_429_without_retry_after_waits_one_request_of_the_window_not_a_fixed_second() -> None:
    time = FakeTime()
    client = client_for([rate_limited(**LIMIT_HEADERS), OK()], time)
    client.request("GET", "/crm/v3/objects/contacts/1")
    # 190 per 10 s: one request comes back into the window every 1/19 s.
    assert 0 < sum(time.sleeps) < 0.2


def test_a_429_storm_ends_as_a_retryable_error_with_the_policy_named() -> None:
    time = FakeTime()
    client = client_for([rate_limited(**{"Retry-After": "1"}) for _ in range(5)], time)
    with pytest.raises(RetryableError, match="TEN_SECONDLY_ROLLING"):
        client.request("GET", "/crm/v3/objects/contacts/1")


def test_the_daily_limit_is_not_waited_out_in_the_request() -> None:
    time = FakeTime()
    client = client_for([rate_limited("DAILY")], time)
    with pytest.raises(RetryableError, match="daily") as caught:
        client.request("GET", "/crm/v3/objects/contacts/1")
    assert caught.value.retry_after == 3600.0
    assert time.sleeps == []


def test_5xx_is_retried_with_backoff_then_succeeds() -> None:
    time = FakeTime()
    client = client_for([httpx.Response(502, text="<html>bad gateway</html>"), OK()], time)
    assert client.request("GET", "/crm/v3/objects/contacts/1")[0] == 200
    assert client.transient_retries == 1


def test_5xx_that_does_not_pass_is_retryable() -> None:
    time = FakeTime()
    client = client_for([httpx.Response(503, json={}) for _ in range(3)], time)
    with pytest.raises(RetryableError, match="unavailable after 3 attempts"):
        client.request("GET", "/crm/v3/objects/contacts/1")


def test_a_validation_error_is_permanent_with_hubspots_message_and_correlation_id() -> None:
    time = FakeTime()
    refusal = httpx.Response(
        400,
        json={
            "status": "error",
            "message": 'Property values were not valid: Property "favourite" does not exist',
            "correlationId": "aaaa-bbbb",
            "category": "VALIDATION_ERROR",
        },
    )
    client = client_for([refusal], time)
    with pytest.raises(PermanentError) as caught:
        client.request("PATCH", "/crm/v3/objects/contacts/1", json={"properties": {}})
    text = str(caught.value)
    assert "favourite" in text and "aaaa-bbbb" in text and "VALIDATION_ERROR" in text
    assert not isinstance(caught.value, RetryableError)


def test_a_bad_token_says_what_to_do_and_a_missing_object_is_not_found() -> None:
    time = FakeTime()
    client = client_for(
        [
            httpx.Response(401, json={"status": "error", "message": "Authentication failed"}),
            httpx.Response(404, content=json.dumps({"status": "error", "message": "nope"})),
        ],
        time,
    )
    with pytest.raises(PermanentError, match="access_token"):
        client.request("GET", "/crm/v3/objects/contacts/1")
    with pytest.raises(HubSpotNotFound):
        client.request("GET", "/crm/v3/objects/contacts/2")
