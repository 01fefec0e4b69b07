"""Stock held back for orders a store took that the ERP does not have yet, read from the
hub's own inbox, jobs and links (stock/held.py), on every supported database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from causeway.config import parse_config
from causeway.engine import links
from causeway.engine.inbox import InboxRecord
from causeway.engine.store import Store
from causeway.hub import Hub
from causeway.stock.held import held_by_channel, held_quantities
from tests.unit.hub_configs import hub_config, hub_yaml


def order_body(order_id: int, sku: str, quantity: int, *, cancelled: bool = False) -> bytes:
    return json.dumps(
        {
            "id": order_id,
            "name": f"#{order_id}",
            "email": "a@example.com",
            "currency": "USD",
            "created_at": "2026-11-22T10:00:00Z",
            "updated_at": "2026-11-22T10:00:00Z",
            "cancelled_at": "2026-11-22T11:00:00Z" if cancelled else None,
            "subtotal_price": "10.00",
            "total_tax": "0.00",
            "total_price": "10.00",
            "line_items": [
                {
                    "id": order_id * 10,
                    "sku": sku,
                    "title": sku,
                    "name": sku,
                    "quantity": quantity,
                    "price": "1.00",
                }
            ],
        }
    ).encode()


def received(order_id: int, sku: str, quantity: int, **kind: bool) -> InboxRecord:
    body = order_body(order_id, sku, quantity, **kind)
    return InboxRecord("shop", f"e{order_id}", "orders/create", f"order:{order_id}", body)


@pytest.fixture
def hub(tmp_path: Path, store: Store) -> Iterator[Hub]:
    config = hub_config(tmp_path, {"orders-to-erp": {"source": "shop", "target": "erp"}})
    running = Hub(config, store=store)
    yield running
    running.stop()


def held(hub: Hub) -> dict[str, Decimal]:
    return held_quantities(hub.store, hub.inbox, hub.jobs, hub.connectors)


def test_orders_not_in_the_erp_hold_stock_and_orders_already_there_do_not(hub: Hub) -> None:
    hub.inbox.accept(
        [received(1, "WID-001", 2), received(2, "WID-001", 3), received(3, "GAD-001", 4)]
    )
    with hub.store.transaction() as conn:  # order 3 reached the ERP earlier
        links.save(
            conn,
            hub_id="h3",
            system="shop",
            entity_type="order",
            external_id="3",
            fingerprint="in_erp",
        )
    assert held(hub) == {"WID-001": Decimal(5)}


def test_a_parked_order_still_holds_its_stock_and_a_placed_one_no_longer_does(hub: Hub) -> None:
    hub.inbox.accept([received(1, "WID-001", 2), received(2, "WID-001", 3)])
    (first, second) = hub.jobs.claim("w", ["orders-to-erp"], limit=2, lease_seconds=30)
    hub.jobs.kill(first, "w", "unknown SKU")  # parked until someone replays it
    hub.jobs.complete(second, "w")  # done: the ERP has it
    assert held(hub) == {"WID-001": Decimal(2)}


def test_a_cancelled_order_and_a_payload_that_does_not_parse_hold_nothing(hub: Hub) -> None:
    broken = InboxRecord("shop", "e9", "orders/create", "order:9", b"not json")
    hub.inbox.accept([received(1, "WID-001", 2, cancelled=True), broken, received(2, "B", 1)])
    assert held(hub) == {"B": Decimal(1)}


def test_each_stores_orders_are_held_apart_for_the_warehouse_that_ships_them(
    tmp_path: Path, store: Store
) -> None:
    channels = [{"system": "shop"}, {"system": "shop_eu", "reference_prefix": "eu-"}]
    data = hub_yaml(tmp_path, {"orders-to-erp": {"target": "erp", "channels": channels}})
    data["systems"]["shop_eu"] = data["systems"]["shop"]
    running = Hub(parse_config(data, env={}), store=store)
    try:
        eu = InboxRecord("shop_eu", "e9", "orders/create", "order:9", order_body(9, "WID-001", 5))
        running.inbox.accept([received(1, "WID-001", 2), eu])
        by_store = held_by_channel(running.store, running.inbox, running.jobs, running.connectors)
        assert by_store == {"shop": {"WID-001": Decimal(2)}, "shop_eu": {"WID-001": Decimal(5)}}
        assert held(running) == {"WID-001": Decimal(7)}
    finally:
        running.stop()


def test_an_order_whose_webhooks_came_twice_holds_its_stock_once_as_last_received(
    hub: Hub,
) -> None:
    created = received(1, "WID-001", 2)
    # orders/updated of the same order, before the ERP has it: the customer now wants 3.
    updated = InboxRecord(
        "shop", "e1-upd", "orders/updated", "order:1", order_body(1, "WID-001", 3)
    )
    hub.inbox.accept([created, received(2, "WID-001", 1), updated])
    assert held(hub) == {"WID-001": Decimal(4)}


def test_an_order_awaiting_payment_holds_its_latest_version_after_its_job_is_done(
    hub: Hub,
) -> None:
    """orders-to-erp finishes the job of an order not paid yet (Amazon's Pending) and
    records it awaiting payment: its units stay held until it is placed or cancelled."""
    updated = InboxRecord(
        "shop", "e1-upd", "orders/updated", "order:1", order_body(1, "WID-001", 3)
    )
    hub.inbox.accept([received(1, "WID-001", 2), updated])
    while claimed := hub.jobs.claim("w", ["orders-to-erp"], limit=5, lease_seconds=30):
        for job in claimed:  # one at a time: both are jobs of order 1
            hub.jobs.complete(job, "w")
    assert held(hub) == {}  # done, and the hub records nothing of it: placed
    with hub.store.transaction() as conn:
        links.save(
            conn,
            hub_id="h1",
            system="shop",
            entity_type="order",
            external_id="1",
            fingerprint="awaiting_payment",
        )
    assert held(hub) == {"WID-001": Decimal(3)}
