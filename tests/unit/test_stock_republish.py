"""A sale in one channel republishes stock to the others within a second, and a burst of
orders shares one run."""

from __future__ import annotations

from causeway.engine.inbox import InboxRecord
from causeway.flows.stock_to_channels.flow import REPUBLISH_WINDOW, republish_job


def order(n: int) -> InboxRecord:
    return InboxRecord(
        source="shop_eu", event_id=f"e{n}", topic="orders/create", entity_key=f"{n}", body=b"{}"
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
