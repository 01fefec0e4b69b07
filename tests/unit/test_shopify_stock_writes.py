"""Stock writes and Shopify's idempotency keys (mandatory on inventorySetQuantities since
2026-04): a call whose answer was lost is sent again with the same key, so Shopify
applies it once; an answer that says an earlier send is unsettled is retried later."""

from __future__ import annotations

import json

import httpx
import pytest

from causeway.connectors.http_retry import RetryPolicy
from causeway.connectors.shopify.connector import QuantityChange, ShopifyConnector
from causeway.engine.rate import RateBudget
from causeway.errors import RetryableError
from tests.unit.test_shopify_client import TOKEN, FakeTime, ok

CHANGE = QuantityChange(
    inventory_item_id="gid://shopify/InventoryItem/1",
    location_id="gid://shopify/Location/1",
    quantity=7,
    compare_quantity=5,
)


def connector(answers: list[httpx.Response]) -> tuple[ShopifyConnector, list[dict]]:
    sent: list[dict] = []

    def shop(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return answers.pop(0)

    time = FakeTime()
    return (
        ShopifyConnector(
            "https://example.myshopify.com",
            TOKEN,
            budget=RateBudget("test", 1000, 50, clock=time.clock, sleep=time.sleep),
            retry=RetryPolicy(max_attempts=3),
            transport=httpx.MockTransport(shop),
        ),
        sent,
    )


def test_a_write_whose_answer_was_lost_is_sent_again_with_the_same_key() -> None:
    applied = ok({"inventorySetQuantities": {"userErrors": []}})
    store, sent = connector([httpx.Response(502), applied])
    outcome = store.set_available([CHANGE])
    assert outcome.applied == [CHANGE]
    assert len(sent) == 2 and sent[0] == sent[1], "the resend is the same call, key and all"
    assert sent[0]["variables"]["idempotencyKey"]


def test_the_next_write_gets_a_key_of_its_own() -> None:
    applied = ok({"inventorySetQuantities": {"userErrors": []}})
    store, sent = connector([applied, applied])
    store.set_available([CHANGE])
    store.set_available([CHANGE])
    assert sent[0]["variables"]["idempotencyKey"] != sent[1]["variables"]["idempotencyKey"]


@pytest.mark.parametrize(
    "code", ["IDEMPOTENCY_CONCURRENT_REQUEST", "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"]
)
def test_an_unsettled_earlier_send_makes_the_job_retry_from_a_fresh_read(code: str) -> None:
    error = {"code": code, "field": None, "message": "This request is currently in progress"}
    store, _ = connector([ok({"inventorySetQuantities": {"userErrors": [error]}})])
    with pytest.raises(RetryableError, match=f"not settled an earlier send.*{code}"):
        store.set_available([CHANGE])
