"""The Amazon connector against the sandbox: pages, the cursor, tokens, 429s, 5xx, errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from causeway.connectors.amazon import AmazonConnector
from causeway.engine.rate import RateBudgets
from causeway.errors import InvalidPayloadError, PermanentError, RateLimitedError
from causeway.model import FinancialStatus
from causeway_sandbox.amazon import AmazonSandboxServer
from tests.amazon.conftest import new_order

Connect = Callable[..., AmazonConnector]


def seed(amazon: AmazonSandboxServer, *orders: dict[str, Any]) -> None:
    amazon.control("POST", "orders", json=list(orders))


def calls(amazon: AmazonSandboxServer, operation: str) -> list[dict[str, Any]]:
    return [c for c in amazon.control("GET", "calls").json() if c["operation"] == operation]


def test_every_order_is_listed_over_several_pages_oldest_change_first(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    seed(amazon, *(new_order(f"111-0000000-00000{i}") for i in range(7)))
    connector = connect()
    changes = list(connector.order_changes_since(None, page_size=2))
    assert sorted(c.external_id for c in changes) == [f"111-0000000-00000{i}" for i in range(7)]
    assert [c.updated_at for c in changes] == sorted(c.updated_at for c in changes)
    searches = calls(amazon, "searchOrders")
    assert len(searches) == 4  # 2 + 2 + 2 + 1
    assert all("paginationToken" in c["query"] for c in searches[1:])


def test_the_search_asks_only_the_blocks_the_mapping_reads(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    seed(amazon, new_order("111-0000000-0000001"))
    list(connect().order_changes_since(None))
    (search,) = calls(amazon, "searchOrders")
    assert "includedData=BUYER%2CRECIPIENT%2CPROCEEDS%2CFULFILLMENT" in search["query"]


def test_an_order_listed_by_the_search_is_not_fetched_again(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    seed(amazon, new_order("111-0000000-0000001", quantity=3))
    connector = connect()
    for change in connector.order_changes_since(None):  # as the reconciling poll reads
        order = connector.order_from_polled(connector.order_node(change.external_id))
        assert (order.lines[0].quantity, order.lines[0].sku) == (3, "WID-1")
        assert calls(amazon, "getOrder") == []  # no per-order call, no items call
    again = connector.order_from_polled(connector.order_node(change.external_id))
    assert again == order  # not listed by a search any more: read with getOrder
    assert len(calls(amazon, "getOrder")) == 1


def test_after_the_poll_an_order_is_fetched_as_it_is_now(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    """The search's copy serves the poll that listed the order, never a later ask (an
    ORDER_CHANGE notification's): by then the order may have changed."""
    seed(amazon, new_order("111-0000000-0000001", status="PENDING"))
    connector = connect()
    assert len(list(connector.order_changes_since(None))) == 1  # listed, not fetched
    amazon.control("PATCH", "orders/111-0000000-0000001", json={"fulfillmentStatus": "UNSHIPPED"})
    node = connector.order_node("111-0000000-0000001")
    assert connector.order_from_polled(node).channel_status == "UNSHIPPED"
    assert len(calls(amazon, "getOrder")) == 1


def test_a_status_change_is_listed_from_the_overlapping_cursor(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    old = datetime.now(UTC) - timedelta(days=3)
    seed(
        amazon,
        {**new_order("111-0000000-0000001", status="PENDING", created=old)},
        {**new_order("111-0000000-0000002", created=old)},
    )
    connector = connect()
    first = list(connector.order_changes_since(None))
    cursor = max(c.updated_at for c in first)
    amazon.control("POST", "clock", json={"advance_seconds": 600})
    amazon.control("PATCH", "orders/111-0000000-0000001", json={"fulfillmentStatus": "UNSHIPPED"})
    changes = list(connector.order_changes_since(cursor))
    changed = [c for c in changes if c.updated_at > cursor]
    assert [c.external_id for c in changed] == ["111-0000000-0000001"]
    order = connector.order_from_polled(connector.order_node("111-0000000-0000001"))
    assert (order.channel_status, order.financial_status) == ("UNSHIPPED", FinancialStatus.PAID)
    (search,) = calls(amazon, "searchOrders")[-1:]
    # The search reaches back before the cursor (Amazon's search lags its updates).
    asked = (cursor - timedelta(minutes=2)).strftime("%Y-%m-%dT%H%%3A%M%%3A%SZ")
    assert f"lastUpdatedAfter={asked}" in search["query"]


def test_an_order_changed_exactly_at_the_cursor_is_listed(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    seed(amazon, new_order("111-0000000-0000001"))
    connector = connect(search_overlap=timedelta(0))
    (change,) = connector.order_changes_since(None)
    assert [c.external_id for c in connector.order_changes_since(change.updated_at)] == [
        "111-0000000-0000001"
    ]


def test_an_expired_token_is_renewed_once_and_the_call_goes_through(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    seed(amazon, new_order("111-0000000-0000001"))
    connector = connect()
    list(connector.order_changes_since(None))
    amazon.control("POST", "tokens/expire")
    assert len(list(connector.order_changes_since(None))) == 1
    assert connector.client.tokens.exchanges == 2
    statuses = [c["status"] for c in calls(amazon, "searchOrders")]
    assert statuses == [200, 403, 200]


def test_a_token_refused_again_after_renewal_is_a_clear_permanent_error(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    connector = connect()
    amazon.sandbox.settings.token_lifetime_s = 0  # every token is born expired
    try:
        with pytest.raises(PermanentError, match="refused a fresh access token"):
            list(connector.order_changes_since(None))
    finally:
        amazon.sandbox.settings.token_lifetime_s = 3600


def test_wrong_app_credentials_are_a_clear_permanent_error(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    connector = connect()
    connector.client.tokens._credentials = connector.client.tokens._credentials.__class__(
        amazon.token_url, "wrong", "wrong", "wrong"
    )
    with pytest.raises(PermanentError, match=r"invalid_client.*client_id and client_secret"):
        list(connector.order_changes_since(None))


def test_a_429_storm_slows_the_client_and_loses_nothing(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    seed(amazon, *(new_order(f"111-0000000-00000{i}") for i in range(5)))
    connector = connect()
    # A first answer states the sandbox's rate (50/s); Amazon's 429s carry none, and at
    # the documented 0.0056/s a refill would take three minutes.
    list(connector.order_changes_since(None, page_size=5))
    amazon.control("PUT", "faults", json={"next_429": 6})
    started = time.monotonic()
    changes = list(connector.order_changes_since(None, page_size=2))
    elapsed = time.monotonic() - started
    assert len({c.external_id for c in changes}) == 5
    assert connector.client.throttle_waits == 6
    # Each 429 emptied the bucket: the client waited for it to refill at the sandbox's
    # stated 50/s (20 ms a request), not a fixed second.
    budget = connector.client.operations.budget("searchOrders")
    assert budget.refill_per_second == 50.0  # adopted from x-amzn-RateLimit-Limit
    assert budget.waits >= 6
    assert 0.1 <= elapsed < 3.0


def test_a_429_storm_longer_than_the_policy_is_a_rate_limited_error(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    from causeway.connectors.http_retry import RetryPolicy

    connector = connect(retry=RetryPolicy(max_throttle_waits=3))
    list(connector.order_changes_since(None))  # learns the sandbox's rate
    amazon.control("PUT", "faults", json={"next_429": 50})
    with pytest.raises(RateLimitedError, match="QuotaExceeded"):
        list(connector.order_changes_since(None))


def test_the_buckets_are_per_operation_and_selling_account(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    budgets = RateBudgets()
    one, two = connect(budgets=budgets), connect(budgets=budgets)
    assert one.client.operations.budget("searchOrders") is two.client.operations.budget(
        "searchOrders"
    )
    assert one.client.operations.budget("searchOrders") is not one.client.operations.budget(
        "getOrder"
    )
    fresh = one.client.operations.budget("searchOrders")
    assert (fresh.capacity, fresh.refill_per_second) == (20, 0.0056)  # Amazon's plan


def test_the_sandbox_refuses_beyond_the_burst_and_the_client_waits_instead(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    from causeway_sandbox.amazon.settings import UsagePlanSetting

    sandbox = amazon.sandbox
    sandbox.buckets.reset(
        {**sandbox.settings.usage_plans, "getOrder": UsagePlanSetting(rate=20, burst=2)}
    )
    seed(amazon, new_order("111-0000000-0000001"))
    connector = connect()
    for _ in range(6):
        connector.order_node("111-0000000-0000001")
    # The client's bucket (Amazon's burst of 30) is larger than the sandbox's (2): the
    # sandbox's 429s taught it, and every read still succeeded.
    assert len([c for c in calls(amazon, "getOrder") if c["status"] == 200]) == 6


def test_a_5xx_is_retried(amazon: AmazonSandboxServer, connect: Connect) -> None:
    seed(amazon, new_order("111-0000000-0000001"))
    amazon.control("PUT", "faults", json={"next_5xx": 2})
    connector = connect()
    assert len(list(connector.order_changes_since(None))) == 1
    assert connector.client.transient_retries == 2


def test_an_unknown_order_is_a_permanent_error(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    with pytest.raises(PermanentError, match="NotFound"):
        connect().order_node("999-0000000-0000000")


def test_a_malformed_order_gives_a_clear_error(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    broken = new_order("111-0000000-0000001")
    broken["orderItems"][0]["quantityOrdered"] = "two"
    seed(amazon, broken)
    with pytest.raises(InvalidPayloadError, match=r"111-0000000-0000001.*quantityOrdered"):
        list(connect().order_changes_since(None))


def test_amazon_has_no_order_webhooks(connect: Connect) -> None:
    with pytest.raises(PermanentError, match="no order webhooks"):
        connect().order_from_webhook({})


def test_the_stored_body_tells_its_version(amazon: AmazonSandboxServer, connect: Connect) -> None:
    import json

    seed(amazon, new_order("111-0000000-0000001"))
    connector = connect()
    (change,) = connector.order_changes_since(None)
    body = json.dumps(connector.order_node(change.external_id)).encode()
    assert connector.order_updated_at(body) == change.updated_at
    assert connector.order_updated_at(b"{}") is None
