"""A sale in one channel republishes stock to the others within a second, and a burst of
orders shares one run: a store's new-order webhook, or the first record of an order the
hub fetched itself (a marketplace's, polled or named by its ORDER_CHANGE notification)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from causeway.engine.inbox import FirstTopics, InboxRecord
from causeway.engine.jobs import QUEUED, NewJob
from causeway.flows.orders_to_erp.notified import polled_record
from causeway.flows.stock_to_channels.flow import NAME as STOCK
from causeway.flows.stock_to_channels.flow import REPUBLISH_WINDOW, republish_job
from causeway.hub import Hub
from causeway.model.topics import ORDER_CHANGE
from tests.unit.hub_configs import hub_config


def order(n: int, source: str = "shop_eu") -> InboxRecord:
    return InboxRecord(
        source=source, event_id=f"e{n}", topic="orders/create", entity_key=f"{n}", body=b"{}"
    )


def test_orders_in_the_same_second_share_one_run_due_at_its_end() -> None:
    first, second = republish_job(order(1), 1, at=100.2), republish_job(order(2), 2, at=100.9)
    assert first.dedupe_key == second.dedupe_key
    assert first.run_at == second.run_at == 100 + REPUBLISH_WINDOW
    assert first.payload == {"run": True}


def test_an_order_after_the_window_gets_a_run_of_its_own() -> None:
    # A run holds its key while it runs: an order during it must not be merged into it.
    assert (
        republish_job(order(1), 1, at=100.2).dedupe_key
        != republish_job(order(2), 2, at=101.1).dedupe_key
    )


def stock_hub(tmp_path: Path, **settings: Any) -> Hub:
    flows = {"stock-to-channels": {"source": "erp", "targets": ["shop", "woo"], **settings}}
    return Hub(hub_config(tmp_path, flows))


def test_a_sale_in_any_channel_starts_a_republish_by_default(tmp_path: Path) -> None:
    hub = stock_hub(tmp_path)
    try:
        for system in ("shop", "woo"):
            (job,) = hub.flows.route(order(1, system), 1)
            assert job.flow == "stock-to-channels" and job.payload == {"run": True}
            assert hub.flows.webhook_topics(system) == ["orders/create"]
    finally:
        hub.stop()


def test_a_batch_integration_publishes_on_its_schedule_only_whatever_is_sold(
    tmp_path: Path,
) -> None:
    hub = stock_hub(tmp_path, every="300s", republish_on_sale=False)
    try:
        assert hub.flows.route(order(1), 1) == []
        assert hub.flows.webhook_topics("shop") == []  # nothing to subscribe for it
        assert hub.run_flow("stock-to-channels") == 1  # the schedule still runs it
    finally:
        hub.stop()


# -- orders the hub fetches itself: a marketplace's, or a store's polled ------------------
class Republishes:
    """The records the inbox found to be an order's first, and the republish each started."""

    def __init__(self, hub: Hub) -> None:
        self.flows = hub.flows
        self.started: list[str] = []
        hub.inbox.firsts = self

    def first_topics(self) -> FirstTopics:
        return self.flows.first_topics()

    def route_first(self, record: InboxRecord, inbox_id: int) -> list[NewJob]:
        jobs = self.flows.route_first(record, inbox_id)
        self.started += [record.event_id for job in jobs if job.flow == STOCK]
        return jobs


def polled(order_id: str, version: int, source: str = "amazon") -> InboxRecord:
    """A version of an order as the poll (or a notification's fetch) stores it."""
    updated_at = datetime(2026, 12, 7, 9, version, tzinfo=UTC)
    return polled_record(source, order_id, updated_at, {"orderId": order_id})


def order_change(notification_id: str, order_id: str) -> InboxRecord:
    """Amazon's ORDER_CHANGE as the SQS reader stores it: it names the order, no more."""
    return InboxRecord("amazon", notification_id, ORDER_CHANGE, f"order:{order_id}", b"{}")


def marketplace_hub(tmp_path: Path, **settings: Any) -> Hub:
    flows = {
        "stock-to-channels": {"source": "erp", "targets": ["shop", "amazon"], **settings},
        "orders-to-erp": {"target": "erp", "channels": [{"system": "shop"}, {"system": "amazon"}]},
    }
    return Hub(hub_config(tmp_path, flows))


def test_a_new_amazon_order_republishes_once_not_at_each_later_version(tmp_path: Path) -> None:
    hub = marketplace_hub(tmp_path)
    try:
        seen = Republishes(hub)
        # The notification only names the order: the run waits for its lines.
        hub.inbox.accept([order_change("n-1", "902-1")])
        assert seen.started == []
        # Its version fetched for the notification is the order's first record: a sale.
        hub.inbox.accept([polled("902-1", 1)])
        assert seen.started == ["poll:902-1:2026-12-07T09:01:00+00:00"]
        # Paid, shipped: new versions of an order the hub has, no new sale.
        hub.inbox.accept([order_change("n-2", "902-1"), polled("902-1", 2)])
        hub.inbox.accept([polled("902-1", 3)])
        assert len(seen.started) == 1
        # orders-to-erp still takes every notification (to fetch it) and every version.
        assert hub.jobs.counts()[("orders-to-erp", QUEUED)] == 5
    finally:
        hub.stop()


def test_orders_first_found_by_the_poll_republish_each_once_per_batch(tmp_path: Path) -> None:
    hub = marketplace_hub(tmp_path)
    try:
        seen = Republishes(hub)
        hub.inbox.accept([polled("902-7", 1), polled("902-7", 2), polled("902-8", 1)])
        assert sorted(seen.started) == [
            "poll:902-7:2026-12-07T09:01:00+00:00",
            "poll:902-8:2026-12-07T09:01:00+00:00",
        ]
        assert hub.jobs.counts()[(STOCK, QUEUED)] >= 1  # one run, or two across a second
    finally:
        hub.stop()


def test_a_store_order_its_webhook_brought_is_not_a_new_sale_when_polled(tmp_path: Path) -> None:
    hub = marketplace_hub(tmp_path)
    try:
        seen = Republishes(hub)
        webhook = InboxRecord("shop", "w1", "orders/create", "order:55", b"{}")
        assert STOCK in [j.flow for j in hub.flows.route(webhook, 1)]
        hub.inbox.accept([webhook])
        hub.inbox.accept([polled("55", 1, source="shop")])
        assert seen.started == []
        # A store order whose webhook was lost is a sale when the poll finds it.
        hub.inbox.accept([polled("56", 1, source="shop")])
        assert seen.started == ["poll:56:2026-12-07T09:01:00+00:00"]
        # Polled and notified records are the hub's own: never subscribed as webhooks.
        for system in ("shop", "amazon"):
            assert "orders/poll" not in hub.flows.webhook_topics(system)
    finally:
        hub.stop()


def test_a_batch_integration_is_not_started_by_a_marketplace_sale(tmp_path: Path) -> None:
    hub = marketplace_hub(tmp_path, every="300s", republish_on_sale=False)
    try:
        seen = Republishes(hub)
        hub.inbox.accept([order_change("n-1", "902-2"), polled("902-2", 1)])
        assert seen.started == []
        assert ("stock-to-channels", QUEUED) not in hub.jobs.counts()
    finally:
        hub.stop()
