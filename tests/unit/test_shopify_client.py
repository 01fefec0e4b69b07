"""ShopifyGraphQL against an httpx.MockTransport that answers the way Shopify does.

Time is fake: the RateBudget's clock and sleep are injected, so every wait the
client makes is recorded (and checked) instead of slept.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from causeway.connectors.shopify.client import RetryPolicy, ShopifyGraphQL
from causeway.connectors.shopify.connector import QuantityChange, ShopifyConnector
from causeway.engine.rate import RateBudget
from causeway.errors import PermanentError, RetryableError

TOKEN = "shpat_secret_token_value"
DOC = "query Shop { shop { name } }"


TICK = 1e-6


class FakeTime:
    """A clock that only moves when slept on. Like a real clock it moves at least
    one tick per sleep: the budget may ask for a float-rounding remainder."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self._sleeps.append(seconds)
        self.now += max(seconds, TICK)

    @property
    def sleeps(self) -> list[float]:
        """The waits that matter (rounding remainders left out)."""
        return [s for s in self._sleeps if s > TICK]


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
    assert str(request.url) == "https://example.myshopify.com/admin/api/2026-10/graphql.json"
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
                "message": "Query cost is 2502, which exceeds the single query max cost limit (1000).",  # noqa: E501
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": 2502, "maxCost": 1000},
            }
        ],
        "extensions": {"cost": {"requestedQueryCost": 2502}},
    }
    f = Fixture([httpx.Response(200, json=body)])
    with pytest.raises(PermanentError, match="page_size"):
        f.client.execute(DOC)


def test_internal_server_error_in_graphql_errors_is_retried() -> None:
    body = {
        "errors": [{"message": "Internal error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]
    }
    f = Fixture([httpx.Response(200, json=body), ok()])
    assert f.client.execute(DOC) == {"shop": {"name": "x"}}
    assert f.client.transient_retries == 1


def test_non_json_200_is_transient() -> None:
    f = Fixture([httpx.Response(200, text="<html>gateway</html>"), ok()])
    assert f.client.execute(DOC) == {"shop": {"name": "x"}}


def test_a_private_budget_is_created_when_none_is_given() -> None:
    client = ShopifyGraphQL(
        "example.myshopify.com", TOKEN, transport=httpx.MockTransport(lambda r: ok())
    )
    assert client.endpoint == "https://example.myshopify.com/admin/api/2026-10/graphql.json"
    assert client.budget.capacity == 1000 and client.budget.refill_per_second == 50
    client.close()


# ------------------------------------------- connector logic over the same transport


class FakeShop:
    """Answers by operation name, records the variables the connector sent."""

    def __init__(self, answer: Callable[[str, dict[str, Any]], dict[str, Any]]) -> None:
        self.answer = answer
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        name = body["query"].split("(")[0].split()[-1]
        self.sent.append((name, body["variables"]))
        return ok(self.answer(name, body["variables"]))


def connector_for(shop: FakeShop) -> ShopifyConnector:
    return ShopifyConnector(
        "https://example.myshopify.com", TOKEN, transport=httpx.MockTransport(shop)
    )


def variant(n: int, sku: str) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/ProductVariant/{n}",
        "sku": sku,
        "product": {"id": f"gid://shopify/Product/{n}"},
        "inventoryItem": {"id": f"gid://shopify/InventoryItem/{n}", "tracked": True},
    }


def test_sku_lookup_keeps_exact_matches_only_and_batches_by_50() -> None:
    def answer(name: str, variables: dict[str, Any]) -> dict[str, Any]:
        # Shopify's search matches loosely: every SKU also brings a longer one.
        skus = [part.removeprefix("sku:") for part in variables["query"].split(" OR ")]
        nodes = [variant(i, s) for i, s in enumerate(skus)]
        nodes += [variant(1000 + i, s + "-XL") for i, s in enumerate(skus)]
        return {"productVariants": {"nodes": nodes[: variables["first"]]}}

    shop = FakeShop(answer)
    found = connector_for(shop).inventory_items_by_sku([f"S{n:03d}" for n in range(60)])
    assert sorted(found) == [f"S{n:03d}" for n in range(60)]
    assert all(not ref.sku.endswith("-XL") for ref in found.values())
    assert [len(v["query"].split(" OR ")) for _, v in shop.sent] == [50, 10]
    assert shop.sent[1][1]["query"].startswith("sku:S050 OR sku:S051")


def test_sku_search_values_with_syntax_characters_are_quoted() -> None:
    shop = FakeShop(lambda name, v: {"productVariants": {"nodes": []}})
    connector_for(shop).inventory_items_by_sku(["A B", 'C"D', "E:F", "PLAIN-1"])
    assert shop.sent[0][1]["query"] == 'sku:"A B" OR sku:"C\\"D" OR sku:"E:F" OR sku:PLAIN-1'


def test_every_change_carries_its_change_from_quantity_and_calls_hold_250_at_most() -> None:
    shop = FakeShop(lambda name, v: {"inventorySetQuantities": {"userErrors": []}})
    loc = "gid://shopify/Location/1"
    checked = [
        QuantityChange(inventory_item_id=f"i{n}", location_id=loc, quantity=n, compare_quantity=0)
        for n in range(260)
    ]
    unchecked = [QuantityChange(inventory_item_id="u1", location_id=loc, quantity=5)]
    outcome = connector_for(shop).set_available(unchecked + checked, reason="correction")
    assert len(outcome.applied) == 261 and not outcome.stale and not outcome.failed
    inputs = [v["input"] for _, v in shop.sent]
    assert [len(i["quantities"]) for i in inputs] == [250, 11]
    assert inputs[0]["quantities"][4] == {
        "inventoryItemId": "i3",
        "locationId": loc,
        "quantity": 3,
        "changeFromQuantity": 0,
    }
    # Not comparing is said explicitly: since 2026-04 Shopify refuses a quantity without it.
    assert inputs[0]["quantities"][0] == {
        "inventoryItemId": "u1",
        "locationId": loc,
        "quantity": 5,
        "changeFromQuantity": None,
    }
    assert all(i["name"] == "available" and i["reason"] == "correction" for i in inputs)
    assert all(set(i) == {"name", "reason", "quantities"} for i in inputs)
    keys = [v["idempotencyKey"] for _, v in shop.sent]
    assert len(set(keys)) == 2 and all(keys), "each call is a write of its own"


def test_a_user_error_naming_no_change_refuses_the_whole_call() -> None:
    error = {"code": "INVALID_REASON", "field": ["input", "reason"], "message": "bad reason"}
    shop = FakeShop(lambda name, v: {"inventorySetQuantities": {"userErrors": [error]}})
    change = QuantityChange(inventory_item_id="i", location_id="l", quantity=1)
    outcome = connector_for(shop).set_available([change], reason="nonsense")
    assert outcome.failed == [change] and outcome.applied == [] and outcome.stale == []
    assert outcome.errors == ["INVALID_REASON: bad reason (input.reason)"]


def test_orders_are_searched_from_the_watermark_in_utc_and_paged() -> None:
    pages = iter(
        [
            {"orders": {"pageInfo": {"hasNextPage": True, "endCursor": "c1"}, "nodes": []}},
            {"orders": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}},
        ]
    )
    shop = FakeShop(lambda name, v: next(pages))
    since = datetime(2025, 3, 1, 7, 30, 15, 999, tzinfo=timezone(timedelta(hours=-5)))
    assert list(connector_for(shop).order_changes_since(since, page_size=20)) == []
    assert [v for _, v in shop.sent] == [
        {"first": 20, "after": None, "query": "updated_at:>='2025-03-01T12:30:15Z'"},
        {"first": 20, "after": "c1", "query": "updated_at:>='2025-03-01T12:30:15Z'"},
    ]


def test_existing_webhook_subscriptions_are_kept_and_topics_become_enums() -> None:
    uri = "https://hub.example/webhooks/shopify"

    def answer(name: str, variables: dict[str, Any]) -> dict[str, Any]:
        if name == "WebhookSubscriptions":
            existing = [
                {"id": "gid://shopify/WebhookSubscription/1", "topic": "ORDERS_CREATE", "uri": uri}
            ]
            return {"webhookSubscriptions": {"nodes": existing}}
        return {
            "webhookSubscriptionCreate": {
                "userErrors": [],
                "webhookSubscription": {
                    "id": "gid://shopify/WebhookSubscription/2",
                    "topic": variables["topic"],
                    "uri": uri,
                },
            }
        }

    shop = FakeShop(answer)
    ids = connector_for(shop).subscribe_webhooks(uri, ["orders/create", "inventory_levels/update"])
    assert ids == {
        "orders/create": "gid://shopify/WebhookSubscription/1",
        "inventory_levels/update": "gid://shopify/WebhookSubscription/2",
    }
    assert shop.sent[1] == (
        "WebhookSubscriptionCreate",
        {"topic": "INVENTORY_LEVELS_UPDATE", "webhookSubscription": {"uri": uri, "format": "JSON"}},
    )


def test_changes_shopify_names_are_set_aside_and_the_rest_is_sent_again() -> None:
    def answer(name: str, variables: dict[str, Any]) -> dict[str, Any]:
        ids = [c["inventoryItemId"] for c in variables["input"]["quantities"]]
        errors = []
        for n, item in enumerate(ids):
            at = ["input", "quantities", str(n)]
            if item == "stale":
                errors.append(
                    {
                        "code": "CHANGE_FROM_QUANTITY_STALE",
                        "field": [*at, "changeFromQuantity"],
                        "message": "The changeFromQuantity value does not match persisted value.",
                    }
                )
            if item == "bad":  # two errors on one change still name one change
                errors.append(
                    {
                        "code": "INVALID_INVENTORY_ITEM",
                        "field": [*at, "inventoryItemId"],
                        "message": "The specified inventory item could not be found.",
                    }
                )
                errors.append(
                    {
                        "code": "INVALID_LOCATION",
                        "field": [*at, "locationId"],
                        "message": "The specified location could not be found.",
                    }
                )
        return {"inventorySetQuantities": {"userErrors": errors}}

    shop = FakeShop(answer)
    changes = {
        name: QuantityChange(
            inventory_item_id=name, location_id="l", quantity=1, compare_quantity=0
        )
        for name in ("ok1", "stale", "bad", "ok2")
    }
    outcome = connector_for(shop).set_available(list(changes.values()))
    assert outcome.applied == [changes["ok1"], changes["ok2"]]
    assert outcome.stale == [changes["stale"]]
    assert outcome.failed == [changes["bad"]]
    assert len(outcome.errors) == 2 and all("quantities.2" in e for e in outcome.errors)
    assert [len(v["input"]["quantities"]) for _, v in shop.sent] == [4, 2]
