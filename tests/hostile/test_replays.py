"""Replayed old deliveries. Shopify signs only the body, so anyone holding an old signed
body (or a late retry) can send it again under a new X-Shopify-Event-Id: it passes the
signature and is no duplicate, so it is stored. What keeps it harmless is each flow's
decision; these are those decisions, one per flow that applies webhook data. HubSpot
signs a timestamp too: an old delivery is refused at the door.

The end-to-end proof for order edits, with the real Tryton, is
tests/e2e/test_payments_and_edits.py::test_a_stale_or_unchanged_event_never_amends."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from causeway.config.customers import CustomerSettings
from causeway.connectors.shopify.mapping import order_from_rest
from causeway.connectors.shopify.refunds import cancellation_from_rest
from causeway.customers.record import GoldenRecord
from causeway.customers.survivorship import apply
from causeway.engine.inbox import InboxRecord
from causeway.engine.links import Link
from causeway.errors import InvalidPayloadError
from causeway.flows.catalog_to_channels import store_edit_job
from causeway.flows.orders_to_erp.order_edits import is_edit, lines_fingerprint
from causeway.hub import Hub
from causeway.orders.record import timestamp
from tests.hostile.conftest import (
    CRM_WEBHOOK_URL,
    PORTAL,
    hubspot_headers,
    rows,
    shopify_signature,
)


def order(updated_at: str, quantity: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": 501,
        "name": "#1501",
        "currency": "EUR",
        "created_at": "2026-03-01T10:00:00+01:00",
        "updated_at": updated_at,
        "subtotal_price": "20.00",
        "total_tax": "0.00",
        "total_price": "20.00",
        "financial_status": "paid",
        "line_items": [
            {"id": 1, "title": "Widget", "sku": "WID-001", "quantity": quantity, "price": "10.00"}
        ],
        **extra,
    }


def test_an_old_order_body_sent_again_under_a_new_event_id_is_stored(
    hostile_hub: Hub, client: TestClient
) -> None:
    body = json.dumps(order("2026-03-01T10:05:00+01:00", 2)).encode()
    before = rows(hostile_hub)
    for _ in range(2):
        headers = {
            "X-Shopify-Topic": "orders/updated",
            "X-Shopify-Event-Id": str(uuid.uuid4()),
            "X-Shopify-Hmac-Sha256": shopify_signature(body),
        }
        assert client.post("/webhooks/shop", content=body, headers=headers).json()["stored"]
    # Accepted by design: the signature cannot tell a replay from a resend. The flows decide.
    assert rows(hostile_hub)[0] == before[0] + 2


def test_orders_an_older_edit_arriving_after_a_newer_one_never_amends_the_sale() -> None:
    newer = order_from_rest(order("2026-03-01T11:00:00+01:00", 3))
    older = order_from_rest(order("2026-03-01T10:30:00+01:00", 1))
    # The ERP sale was last amended to the newer event: its stamp and its lines.
    link = Link("hub-1", "shop", "order", "501", "in_erp", timestamp(newer.updated_at))
    known = lines_fingerprint(newer)
    assert not is_edit(older, timestamp(older.updated_at), link, known)
    # The same change of lines, newer than what was applied, is an edit: the guard is
    # the time, not the lines.
    later = order_from_rest(order("2026-03-01T12:00:00+01:00", 1))
    assert is_edit(later, timestamp(later.updated_at), link, known)


def test_products_an_old_products_update_carries_nothing_of_its_body() -> None:
    # The ERP owns products: a products/update only asks "check this product against the
    # ERP", so an old body and a new one make the very same job.
    old = InboxRecord("shop", "e-old", "products/update", "product:632910392", b'{"title":"A"}')
    new = InboxRecord("shop", "e-new", "products/update", "product:632910392", b'{"title":"B"}')
    assert (
        store_edit_job(old, 1).payload
        == store_edit_job(new, 2).payload
        == {
            "store": "shop",
            "store_product": "632910392",
        }
    )


def test_cancellations_an_active_order_sent_as_orders_cancelled_cancels_nothing() -> None:
    # The topic header is not signed: an old orders/updated body relabelled orders/cancelled
    # still says the order is not cancelled, and the job is parked with that reason.
    with pytest.raises(InvalidPayloadError, match="not cancelled in the store"):
        cancellation_from_rest(order("2026-03-01T10:05:00+01:00", 2))


def test_customers_an_older_crm_value_never_overwrites_a_newer_one() -> None:
    settings = CustomerSettings()
    record = GoldenRecord()
    apply(record, {"email": "new@example.com"}, "crm", 2_000.0, settings)
    changed = apply(record, {"email": "old@example.com"}, "crm", 1_000.0, settings)
    assert changed == {} and record.fields["email"].value == "new@example.com"


def hubspot_delivery(event_id: int) -> bytes:
    return json.dumps(
        [
            {
                "eventId": event_id,
                "portalId": PORTAL,
                "occurredAt": 1_700_000_000_000,
                "subscriptionType": "contact.propertyChange",
                "propertyName": "email",
                "propertyValue": "old@example.com",
                "objectId": 901,
            }
        ]
    ).encode()


def test_hubspot_a_captured_delivery_replayed_later_is_refused(
    hostile_hub: Hub, client: TestClient
) -> None:
    url = CRM_WEBHOOK_URL
    body = hubspot_delivery(7001)
    captured = hubspot_headers(url, body, age_ms=6 * 60 * 1000)  # sent six minutes ago
    before = rows(hostile_hub)
    response = client.post("/webhooks/crm", content=body, headers=captured)
    assert response.status_code == 401 and "over 5 minutes" in response.json()["error"]
    assert rows(hostile_hub) == before

    # Within the five minutes the same delivery is the same eventId: stored once.
    fresh = hubspot_headers(url, body)
    assert client.post("/webhooks/crm", content=body, headers=fresh).json()["stored"] is True
    again = client.post("/webhooks/crm", content=body, headers=fresh).json()
    assert again == {"stored": False, "duplicate": True, "event_id": "7001"}
    assert rows(hostile_hub)[0] == before[0] + 1
