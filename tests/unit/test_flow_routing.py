"""Which received changes start which flows' jobs, under which ordering key, and which
webhooks each system is asked for: the declarations' `starts`, seen through the hub."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from causeway.connectors.shopify.ingress import ShopifyIngress
from causeway.connectors.shopify.webhooks import sign_body
from causeway.connectors.tryton.shipments import DoneShipment, ShippedLine
from causeway.engine import links
from causeway.engine.flow_pauses import FlowPausedError, pause, resume
from causeway.engine.inbox import InboxRecord
from causeway.engine.jobs import HELD, QUEUED
from causeway.engine.schedule import HELD_UNTIL
from causeway.flows import fulfillments_to_channels as fulfil
from causeway.flows.quotes_to_erp import is_won_event
from causeway.hub import Hub
from tests.unit.hub_configs import hub_config

STORE_FLOWS = {
    "orders-to-erp": {"source": "shop", "target": "erp", "reference_prefix": "web-"},
    "cancellations": {"source": "shop", "target": "erp"},
    "returns-to-erp": {"source": "shop", "target": "erp"},
    "fulfillments-to-channels": {"source": "erp", "targets": ["shop"]},
}
CRM_FLOWS = {
    "quotes-to-erp": {"source": "crm", "target": "erp"},
    "margins-to-crm": {"source": "erp", "target": "crm"},
    "customers-to-crm": {"source": "shop", "target": "crm"},
    "cases": {"source": "crm", "target": "shop"},
}


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    running = Hub(hub_config(tmp_path, STORE_FLOWS | CRM_FLOWS))
    yield running
    running.stop()


def delivery(topic: str, body: dict[str, Any], event_id: str) -> InboxRecord:
    """A signed Shopify delivery, as the shop's receiver reads it."""
    raw = json.dumps(body).encode()
    headers = {
        "X-Shopify-Topic": topic,
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Hmac-Sha256": sign_body("s", raw),
    }
    return ShopifyIngress("shop", "s").record(headers, raw)


def crm_event(topic: str, entity: str, body: dict[str, Any] | None = None) -> InboxRecord:
    return InboxRecord("crm", f"{topic}-{entity}", topic, entity, json.dumps(body or {}).encode())


def test_a_refund_and_a_cancellation_start_jobs_under_their_orders_key(hub: Hub) -> None:
    refund = delivery("refunds/create", {"id": 5, "order_id": 77}, "e1")
    cancel = delivery("orders/cancelled", {"id": 77, "name": "#1077"}, "e2")
    (refund_job,) = hub.flows.route(refund, 1)
    cancel_jobs = hub.flows.route(cancel, 2)
    assert (refund_job.flow, refund_job.ordering_key) == ("returns-to-erp", "shop:order:77")
    # orders/cancelled is not an orders-to-erp topic: only the cancellation starts.
    assert [(j.flow, j.ordering_key) for j in cancel_jobs] == [("cancellations", "shop:order:77")]


def test_a_manual_schedule_holds_the_job_until_a_run(tmp_path: Path) -> None:
    manual = {"cancellations": {"source": "shop", "target": "erp", "schedule": "manual"}}
    hub = Hub(hub_config(tmp_path, manual))
    try:
        cancel = delivery("orders/cancelled", {"id": 1, "name": "#1"}, "e3")
        (job,) = hub.flows.route(cancel, 1)
        assert job.run_at == HELD_UNTIL
        hub.inbox.accept([cancel])
        assert hub.run_flow("cancellations") == 1  # the run releases it
    finally:
        hub.stop()


def test_a_paused_flow_holds_a_received_change_until_resumed(tmp_path: Path) -> None:
    """The change is stored and its job created held, through the hub's own routing; a
    run on demand is refused; resuming releases it."""
    hub = Hub(hub_config(tmp_path, {"cancellations": {"source": "shop", "target": "erp"}}))
    try:
        pause(hub.store, "cancellations", actor="ann@example.com")
        hub.inbox.accept([delivery("orders/cancelled", {"id": 1, "name": "#1"}, "e4")])
        assert hub.jobs.counts() == {("cancellations", HELD): 1}
        with pytest.raises(FlowPausedError, match="cancellations is paused"):
            hub.run_flow("cancellations")
        assert resume(hub.store, "cancellations", actor="ann@example.com") == 1
        assert hub.jobs.counts() == {("cancellations", QUEUED): 1}
    finally:
        hub.stop()


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


def fulfilments(hub: Hub) -> fulfil.FulfillmentsToChannels:
    flow = hub.flows[fulfil.NAME]
    assert isinstance(flow, fulfil.FulfillmentsToChannels)
    return flow


def test_a_shipment_of_a_linked_sale_runs_under_the_orders_key_held_for_its_run(hub: Hub) -> None:
    with hub.store.transaction() as conn:
        links.save(conn, hub_id="H1", system="shop", entity_type="order", external_id="99")
        links.save(conn, hub_id="H1", system="erp", entity_type="sale", external_id="7")
    record = fulfilments(hub)._record(shipment("web-1001"))
    assert record is not None
    assert (record.source, record.topic, record.event_id) == ("erp", fulfil.TOPIC, "shipment:5")
    assert record.entity_key == "shop:order:99"
    (job,) = hub.flows.route(record, inbox_id=1)
    assert (job.flow, job.ordering_key) == (fulfil.NAME, "shop:order:99")
    assert job.run_at == HELD_UNTIL  # held until the run that found it releases it


def test_store_webhooks_do_not_start_fulfilment_jobs(hub: Hub) -> None:
    record = InboxRecord("shop", "e1", "fulfillments/create", "fulfillment:1", b"{}")
    assert [j.flow for j in hub.flows.route(record, inbox_id=2)] == []


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


def test_a_ticket_webhook_starts_one_case_job_keyed_by_the_ticket(hub: Hub) -> None:
    (job,) = hub.flows.route(crm_event("ticket.creation", "ticket:77"), 1)
    assert (job.flow, job.ordering_key, job.payload) == ("cases", "crm:ticket:77", {"ticket": "77"})
    changed = crm_event("ticket.propertyChange.causeway_order_number", "ticket:77")
    assert len(hub.flows.route(changed, 2)) == 1
    # Our own writes of the order's state come back as webhooks: they start nothing.
    ours = crm_event("ticket.propertyChange.causeway_shipment", "ticket:77")
    assert hub.flows.route(ours, 3) == []


def test_a_dealstage_change_starts_a_quotes_job_keyed_by_the_deal_and_nothing_else_does(
    hub: Hub,
) -> None:
    won = crm_event("deal.propertyChange.dealstage", "deal:1001", {"propertyValue": "closedwon"})
    (job,) = hub.flows.route(won, 7)
    assert (job.flow, job.ordering_key, job.payload) == (
        "quotes-to-erp",
        "crm:deal:1001",
        {"inbox_id": 7},
    )
    assert hub.flows.route(crm_event("contact.creation", "contact:5"), 8) == []
    assert hub.flows.route(crm_event("deal.propertyChange.amount", "deal:1001"), 9) == []


def test_only_a_change_to_a_won_stage_is_a_won_deal() -> None:
    won = ("closedwon", "won-custom")
    topic = "deal.propertyChange.dealstage"
    assert is_won_event(topic, "won-custom", won)
    assert not is_won_event(topic, "contractsent", won)
    assert not is_won_event(topic, None, won)
    assert is_won_event("deals/poll", None, won)


def test_each_system_is_asked_for_the_webhooks_its_flows_take_and_no_internal_topic(
    hub: Hub,
) -> None:
    shop = hub.flows.webhook_topics("shop")
    assert {"orders/create", "orders/updated", "orders/cancelled", "refunds/create"} <= set(shop)
    assert not [t for t in shop if t.endswith("/poll")]  # written by the hub's own polls
    assert hub.flows.webhook_topics("crm") == [
        "deal.propertyChange.dealstage",
        "ticket.creation",
        "ticket.propertyChange.causeway_order_number",
    ]
    assert hub.flows.webhook_topics("erp") == []  # shipments are polled
