"""ShopifyGraphQL against an httpx.MockTransport that answers the way Shopify does.

Time is fake: the RateBudget's clock and sleep are injected, so every wait the
client makes is recorded (and checked) instead of slept.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from graphql import parse

from causeway.connectors.shopify import queries
from causeway.connectors.shopify.client import RetryPolicy, ShopifyGraphQL
from causeway.engine.rate import RateBudget
from causeway.errors import PermanentError, RetryableError

TOKEN = "shpat_secret_token_value"
DOC = "query Shop { shop { name } }"


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def cost(
    requested: float = 10,
    actual: float | None = 10,
    available: float = 990,
    maximum: float = 1000,
    restore: float = 50,
) -> dict[str, Any]:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": maximum,
                "currentlyAvailable": available,
                "restoreRate": restore,
            },
        }
    }


def ok(data: dict[str, Any] | None = None, **cost_args: float) -> httpx.Response:
    return httpx.Response(
        200, json={"data": data or {"shop": {"name": "x"}}, "extensions": cost(**cost_args)}
    )


def throttled(requested: float, available: float, restore: float = 50) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "errors": [
                {
                    "message": "Throttled",
                    "extensions": {
                        "code": "THROTTLED",
                        "documentation": "https://shopify.dev/api/usage/rate-limits",
                    },
                }
            ],
            "extensions": cost(requested, None, available, 1000, restore),
        },
    )


Handler = Callable[[httpx.Request], httpx.Response]


class Fixture:
    def __init__(self, responses: list[httpx.Response | Exception], **policy: Any) -> None:
        self.time = FakeTime()
        self.budget = RateBudget("test", 1000, 50, clock=self.time.clock, sleep=self.time.sleep)
        self.requests: list[httpx.Request] = []
        self._responses = list(responses)
        self.client = ShopifyGraphQL(
            "https://example.myshopify.com/",
            TOKEN,
            budget=self.budget,
            retry=RetryPolicy(**policy) if policy else None,
            transport=httpx.MockTransport(self._handle),
        )

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = self._responses.pop(0) if len(self._responses) > 1 else self._responses[0]
        if isinstance(response, Exception):
            raise response
        return response


def test_posts_the_document_with_the_token_to_the_versioned_endpoint() -> None:
    f = Fixture([ok({"shop": {"name": "Example"}})])
    data = f.client.execute(DOC, {"first": 3})
    assert data == {"shop": {"name": "Example"}}
    (request,) = f.requests
    assert request.method == "POST"
    assert str(request.url) == "https://example.myshopify.com/admin/api/2025-10/graphql.json"
    assert request.headers["X-Shopify-Access-Token"] == TOKEN
    assert json.loads(request.content) == {"query": DOC, "variables": {"first": 3}}
    assert f.client.calls == 1 and f.client.throttle_waits == 0


def test_observes_the_throttle_status_shopify_reports() -> None:
    f = Fixture([ok(available=400, maximum=2000, restore=100)])
    f.client.execute(DOC)
    assert f.budget.capacity == 2000
    assert f.budget.refill_per_second == 100
    assert f.budget.available == pytest.approx(400)


def test_learns_the_requested_cost_and_waits_for_it_before_the_next_call() -> None:
    f = Fixture([ok(requested=252, actual=12, available=100)])
    assert f.client.estimate(DOC) == 10  # the default before Shopify has said
    f.client.execute(DOC)
    assert f.client.estimate(DOC) == 252
    assert f.time.sleeps == []
    f.client.execute(DOC)  # needs 252, has 100, refills 50/s
    assert f.time.sleeps == [pytest.approx((252 - 100) / 50)]


def test_throttled_is_retried_after_exactly_the_shortfall_over_the_restore_rate() -> None:
    f = Fixture([throttled(requested=500, available=100, restore=50), ok(requested=500)])
    data = f.client.execute(DOC)
    assert data == {"shop": {"name": "x"}}
    assert f.time.sleeps == [pytest.approx(8.0)]  # (500 - 100) / 50
    assert f.client.calls == 2
    assert f.client.throttle_waits == 1


def test_throttled_without_end_becomes_retryable_with_the_wait() -> None:
    f = Fixture([throttled(requested=500, available=0)], max_throttle_waits=3)
    with pytest.raises(RetryableError) as caught:
        f.client.execute(DOC)
    assert f.client.calls == 4
    assert caught.value.retry_after == pytest.approx(10.0)
    assert "throttl" in str(caught.value).lower()


@pytest.mark.parametrize(("header", "wait"), [("2.5", 2.5), ("7", 7.0), (None, 1.0)])
def test_429_honours_retry_after_through_the_budget(header: str | None, wait: float) -> None:
    headers = {"Retry-After": header} if header else {}
    f = Fixture([httpx.Response(429, headers=headers, text="Too Many Requests"), ok()])
    assert f.client.execute(DOC) == {"shop": {"name": "x"}}
    assert f.time.sleeps == [pytest.approx(wait)]
    assert f.client.calls == 2 and f.client.throttle_waits == 1


def test_429_pauses_every_caller_on_the_credential() -> None:
    f = Fixture([httpx.Response(429, headers={"Retry-After": "4"}), ok()])
    other = ShopifyGraphQL(
        "https://example.myshopify.com",
        TOKEN,
        budget=f.budget,
        transport=httpx.MockTransport(lambda r: ok()),
    )
    f.client.execute(DOC)
    f.budget.pause(4)  # as if the other flow saw the 429 itself
    other.execute(DOC)
    assert f.time.sleeps == [pytest.approx(4.0), pytest.approx(4.0)]


def test_5xx_is_retried_with_growing_jittered_backoff_then_retryable() -> None:
    f = Fixture([httpx.Response(503, text="unavailable")], max_attempts=4, backoff_initial=0.5)
    with pytest.raises(RetryableError) as caught:
        f.client.execute(DOC)
    assert f.client.calls == 4
    assert f.client.transient_retries == 3
    assert "503" in str(caught.value)
    # 0.5, 1, 2 seconds, each plus up to 1 s of jitter.
    for sleep, base in zip(f.time.sleeps, [0.5, 1.0, 2.0], strict=True):
        assert base <= sleep <= base + 1.0


def test_a_passing_5xx_is_invisible_to_the_caller() -> None:
    f = Fixture([httpx.Response(502), httpx.Response(500), ok()])
    assert f.client.execute(DOC) == {"shop": {"name": "x"}}
    assert f.client.calls == 3 and f.client.transient_retries == 2


@pytest.mark.parametrize(
    "error",
    [httpx.ReadTimeout("read timed out"), httpx.ConnectError("connection refused")],
)
def test_timeouts_and_connection_errors_are_transient(error: Exception) -> None:
    f = Fixture([error], max_attempts=3)
    with pytest.raises(RetryableError):
        f.client.execute(DOC)
    assert f.client.calls == 3
    f2 = Fixture([error, ok()])
    assert f2.client.execute(DOC) == {"shop": {"name": "x"}}


def test_401_is_permanent_and_names_the_token_and_the_fix_without_leaking_it() -> None:
    f = Fixture([httpx.Response(401, json={"errors": "[API] Invalid API key or access token"})])
    with pytest.raises(PermanentError) as caught:
        f.client.execute(DOC)
    message = str(caught.value)
    assert "access_token" in message and "401" in message
    assert TOKEN not in message
    assert f.client.calls == 1  # retrying cannot help


def test_403_is_permanent_and_names_the_missing_scope() -> None:
    f = Fixture([httpx.Response(403, text="forbidden")])
    with pytest.raises(PermanentError, match="scope"):
        f.client.execute(DOC)
    assert f.client.calls == 1


def test_graphql_errors_are_permanent_with_their_messages() -> None:
    body = {
        "errors": [
            {
                "message": "Field 'nope' doesn't exist on type 'Shop'",
                "path": ["query Shop", "shop", "nope"],
                "extensions": {"code": "undefinedField"},
            }
        ]
    }
    f = Fixture([httpx.Response(200, json=body)])
    with pytest.raises(PermanentError, match="Field 'nope' doesn't exist"):
        f.client.execute(DOC)
    assert f.client.calls == 1


def test_max_cost_exceeded_says_to_lower_the_page_size() -> None:
    body = {
        "errors": [
            {
                "message": "Query cost is 2502, which exceeds the single query max cost limit (1000).",
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": 2502, "maxCost": 1000},
            }
        ],
        "extensions": {"cost": {"requestedQueryCost": 2502}},
    }
    f = Fixture([httpx.Response(200, json=body)])
    with pytest.raises(PermanentError, match="page_size"):
        f.client.execute(DOC)


def test_internal_server_error_in_graphql_errors_is_retried() -> None:
    body = {"errors": [{"message": "Internal error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}
    f = Fixture([httpx.Response(200, json=body), ok()])
    assert f.client.execute(DOC) == {"shop": {"name": "x"}}
    assert f.client.transient_retries == 1


def test_non_json_200_is_transient() -> None:
    f = Fixture([httpx.Response(200, text="<html>gateway</html>"), ok()])
    assert f.client.execute(DOC) == {"shop": {"name": "x"}}


def test_a_private_budget_is_created_when_none_is_given() -> None:
    client = ShopifyGraphQL("example.myshopify.com", TOKEN, transport=httpx.MockTransport(lambda r: ok()))
    assert client.endpoint == "https://example.myshopify.com/admin/api/2025-10/graphql.json"
    assert client.budget.capacity == 1000 and client.budget.refill_per_second == 50
    client.close()


@pytest.mark.parametrize(
    "name",
    [
        "ORDERS_UPDATED_SINCE",
        "ORDER_BY_ID",
        "VARIANTS_BY_SKU",
        "LOCATIONS",
        "INVENTORY_LEVELS",
        "INVENTORY_SET_QUANTITIES",
        "WEBHOOK_SUBSCRIPTION_CREATE",
        "WEBHOOK_SUBSCRIPTIONS",
    ],
)
def test_every_document_the_connector_sends_is_valid_graphql(name: str) -> None:
    parse(getattr(queries, name))
