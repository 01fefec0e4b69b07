"""stock-to-channels with a channel that decides later (a marketplace that processes a feed
in minutes, as Amazon does): the run does not wait for it, a job settles the feed, a
refused SKU is parked with the channel's message and sent again on replay, and a SKU whose
feed is still being processed is left alone until it is settled, except to sell it out.
(Against the real Tryton and the Amazon sandbox: tests/e2e/test_amazon_stock.py.)"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select

from causeway.engine.jobs import JobQueue, NewJob, ordering_key
from causeway.engine.schema import jobs
from causeway.engine.store import Store
from causeway.engine.worker import Worker
from causeway.flows.stock_to_channels import StockToChannels
from causeway.flows.stock_to_channels.flow import NAME
from causeway.model.ports.channel import DeferredStock, QuantityChange, SetOutcome
from causeway.stock.allocation import Allocation
from tests.unit.test_stock_no_oversell import Erp, Shop


class Marketplace:
    """A channel that takes every change in a feed and applies it when it gets round to it
    (`process`); a SKU in `refusing` is refused with a message."""

    settle_every = 0.0
    settle_within = 600.0

    def __init__(self) -> None:
        self.available = 0
        self.feeds: dict[str, list[QuantityChange]] = {}
        self.processed: set[str] = set()
        self.refusing: dict[str, str] = {}
        self.patches: list[int] = []

    def primary_location_id(self) -> str:
        return "DEFAULT"

    def inventory_items_by_sku(self, skus: list[str]) -> dict[str, Any]:
        return {"TEE": type("Item", (), {"inventory_item_id": "TEE"})()}

    def available_quantities(self, ids: list[str], location_id: str) -> dict[str, int]:
        return {"TEE": self.available}

    def set_available(
        self, quantities: list[QuantityChange], *, reason: str, reference_uri: str
    ) -> SetOutcome:
        (change,) = quantities
        if change.quantity == 0:  # a sell-out is patched at once
            self.patches.append(0)
            self.available = 0
            return SetOutcome(applied=[change])
        receipt = f"feed-{len(self.feeds) + 1}"
        self.feeds[receipt] = [change]
        return SetOutcome(submitted=[change], receipt=receipt)

    def process(self, receipt: str) -> None:
        for change in self.feeds[receipt]:
            if change.inventory_item_id not in self.refusing:
                self.available = change.quantity
        self.processed.add(receipt)

    def settled(self, receipt: str, submitted: Sequence[QuantityChange]) -> SetOutcome | None:
        if receipt not in self.processed:
            return None
        refused = [c for c in submitted if c.inventory_item_id in self.refusing]
        return SetOutcome(
            applied=[c for c in submitted if c not in refused],
            failed=refused,
            errors=[
                f"amazon: SKU {c.inventory_item_id}: {self.refusing[c.inventory_item_id]}"
                for c in refused
            ],
        )


class Hub:
    def __init__(self, tmp_path: Path, erp: Erp, **targets: Any) -> None:
        self.store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
        self.queue = JobQueue(self.store)
        self.flow = StockToChannels(
            self.store,
            source="erp",
            source_connector=erp,  # type: ignore[arg-type]
            targets=targets,
            allocations={name: Allocation() for name in targets},
            queue=self.queue,
        )
        self.worker = Worker(self.store, self.queue, {NAME: self.flow}, idle_sleep=0.01)

    def run(self) -> None:
        self.queue.enqueue(stock_run())
        self.work()

    def work(self, rounds: int = 5) -> None:
        """What the workers do now (a settle job asks once a round)."""
        for _ in range(rounds):
            if not self.worker.run_once():
                return

    def jobs(self, state: str) -> list[dict[str, Any]]:
        with self.store.read() as conn:
            rows = conn.execute(
                select(jobs.c.payload, jobs.c.last_error, jobs.c.id).where(jobs.c.state == state)
            )
            return [{**json.loads(r.payload), "error": r.last_error, "id": r.id} for r in rows]

    def settling(self) -> list[dict[str, Any]]:
        return [j for j in self.jobs("queued") if "settle" in j]


def stock_run() -> NewJob:
    """A run asked for now (as `causeway sync stock` or the schedule asks)."""
    return NewJob(NAME, ordering_key(NAME, "run"), {"run": True})


def test_a_run_does_not_wait_for_a_marketplaces_feed_and_a_job_settles_it(
    tmp_path: Path,
) -> None:
    amazon, shop = Marketplace(), Shop()
    assert isinstance(amazon, DeferredStock)
    hub = Hub(tmp_path, Erp(10), amazon=amazon, shop=shop)

    hub.run()

    # The store has its figure at once; the marketplace's feed is being processed, and a
    # job asks after it: the run is over, nothing waits behind it.
    assert shop.available == 10 and amazon.available == 0
    assert [j["settle"]["receipt"] for j in hub.settling()] == ["feed-1"]
    assert hub.jobs("dead") == []

    amazon.process("feed-1")
    hub.work()
    assert amazon.available == 10
    assert hub.settling() == [] and hub.jobs("dead") == []


def test_a_refused_sku_is_parked_with_the_channels_message_and_its_replay_sends_it_again(
    tmp_path: Path,
) -> None:
    amazon = Marketplace()
    amazon.refusing["TEE"] = "90220: '[batteries_required]' is required but not supplied."
    hub = Hub(tmp_path, Erp(10), amazon=amazon)
    hub.run()
    amazon.process("feed-1")
    hub.work()

    (parked,) = hub.jobs("dead")
    assert parked["error"] == (
        "amazon: SKU TEE: 90220: '[batteries_required]' is required but not supplied."
    )
    assert parked["recheck"] == {"amazon": ["TEE"]}
    assert amazon.available == 0

    # The seller fixes the listing; replaying the parked job sends the SKU again.
    del amazon.refusing["TEE"]
    assert hub.queue.replay(parked["id"]) == 1
    hub.work()
    assert list(amazon.feeds) == ["feed-1", "feed-2"]
    amazon.process("feed-2")
    hub.work()
    assert amazon.available == 10
    assert [j["id"] for j in hub.jobs("dead")] == []


def test_a_change_while_its_feed_is_processed_waits_for_it_then_goes_out(
    tmp_path: Path,
) -> None:
    amazon, erp = Marketplace(), Erp(10)
    hub = Hub(tmp_path, erp, amazon=amazon)
    hub.run()
    erp.forecast = 7  # sold elsewhere while Amazon processes feed-1
    hub.run()

    # Two feeds of one SKU in flight could be applied in either order: the second waits.
    assert list(amazon.feeds) == ["feed-1"]
    amazon.process("feed-1")
    hub.work()  # settled: the SKU is checked against what Amazon shows, and sent
    assert list(amazon.feeds) == ["feed-1", "feed-2"]
    assert amazon.feeds["feed-2"][0].quantity == 7
    amazon.process("feed-2")
    hub.work()
    assert amazon.available == 7


def test_a_sell_out_does_not_wait_for_a_feed_being_processed(tmp_path: Path) -> None:
    amazon, erp = Marketplace(), Erp(10)
    hub = Hub(tmp_path, erp, amazon=amazon)
    hub.run()
    amazon.process("feed-1")
    hub.work()
    erp.forecast = 6
    hub.run()  # feed-2 is being processed when the last units sell elsewhere
    erp.forecast = 0
    hub.run()
    assert amazon.patches == [0] and amazon.available == 0

    # The older feed is applied after the patch: the settle's check puts the zero back.
    amazon.process("feed-2")
    assert amazon.available == 6
    hub.work()
    assert amazon.available == 0
    assert amazon.patches == [0, 0]


def test_a_feed_never_processed_is_checked_again_after_settle_within(tmp_path: Path) -> None:
    amazon = Marketplace()
    amazon.settle_within = 0.0
    hub = Hub(tmp_path, Erp(10), amazon=amazon)
    hub.queue.enqueue(stock_run())
    hub.work(rounds=3)  # the run, its settle job, the check after it
    # Nothing is known of feed-1: what Amazon shows is compared, and the SKU sent again.
    assert list(amazon.feeds) == ["feed-1", "feed-2"]
    assert hub.jobs("dead") == []


def test_a_run_settles_a_feed_processed_by_then_and_publishes_its_sku_itself(
    tmp_path: Path,
) -> None:
    amazon, erp = Marketplace(), Erp(10)
    amazon.settle_every = 60.0  # the settle job asks again in a minute
    hub = Hub(tmp_path, erp, amazon=amazon)
    hub.run()
    assert [j["settle"]["asked"] for j in hub.settling()] == [1]  # asked once: not yet

    # Amazon processes feed-1; a sale elsewhere starts a run before the settle job asks.
    amazon.process("feed-1")
    erp.forecast = 7
    hub.run()

    # The run settled feed-1 itself and sent the new figure: no wait for the settle job.
    assert list(amazon.feeds) == ["feed-1", "feed-2"]
    assert amazon.feeds["feed-2"][0].quantity == 7
    assert [j["settle"]["receipt"] for j in hub.settling()] == ["feed-2"]
