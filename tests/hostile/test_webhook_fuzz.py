"""Hostile deliveries to POST /webhooks/{system}: whatever arrives, the hub answers with
a clear 4xx or stores it, never a 500; what is not signed with the system's secret
leaves the inbox and the jobs exactly as they were; what is signed is either stored
(and acknowledged 200) or refused with a 4xx that says why, never dropped silently."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from causeway.hub import Hub
from tests.hostile.conftest import (
    CRM_SECRET,
    CRM_WEBHOOK_URL,
    PORTAL,
    SHOP_SECRET,
    examples,
    hubspot_headers,
    rows,
    shopify_signature,
)


def fuzz(default_examples: int) -> settings:
    return settings(
        max_examples=examples(default_examples),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# What the hub answers a sender, by design: stored, refused (bad signature, bad body,
# wrong account, too large), no such system, wrong method.
DELIBERATE = {200, 400, 401, 403, 404, 405, 413}

SHOPIFY_TOPICS = [
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/cancelled",
    "orders/edited",
    "refunds/create",
    "products/update",
    "customers/update",
]
HUBSPOT_TOPICS = [
    "contact.propertyChange",
    "deal.propertyChange",
    "ticket.propertyChange",
    "contact.creation",
]
ORDER = {
    "id": 450789469,
    "name": "#1001",
    "currency": "USD",
    "created_at": "2025-01-10T11:00:00-05:00",
    "updated_at": "2025-01-10T11:00:00-05:00",
    "financial_status": "paid",
    "subtotal_price": "10.00",
    "total_tax": "0.00",
    "total_price": "10.00",
    "line_items": [{"id": 1, "sku": "WID-001", "quantity": 1, "price": "10.00", "title": "W"}],
}

# Header values as bytes (a sender is not bound to UTF-8); no line breaks, which no
# HTTP client can put in a header at all.
header_bytes = st.binary(max_size=300).filter(lambda b: b"\r" not in b and b"\n" not in b)
huge_header = st.integers(4_000, 60_000).map(lambda n: b"9" * n)
garbled_hmac = st.one_of(
    st.binary(max_size=64).filter(lambda b: b"\r" not in b and b"\n" not in b),
    st.text("ABCDEFabcdef0123456789+/=", max_size=90).map(str.encode),  # wrong-length base64
    st.just(shopify_signature(b"{}", "not-the-secret").encode()),
    st.just("é".encode()),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


def damaged_order(draw: st.DrawFn) -> bytes:
    order: dict[str, Any] = json.loads(json.dumps(ORDER))
    for key in draw(st.lists(st.sampled_from([*ORDER, "cancelled_at", "order_id"]), max_size=4)):
        if draw(st.booleans()):
            order.pop(key, None)
        else:
            order[key] = draw(json_values)
    return json.dumps(order).encode()


@st.composite
def shopify_bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["bytes", "json", "order", "damaged order", "text"]))
    if kind == "bytes":
        return draw(st.binary(max_size=2_000))
    if kind == "json":
        return json.dumps(draw(json_values)).encode()
    if kind == "order":
        return json.dumps(ORDER).encode()
    if kind == "damaged order":
        return damaged_order(draw)
    # Any text, lone surrogates included, as a careless sender would encode it.
    return draw(st.text(max_size=200)).encode("utf-8", "surrogatepass")


@st.composite
def shopify_headers(draw: st.DrawFn, body: bytes, *, signed: bool) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if draw(st.booleans()):
        headers["X-Shopify-Topic"] = draw(
            st.sampled_from(SHOPIFY_TOPICS).map(str.encode) | header_bytes
        )
    if draw(st.booleans()):
        headers["X-Shopify-Event-Id"] = draw(
            st.uuids().map(lambda u: str(u).encode()) | header_bytes | huge_header
        )
    if draw(st.booleans()):
        headers["X-Shopify-Webhook-Id"] = draw(header_bytes)
    if draw(st.booleans()):
        headers["X-Shopify-Triggered-At"] = draw(header_bytes)
    if draw(st.booleans()):
        headers["Content-Type"] = draw(
            st.sampled_from([b"application/json", b"text/plain", b"multipart/form-data"])
            | header_bytes
        )
    for name in draw(st.lists(st.text("abcdefxyz-", min_size=1, max_size=20), max_size=3)):
        headers[f"X-{name}"] = draw(header_bytes | huge_header)
    if signed:
        headers["X-Shopify-Hmac-Sha256"] = shopify_signature(body).encode()
    elif draw(st.booleans()):
        headers["X-Shopify-Hmac-Sha256"] = draw(garbled_hmac)
    return headers


def post(client: TestClient, path: str, body: bytes, headers: dict[str, Any]) -> int:
    return client.post(path, content=body, headers=headers).status_code


@fuzz(150)
@given(data=st.data())
def test_unsigned_or_forged_deliveries_never_store_anything(
    hostile_hub: Hub, client: TestClient, data: st.DataObject
) -> None:
    system = data.draw(st.sampled_from(["shop", "crm"]) | st.text(max_size=30), label="system")
    method = data.draw(st.sampled_from(["POST", "PUT", "PATCH", "DELETE", "GET"]), label="method")
    body = data.draw(shopify_bodies(), label="body")
    headers = data.draw(shopify_headers(body, signed=False), label="headers")
    if system == "crm" and data.draw(st.booleans()):
        # A HubSpot-shaped delivery signed with the wrong secret, or too old.
        url = CRM_WEBHOOK_URL
        if data.draw(st.booleans()):
            headers |= hubspot_headers(url, body, secret="not-the-secret")
        else:
            headers |= hubspot_headers(url, body, secret=CRM_SECRET, age_ms=10 * 60 * 1000)
    before = rows(hostile_hub)
    # Quoted: whatever the name, it reaches the hub (percent-decoded) as the path's system.
    path = f"/webhooks/{quote(system, safe='')}"
    response = client.request(method, path, content=body, headers=headers)
    assert response.status_code in DELIBERATE - {200}, response.text
    assert response.json()["error"], "a refusal says why"
    assert rows(hostile_hub) == before, "an unsigned delivery must leave no trace"


@fuzz(150)
@given(data=st.data())
def test_signed_shopify_garbage_is_stored_or_refused_with_a_reason(
    either_hub: Hub, either_client: TestClient, data: st.DataObject
) -> None:
    body = data.draw(shopify_bodies(), label="body")
    headers = data.draw(shopify_headers(body, signed=True), label="headers")
    before = rows(either_hub)
    response = either_client.post("/webhooks/shop", content=body, headers=headers)
    assert response.status_code in DELIBERATE, response.text
    inbox_after, _ = rows(either_hub)
    if response.status_code == 200:
        answer = response.json()
        # Stored now, or the same event already was: nothing signed is dropped.
        assert inbox_after == before[0] + (1 if answer["stored"] else 0)
        assert answer["stored"] != answer["duplicate"]
    else:
        assert response.json()["error"], "a refusal says why"
        assert rows(either_hub) == before


hubspot_events = st.fixed_dictionaries(
    {},
    optional={
        "eventId": st.integers(-(2**70), 2**70) | json_values,
        "subscriptionId": st.integers(0, 10**6),
        "portalId": st.sampled_from([PORTAL, 1]) | json_values,
        "occurredAt": st.integers(0, 2**45) | json_values,
        "subscriptionType": st.sampled_from(HUBSPOT_TOPICS) | st.text(max_size=300),
        "attemptNumber": st.integers(0, 10),
        "objectId": st.integers(-(2**70), 2**70) | json_values,
        "propertyName": st.sampled_from(["email", "phone", "dealstage"]) | st.text(max_size=300),
        "propertyValue": st.text(max_size=50) | json_values,
        "changeSource": st.text(max_size=20),
    },
)


@fuzz(120)
@given(
    body=st.one_of(
        st.lists(hubspot_events, max_size=5).map(lambda events: json.dumps(events).encode()),
        st.binary(max_size=500),
        json_values.map(lambda v: json.dumps(v).encode()),
    )
)
def test_signed_hubspot_garbage_is_stored_or_refused_with_a_reason(
    either_hub: Hub, either_client: TestClient, body: bytes
) -> None:
    headers = hubspot_headers(CRM_WEBHOOK_URL, body)
    before = rows(either_hub)
    response = either_client.post("/webhooks/crm", content=body, headers=headers)
    assert response.status_code in DELIBERATE, response.text
    if response.status_code == 200:
        answer = response.json()
        assert rows(either_hub)[0] == before[0] + answer["stored"]
    else:
        assert response.json()["error"], "a refusal says why"
        assert rows(either_hub) == before


@pytest.mark.parametrize("secret", [SHOP_SECRET])
def test_a_signed_delivery_that_cannot_be_read_is_kept_for_its_job_to_park(
    hostile_hub: Hub, client: TestClient, secret: str
) -> None:
    body = b'{"id": "not an order"'
    headers = {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Event-Id": "garbage-1",
        "X-Shopify-Hmac-Sha256": shopify_signature(body, secret),
    }
    response = client.post("/webhooks/shop", content=body, headers=headers)
    assert response.status_code == 200 and response.json()["stored"] is True
    hostile_hub.new_worker().run_until_idle(timeout=30)
    dead = [job for job in hostile_hub.jobs.for_key("shop:unparseable:garbage-1")]
    assert dead and all(job["state"] == "dead" for job in dead)
    assert all("JSON" in str(job["last_error"]) for job in dead)
