"""fulfillments-to-channels wired from causeway.yaml: which shipments are the flow's, and
which ordering key their jobs run under."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from causeway.config import parse_config
from causeway.connectors.tryton.shipments import DoneShipment, ShippedLine
from causeway.engine import links
from causeway.engine.inbox import InboxRecord
from causeway.engine.schedule import HELD_UNTIL
from causeway.flows import fulfillments_to_channels as fulfil
from causeway.hub import Hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
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
            "flows": {
                "orders-to-erp": {"source": "shop", "target": "erp", "reference_prefix": "web-"},
                "fulfillments-to-channels": {
                    "source": "erp",
                    "targets": ["shop"],
                    "tracking_urls": {"UPS": "https://ups.example/t/{number}"},
                },
            },
        },
        env={},
    )
    running = Hub(config)
    yield running
    running.stop()


def shipment(reference: str | None, sale_id: int = 7) -> DoneShipment:
    return DoneShipment(
        id=5,
        number="CS5",
        done_at=datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
        carrier="UPS",
        tracking_number="1Z5",
        lines=(ShippedLine(sku="WID-001", quantity=Decimal(1), sale_id=sale_id),),
        sales={sale_id: reference},
    )


def flow(hub: Hub) -> fulfil.FulfillmentsToChannels:
    return hub.flows[fulfil.NAME]  # type: ignore[return-value]


def test_a_shipment_of_a_linked_sale_runs_under_the_orders_key(hub: Hub) -> None:
    with hub.store.transaction() as conn:
        links.save(conn, hub_id="H1", system="shop", entity_type="order", external_id="99")
        links.save(conn, hub_id="H1", system="erp", entity_type="sale", external_id="7")
    record = flow(hub)._record(shipment("web-1001"))
    assert record is not None
    assert (record.source, record.topic, record.event_id) == ("erp", fulfil.TOPIC, "shipment:5")
    assert record.entity_key == "shop:order:99"
    (job,) = hub.route(record, inbox_id=1)
    assert (job.flow, job.ordering_key) == (fulfil.NAME, "shop:order:99")
    assert job.run_at == HELD_UNTIL  # held until the run that found it releases it


def test_an_unlinked_sale_with_the_stores_prefix_is_kept_and_a_manual_sale_is_not(
    hub: Hub,
) -> None:
    unknown = flow(hub)._record(shipment("web-1002"))
    assert unknown is not None and unknown.entity_key == "erp:shipment:5"
    assert flow(hub)._record(shipment("PHONE-77")) is None
    assert flow(hub)._record(shipment(None)) is None


def test_store_webhooks_do_not_start_fulfilment_jobs(hub: Hub) -> None:
    record = InboxRecord("shop", "e1", "fulfillments/create", "fulfillment:1", b"{}")
    assert [j.flow for j in hub.route(record, inbox_id=2)] == []


def test_a_shipment_record_that_does_not_parse_is_parked_with_the_reason(hub: Hub) -> None:
    broken = InboxRecord("erp", "shipment:6", fulfil.TOPIC, "erp:shipment:6", b'{"id": 6}')
    good_key = InboxRecord("erp", "shipment:8", fulfil.TOPIC, "erp:shipment:8", b"[")
    hub.inbox.accept([broken, good_key])
    assert hub.jobs.release_held(fulfil.NAME) == 2
    hub.new_worker().run_until_idle(timeout=30)
    reasons = sorted(d["last_error"] for d in hub.jobs.dead())
    assert len(reasons) == 2
    assert all("not a shipment" in r and fulfil.TOPIC in r for r in reasons)
    assert any("shipment:6" in r for r in reasons) and any("shipment:8" in r for r in reasons)


def test_before_the_hub_placed_any_sale_a_poll_asks_the_erp_nothing(hub: Hub) -> None:
    # The ERP in this configuration is unreachable: any call would fail the poll.
    assert flow(hub).poll() == 0
