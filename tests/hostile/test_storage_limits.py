"""Signed deliveries whose keys the store cannot hold: on PostgreSQL (which checks column
widths and refuses NUL in text) they used to fail the commit, answered 503 and so were
retried by the sender forever, failing every delivery group-committed with them. Now
a delivery whose own headers are unusable is refused with 400 and a reason, and one
whose body id is no id is stored and parked like any unreadable body."""

from __future__ import annotations

import json
import uuid

import pytest
from fastapi.testclient import TestClient

from causeway.connectors.shopify.webhooks import UnkeyableWebhookError, entity_key
from causeway.engine.inbox import InboxRecord, unstorable
from causeway.hub import Hub
from tests.auth import hub_client
from tests.hostile.conftest import (
    CRM_WEBHOOK_URL,
    PORTAL,
    hubspot_headers,
    rows,
    shopify_signature,
)


@pytest.fixture(params=["sqlite", "postgres"])
def hub(request: pytest.FixtureRequest) -> Hub:
    name = "hostile_hub" if request.param == "sqlite" else "hostile_pg_hub"
    return request.getfixturevalue(name)


def shopify_post(client: TestClient, body: bytes, **headers: str) -> tuple[int, dict]:
    sent = {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-Hmac-Sha256": shopify_signature(body),
        **headers,
    }
    response = client.post("/webhooks/shop", content=body, headers=sent)
    return response.status_code, response.json()


def test_odd_keys_are_refused_or_parked_never_503(hub: Hub) -> None:
    client = hub_client(hub, scope=None)
    before = rows(hub)
    status, answer = shopify_post(client, b'{"id": 1}', **{"X-Shopify-Event-Id": "e" * 300})
    assert status == 400 and "event id is 300 characters long" in answer["error"]
    status, answer = shopify_post(
        client, b'{"id": 1}', **{"X-Shopify-Topic": "orders/" + "t" * 200}
    )
    assert status == 400 and "topic is 207 characters long" in answer["error"]
    assert rows(hub) == before

    # Signed, but its id is no Shopify id: kept (200) and keyed as unparseable.
    for odd in ("x" * 300, "a\u0000b"):
        status, answer = shopify_post(client, json.dumps({"id": odd}).encode())
        assert status == 200 and answer["stored"] is True
    assert rows(hub)[0] == before[0] + 2


def test_odd_hubspot_events_are_refused_with_the_field_named(hub: Hub) -> None:
    client = hub_client(hub, scope=None)
    url = CRM_WEBHOOK_URL
    event = {"eventId": 1, "portalId": PORTAL, "occurredAt": 1, "objectId": 5,
             "propertyName": "email", "subscriptionType": "contact.propertyChange"}  # fmt: skip
    cases = [
        ({"subscriptionType": "c" * 300}, "subscriptionType: String should have at most 40"),
        ({"propertyName": "p" * 300}, "propertyName: String should have at most 80"),
        ({"subscriptionType": "contact\u0000.x"}, "topic contains a NUL character"),
        ({"eventId": 10**30}, "eventId: Input should be less than or equal to"),
        ({"objectId": 10**30}, "objectId: Input should be less than or equal to"),
        ({"somethingNew": 10**30}, "HubSpot event 1:"),  # an unknown field beyond 64 bits
    ]
    before = rows(hub)
    for change, reason in cases:
        body = json.dumps([{**event, **change}]).encode()
        response = client.post("/webhooks/crm", content=body, headers=hubspot_headers(url, body))
        assert response.status_code == 400 and reason in response.json()["error"], change
    assert rows(hub) == before


def test_a_nul_in_an_order_lookup_is_a_plain_404(hub: Hub) -> None:
    client = hub_client(hub, scope="read")
    response = client.get("/api/orders/shop/45%0078")
    assert response.status_code == 404 and "no order" in response.json()["error"]


def test_an_id_that_is_no_id_leaves_the_delivery_unkeyable() -> None:
    assert entity_key("orders/create", {"id": 450789469}) == "order:450789469"
    assert entity_key("orders/create", {"id": "gid://shopify/Order/1"}) == (
        "order:gid://shopify/Order/1"
    )
    for odd in ("x" * 101, "a\u0000b", "line\nbreak", ""):
        with pytest.raises(UnkeyableWebhookError, match="no id to key it by"):
            entity_key("orders/create", {"id": odd})


def test_what_the_inbox_cannot_hold_is_named() -> None:
    ok = InboxRecord("shop", "e1", "orders/create", "order:1", b"{}")
    assert unstorable(ok) is None
    assert "event id is 129" in str(unstorable(InboxRecord("shop", "e" * 129, "t", "k", b"")))
    assert "entity key" in str(unstorable(InboxRecord("shop", "e", "t", "k" * 161, b"")))
    assert "NUL" in str(unstorable(InboxRecord("shop", "e", "t\x00", "k", b"")))
