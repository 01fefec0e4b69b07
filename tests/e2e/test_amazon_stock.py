"""Stock from the real Tryton to Amazon (the Amazon sandbox) through the hub: the changed
SKUs go out in one JSON_LISTINGS_FEED, which the run does not wait for; a job settles it
once Amazon has processed it. One SKU Amazon refuses is parked with Amazon's message while
the others apply, and once the listing is fixed, replaying it sends that SKU alone. An FBA
listing of a Tryton product is never given the ERP's stock."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from causeway.config import parse_config
from causeway.engine.schema import jobs
from causeway.flows import stock_to_channels
from causeway.hub import Hub
from causeway_sandbox.amazon import AmazonSandboxServer, AmazonSandboxSettings
from causeway_sandbox.shopify import SandboxServer
from causeway_sandbox.tryton.server import TrytonServer
from tests.e2e.harness import hub_config, new_port
from tests.tryton_fixtures import connect

pytestmark = pytest.mark.tryton

BATTERIES = "'[batteries_required]' is required but not supplied."


@pytest.fixture(scope="module")
def amazon() -> Iterator[AmazonSandboxServer]:
    with AmazonSandboxServer(AmazonSandboxSettings(feed_processing_s=0.2)) as server:
        yield server


def feeds(amazon: AmazonSandboxServer) -> list[dict[str, Any]]:
    return amazon.control("GET", "feeds").json()  # type: ignore[no-any-return]


def test_a_tryton_stock_change_reaches_amazon_in_one_feed_and_a_refused_sku_is_parked_alone(
    tmp_path: Path, tryton_server: TrytonServer, sandbox: SandboxServer, amazon: AmazonSandboxServer
) -> None:
    # Products of the ERP's catalogue (every one stocked), as the hub has never published
    # them: to it, all of Tryton's stock is a change.
    bag, belt, cap, fba = "SKU-0008", "SKU-0009", "SKU-0010", "GAD-001"
    with connect(tryton_server) as erp:
        levels = {level.sku: level.forecast for level in erp.stock_levels([bag, belt, cap])}
    sellable = {sku: max(0, int(forecast)) for sku, forecast in levels.items()}
    assert all(sellable.values()), sellable
    amazon.control("POST", "reset")
    amazon.control(
        "POST",
        "listings",
        json=[{"sku": s, "productType": "LUGGAGE", "quantity": 0} for s in (bag, belt, cap)]
        + [{"sku": fba, "productType": "LUGGAGE", "fulfillmentChannelCode": "AMAZON_NA"}],
    )
    amazon.control(
        "POST", "listings/refusals", json={"sku": belt, "code": "90220", "message": BATTERIES}
    )
    config = hub_config(tmp_path, tryton_server, sandbox.url, new_port())
    config["systems"]["amazon"] = amazon.system_config(feed_poll_every="50ms")
    config["flows"][stock_to_channels.NAME]["targets"] = ["amazon", "shop"]
    hub = Hub(parse_config(config, env={}))
    hub.start(workers=0, scheduler=False)
    try:
        worker = hub.new_worker()
        amazon.control("POST", "feeds/processing", json={"seconds": 600})  # minutes, as Amazon
        assert hub.run_flow(stock_to_channels.NAME) == 1
        assert worker.run_once()

        # One feed, submitted: the run is done without waiting for Amazon to process it,
        # and the Shopify store has its quantities already.
        in_shop = httpx.get(f"{sandbox.url}/_sandbox/inventory").json()
        assert (in_shop[bag], in_shop[belt], in_shop[cap]) == (
            sellable[bag],
            sellable[belt],
            sellable[cap],
        )
        (feed,) = feeds(amazon)
        assert sorted(m["sku"] for m in feed["sent"]["messages"]) == sorted((bag, belt, cap))
        assert feed["processingStatus"] != "DONE"
        assert [j["state"] for j in stock_jobs(hub)] == ["done", "queued"]  # run, settle

        # Amazon processes it: the bag and the cap are on sale, the belt is refused with
        # Amazon's words, parked on its own.
        amazon.control("POST", "feeds/finish")
        work(hub, worker)
        shown = amazon.control("GET", "listings").json()
        assert (shown[bag], shown[belt], shown[cap]) == (sellable[bag], 0, sellable[cap])
        assert shown[fba] is None  # FBA: Amazon counts it, the ERP's 1000-odd never sent
        (parked,) = [j for j in stock_jobs(hub) if j["state"] == "dead"]
        assert parked["last_error"].startswith(
            f"amazon: SKU {belt}: Amazon refused it (listings feed "
        )
        assert f"90220: {BATTERIES}" in parked["last_error"]
        assert bag not in parked["last_error"] and cap not in parked["last_error"]
        assert len(feeds(amazon)) == 1  # the others checked, already right: nothing resent

        # The seller fixes the listing; the parked job's replay sends the belt alone.
        amazon.control("DELETE", f"listings/refusals/{belt}")
        amazon.control("POST", "feeds/processing", json={"seconds": 0.2})
        assert hub.jobs.replay(parked["id"]) == 1
        work(hub, worker)
        assert amazon.control("GET", "listings").json()[belt] == sellable[belt]
        last = feeds(amazon)[-1]
        assert [m["sku"] for m in last["sent"]["messages"]] == [belt]
        assert len(feeds(amazon)) == 2
        assert all(j["state"] == "done" for j in stock_jobs(hub)), stock_jobs(hub)
    finally:
        hub.stop()


def work(hub: Hub, worker: Any) -> None:
    """Run the stock jobs due, a settle job's next ask included, until none is left."""
    deadline = time.monotonic() + 30
    while any(j["state"] == "queued" for j in stock_jobs(hub)):
        assert time.monotonic() < deadline, stock_jobs(hub)
        if not worker.run_once():
            time.sleep(0.05)


def stock_jobs(hub: Hub) -> list[dict[str, Any]]:
    with hub.store.read() as conn:
        rows = conn.execute(
            select(jobs.c.id, jobs.c.state, jobs.c.attempts, jobs.c.last_error)
            .where(jobs.c.flow == stock_to_channels.NAME)
            .order_by(jobs.c.id)
        )
        return [dict(r._mapping) for r in rows]
