"""The hub built from causeway.yaml: settings reach their connector; stock held back for
store orders the ERP does not have yet, and only for those."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from causeway.config import parse_config
from causeway.engine import links
from causeway.engine.inbox import InboxRecord
from causeway.hub import Hub


def order_body(order_id: int, sku: str, quantity: int) -> bytes:
    return json.dumps(
        {
            "id": order_id,
            "name": f"#{order_id}",
            "email": "a@example.com",
            "currency": "USD",
            "created_at": "2026-11-22T10:00:00Z",
            "updated_at": "2026-11-22T10:00:00Z",
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


def test_orders_not_in_the_erp_hold_stock_and_orders_already_there_do_not(tmp_path: Path) -> None:
    config = parse_config(
        {
            "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
            "systems": {
                "shop": {
                    "type": "shopify",
                    "shop_url": "http://127.0.0.1:9",
                    "access_token": "t",
                    "webhook_secret": "s",
                },
                "erp": {
                    "type": "tryton",
                    "url": "http://127.0.0.1:9",
                    "database": "d",
                    "username": "u",
                    "password": "p",
                },
            },
            "flows": {"orders-to-erp": {"source": "shop", "target": "erp"}},
        },
        env={},
    )
    hub = Hub(config)
    try:
        hub.inbox.accept(
            [
                InboxRecord("shop", "e1", "orders/create", "order:1", order_body(1, "WID-001", 2)),
                InboxRecord("shop", "e2", "orders/create", "order:2", order_body(2, "WID-001", 3)),
                InboxRecord("shop", "e3", "orders/updated", "order:3", order_body(3, "GAD-001", 4)),
            ]
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
        assert hub.held_quantities() == {"WID-001": Decimal(5)}
    finally:
        hub.stop()


def test_erp_settings_from_the_file_reach_the_tryton_connector(tmp_path: Path) -> None:
    config = parse_config(
        {
            "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
            "systems": {
                "erp": {
                    "type": "tryton",
                    "url": "http://127.0.0.1:9",
                    "database": "d",
                    "username": "u",
                    "password": "p",
                    "warehouse": "WH2",
                    "payment_term": "Net 30",
                }
            },
        },
        env={},
    )
    hub = Hub(config)
    try:
        erp = hub.connectors["erp"]
        assert erp.master.payment_term_name == "Net 30"
        assert erp.master.warehouse_code == "WH2"
    finally:
        hub.stop()


def test_the_store_is_asked_for_the_webhooks_enabled_flows_take_and_no_internal_topic(
    tmp_path: Path,
) -> None:
    from tests.unit.test_config import ENV, example

    data = example()
    data["store"]["url"] = f"sqlite:///{tmp_path / 'hub.db'}"
    data["flows"]["payments-and-invoices"] = {"source": "shop", "target": "erp"}
    hub = Hub(parse_config(data, env=ENV))
    try:
        topics = hub.webhook_topics("shop")
    finally:
        hub.stop()
    assert {"orders/create", "orders/updated", "orders/paid"} <= set(topics)
    assert not [t for t in topics if t.endswith("/poll")]
