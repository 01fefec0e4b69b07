"""A sale in one channel republishes stock to the others within a second, and a burst of
orders shares one run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from causeway.engine.inbox import InboxRecord
from causeway.flows.stock_to_channels.flow import REPUBLISH_WINDOW, republish_job
from causeway.hub import Hub
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
