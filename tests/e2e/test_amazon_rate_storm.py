"""A 429 storm slows the Amazon connector without losing or duplicating anything: while
Amazon answers QuotaExceeded to most of the Selling Partner API's requests, orders come in
by ORDER_CHANGE notifications and by the reconciling poll; every one becomes exactly one
sale in the real Tryton, nothing is parked, and the sandbox's log shows the 429s, the
connector waiting out each one and never asking more than the usage plan's bucket allows."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.hub import Hub
from causeway_sandbox.amazon import AmazonSandboxServer
from causeway_sandbox.amazon.settings import AmazonSandboxSettings, UsagePlanSetting
from causeway_sandbox.tryton.server import TrytonServer
from tests.amazon_notifications.local_sqs import LocalSqs, start_local_sqs
from tests.e2e.test_amazon_orders import Seller, amazon_hub_config, eventually, sales_by_order

pytestmark = pytest.mark.tryton

# Amazon's documented bursts, refilled faster than Amazon does so that the test is quick.
PLANS = {
    "searchOrders": UsagePlanSetting(rate=2.0, burst=20),
    "getOrder": UsagePlanSetting(rate=5.0, burst=30),
}
# The storm: the next few requests, then this share of all, answered 429 QuotaExceeded.
STORM = {"next_429": 4, "rate_429": 0.6}
ORDERS = 6
LOST = 2  # orders whose notification never arrives: the poll brings them


@pytest.fixture
def amazon() -> Iterator[AmazonSandboxServer]:
    defaults = AmazonSandboxSettings()
    settings = AmazonSandboxSettings(usage_plans={**defaults.usage_plans, **PLANS})
    with AmazonSandboxServer(settings) as server:
        yield server


@pytest.fixture
def sqs() -> Iterator[LocalSqs]:
    local = start_local_sqs()
    yield local
    local.server.stop()


def api_calls(amazon: AmazonSandboxServer, operation: str) -> list[dict[str, Any]]:
    return [c for c in amazon.control("GET", "calls").json() if c["operation"] == operation]


def answered(amazon: AmazonSandboxServer, operation: str) -> bool:
    return any(c["status"] == 200 for c in api_calls(amazon, operation))


def waits_after_429s(calls: list[dict[str, Any]]) -> list[float]:
    """Seconds from each 429 to the operation's next request."""
    at = [datetime.fromisoformat(c["at"]) for c in calls]
    return [
        (at[n + 1] - at[n]).total_seconds()
        for n, call in enumerate(calls[:-1])
        if call["status"] == 429
    ]


def test_a_429_storm_slows_the_connector_without_losing_or_duplicating_an_order(
    tryton_server: TrytonServer,
    amazon: AmazonSandboxServer,
    sqs: LocalSqs,
    prefix: str,
    tmp_path: Path,
) -> None:
    queue_url = sqs.new_queue(visibility_timeout=5)
    seller = Seller(amazon, sqs, queue_url)
    config = amazon_hub_config(
        tmp_path, tryton_server, amazon, sqs, queue_url, prefix, reconcile_every="2s"
    )
    hub = Hub(parse_config(config, env={}))
    hub.start(workers=2)
    try:
        # Calm first: each operation's first answer states the account's rate
        # (x-amzn-RateLimit-Limit) and the connector adopts it. (Before that it keeps
        # Amazon's documented plan: a 429 on searchOrders would wait three minutes.)
        first = seller.checkout(quantity=1)  # Amazon notifies the seller's queue
        eventually(
            lambda: answered(amazon, "getOrder") and answered(amazon, "searchOrders"),
            15,
            "the first getOrder and searchOrders answered",
        )

        amazon.control("PUT", "faults", json=STORM)
        seller.unsubscribe()  # the first orders' notifications are lost
        orders = [seller.checkout(quantity=1 + n % 2) for n in range(LOST)]
        seller.subscribe()
        orders += [seller.checkout(quantity=1 + n % 2) for n in range(LOST, ORDERS)]
        eventually(
            lambda: len(sales_by_order(tryton_server, prefix)) == ORDERS + 1,
            30,
            "every order in the ERP through the storm",
        )
        parked = hub.jobs.dead()
    finally:
        hub.stop()

    by_order = sales_by_order(tryton_server, prefix)
    assert set(by_order) == {first, *orders}, "lost orders"
    assert Counter(len(states) for states in by_order.values()) == {1: ORDERS + 1}, (
        f"an order with more than one sale: {by_order}"
    )
    assert parked == [], f"parked during the storm: {parked}"
    assert sqs.depth(queue_url) == 0, "every notification stored, then deleted"

    calls = {op: api_calls(amazon, op) for op in PLANS}
    storm = {op: sum(c["status"] == 429 for c in found) for op, found in calls.items()}
    assert sum(storm.values()) >= STORM["next_429"], f"no storm: {storm}"
    # Every request beyond the injected 429s fitted the sandbox's bucket: the connector
    # paced itself at the rate Amazon stated and never spent more than the burst.
    assert amazon.control("GET", "stats").json()["quota_refusals"] == 0
    # ... and each 429 was waited out (the bucket emptied, refilled at the stated rate,
    # shared by both workers), not answered by asking again at once.
    for op, found in calls.items():
        gaps = waits_after_429s(found)
        if gaps:
            refill = 1.0 / PLANS[op].rate
            assert statistics.median(gaps) >= 0.8 * refill, (
                f"{op}: after a 429 the next request came {gaps}s later, not after the "
                f"bucket's refill ({refill}s)"
            )
