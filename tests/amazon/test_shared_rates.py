"""Two hub processes on one store spend one selling account's requests once.

Each "process" here is a connector with its own RateBudgets on its own StoreBuckets: they
share nothing but the store's row, as two `causeway worker` processes do (real processes
are in tests/engine/test_shared_rate_processes.py). The sandbox keeps Amazon's own bucket
for getOrder and answers 429 QuotaExceeded when it is empty.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from causeway.config import parse_config
from causeway.connectors.amazon import AmazonConnector
from causeway.engine.rate import RateBudget, RateBudgets
from causeway.engine.schema import rate_buckets
from causeway.engine.shared_rate import StoreBuckets, StoreRateBudget
from causeway.engine.store import Store
from causeway.hub import Hub
from causeway_sandbox.amazon import AmazonSandboxServer
from causeway_sandbox.amazon.settings import UsagePlanSetting
from tests.amazon.conftest import new_order
from tests.amazon.test_config import GOOD as AMAZON
from tests.unit.files_support import hub_config

Connect = Callable[..., AmazonConnector]
ORDER = "111-0000000-0000001"
READS = 25  # each: 50 getOrder in all, against a burst of 30 (Amazon's, on both sides)


def read_at_once(connectors: list[AmazonConnector]) -> None:
    def read(connector: AmazonConnector) -> None:
        for _ in range(READS):
            connector.order_node(ORDER)

    threads = [threading.Thread(target=read, args=(c,)) for c in connectors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def sandbox_with_getorder_at(amazon: AmazonSandboxServer, rate: float) -> None:
    sandbox = amazon.sandbox
    sandbox.buckets.reset(
        {**sandbox.settings.usage_plans, "getOrder": UsagePlanSetting(rate=rate, burst=30)}
    )
    amazon.control("POST", "orders", json=[new_order(ORDER)])


def refused(amazon: AmazonSandboxServer) -> int:
    answers = amazon.control("GET", "calls").json()
    return sum(1 for c in answers if c["operation"] == "getOrder" and c["status"] == 429)


def test_two_processes_on_one_store_never_overdraw_the_selling_accounts_bucket(
    amazon: AmazonSandboxServer, connect: Connect, sqlite_store: Store
) -> None:
    sandbox_with_getorder_at(amazon, rate=10)
    processes = [RateBudgets(shared=StoreBuckets(sqlite_store)) for _ in range(2)]
    one, two = (connect(budgets=budgets) for budgets in processes)
    bucket = one.client.operations.budget("getOrder")
    assert isinstance(bucket, StoreRateBudget)
    # A first read each: the access tokens, and the rate Amazon states. Then Amazon's
    # bucket is full again and ours is not (two reads ahead of it, never behind).
    one.order_node(ORDER)
    two.order_node(ORDER)
    sandbox_with_getorder_at(amazon, rate=10)
    read_at_once([one, two])
    assert refused(amazon) == 0, "the processes together kept to Amazon's bucket"
    # Both learned the rate Amazon states in x-amzn-RateLimit-Limit, from the one row.
    assert [c.client.operations.budget("getOrder").refill_per_second for c in (one, two)] == [
        10,
        10,
    ]
    for budgets in processes:
        budgets.close()


def test_each_process_with_its_own_bucket_overdraws_it(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    """What the shared bucket prevents: two buckets of 30 spend 60 from Amazon's 30. The
    429s are waited out and every read succeeds, but Amazon counts them."""
    sandbox_with_getorder_at(amazon, rate=10)
    one, two = connect(budgets=RateBudgets()), connect(budgets=RateBudgets())
    read_at_once([one, two])
    assert refused(amazon) > 0


def test_the_hub_gives_amazon_its_stores_buckets_and_the_other_systems_their_own(
    tmp_path: Path,
) -> None:
    data = hub_config(tmp_path)
    data["systems"]["amazon"] = dict(AMAZON)
    hub = Hub(parse_config(data, env={}))
    try:
        amazon = hub.connectors["amazon"]
        assert isinstance(amazon.client.operations.budget("getOrder"), StoreRateBudget)
        with hub.store.read() as conn:
            names = set(conn.execute(select(rate_buckets.c.name)).scalars())
        assert names == {
            "amazon:https://sellingpartnerapi-na.amazon.com:A3SELLER:getOrder",
        }, "a row per operation used, named without a secret"
        # A credential's budget (Shopify's, WooCommerce's) stays the process's own.
        own = hub.budgets.for_credential(
            "shopify", "https://x", "t", capacity=40, refill_per_second=2
        )
        assert type(own) is RateBudget
    finally:
        hub.stop(timeout=1)
