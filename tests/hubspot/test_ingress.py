"""HubSpot webhooks into the hub: POST /webhooks/<hubspot system> of a real hub.

The sandbox portal signs and delivers; the hub verifies signature v3 over its
configured public URL and stores one inbox record per event. Forged, stale and
future-dated deliveries, and deliveries signed for another address, are refused
with 401 and leave nothing behind.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from causeway.config import parse_config
from causeway.connectors.hubspot.connector import HubSpotConnector
from causeway.connectors.hubspot.ingress import HubSpotIngress
from causeway.connectors.hubspot.webhooks import sign_v3
from causeway.connectors.ingress import WebhookRejected
from causeway.engine.schema import inbox
from causeway.hub import Hub
from causeway.web.app import create_app
from causeway_sandbox.hubspot.server import HubSpotSandboxServer
from causeway_sandbox.localserver import BackgroundServer, free_port

SECRET = "sandbox-client-secret"


@pytest.fixture
def hub(tmp_path: Path, crm: HubSpotSandboxServer) -> Iterator[tuple[Hub, str]]:
    port = free_port()
    config = parse_config(
        {
            "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
            "server": {"public_url": f"http://127.0.0.1:{port}", "allowed_hosts": "*"},
            "systems": {
                "crm": {
                    "type": "hubspot",
                    "base_url": crm.url,
                    "access_token": crm.token,
                    "client_secret": SECRET,
                    "portal_id": 62515,
                }
            },
        }
    )
    hub = Hub(config)
    hub.start(workers=0, scheduler=False)
    server = BackgroundServer(create_app(hub), port=port, name="hub").start()
    try:
        yield hub, f"{server.url}/webhooks/crm"
    finally:
        server.stop()
        hub.stop()


def stored(hub: Hub) -> list[tuple[str, str, str]]:
    with hub.store.read() as conn:
        rows = conn.execute(select(inbox.c.event_id, inbox.c.topic, inbox.c.entity_key))
        return sorted((r.event_id, r.topic, r.entity_key) for r in rows)


def signature_headers(
    url: str, body: bytes, *, secret: str = SECRET, age_ms: int = 0
) -> dict[str, str]:
    """The headers of a POST of `body` to `url` as HubSpot sends it, `age_ms` ago."""
    timestamp = str(int(time.time() * 1000) - age_ms)
    return {
        "Content-Type": "application/json",
        "X-HubSpot-Request-Timestamp": timestamp,
        "X-HubSpot-Signature-v3": sign_v3(secret, "POST", url, body, timestamp),
    }


def signed_post(
    url: str,
    body: bytes,
    *,
    secret: str = SECRET,
    age_ms: int = 0,
    signed_for: str | None = None,
    host: str | None = None,
) -> httpx.Response:
    """POST `body` to `url`, signed as HubSpot signs it for `signed_for` (default: `url`),
    with another Host header if `host` is given."""
    headers = signature_headers(signed_for or url, body, secret=secret, age_ms=age_ms)
    if host is not None:
        headers["Host"] = host
    return httpx.post(url, content=body, headers=headers, trust_env=False)


EVENTS = json.dumps(
    [
        {"eventId": 11, "subscriptionId": 1, "portalId": 62515, "occurredAt": 1,
         "subscriptionType": "contact.creation", "attemptNumber": 0, "objectId": 501},
        {"eventId": 12, "subscriptionId": 2, "portalId": 62515, "occurredAt": 2,
         "subscriptionType": "deal.propertyChange", "attemptNumber": 0, "objectId": 77,
         "propertyName": "dealstage", "propertyValue": "closedwon"},
    ]
).encode()  # fmt: skip


def test_a_won_deal_in_the_sandbox_reaches_the_inbox_once_even_when_delivered_twice(
    crm: HubSpotSandboxServer, hub: tuple[Hub, str]
) -> None:
    the_hub, url = hub
    crm.control("POST", "faults", json={"duplicate_rate": 1.0})
    crm.control(
        "POST",
        "webhooks",
        json={
            "target_url": url,
            "subscriptions": [{"eventType": "deal.propertyChange", "propertyName": "dealstage"}],
        },
    )
    deal = crm.control("POST", "deals", json={"dealname": "Restock", "dealstage": "qualified"})
    deal_id = deal.json()["id"]
    crm.control("POST", f"deals/{deal_id}/stage", json={"stage": "closedwon"})
    assert crm.control("POST", "webhooks/wait", params={"timeout": 10}).json()["idle"]
    deliveries = crm.control("GET", "webhooks/deliveries").json()
    # One event, sent twice with the same eventId: two deliveries, one record.
    assert [(d["ok"], d["duplicate"]) for d in deliveries] == [(True, False), (True, True)]
    assert deliveries[0]["event_ids"] == deliveries[1]["event_ids"]
    assert [r[1:] for r in stored(the_hub)] == [
        ("deal.propertyChange.dealstage", f"deal:{deal_id}"),
    ]
    connector = the_hub.connectors["crm"]
    assert isinstance(connector, HubSpotConnector)
    assert connector.get_deal(deal_id).stage == "closedwon"


def test_one_delivery_of_many_events_gives_one_record_per_event(hub: tuple[Hub, str]) -> None:
    the_hub, url = hub
    response = signed_post(url, EVENTS)
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": 2, "duplicates": 0}
    assert signed_post(url, EVENTS).json() == {"stored": 0, "duplicates": 2}
    assert stored(the_hub) == [
        ("11", "contact.creation", "contact:501"),
        ("12", "deal.propertyChange.dealstage", "deal:77"),
    ]


def test_a_forged_signature_is_refused_and_nothing_is_stored(hub: tuple[Hub, str]) -> None:
    the_hub, url = hub
    response = signed_post(url, EVENTS, secret="someone-elses-secret")
    assert response.status_code == 401
    assert "does not match" in response.json()["error"]
    assert stored(the_hub) == []


def test_a_stale_delivery_is_refused_even_with_a_good_signature(hub: tuple[Hub, str]) -> None:
    the_hub, url = hub
    response = signed_post(url, EVENTS, age_ms=6 * 60 * 1000)
    assert response.status_code == 401
    assert "over 5 minutes" in response.json()["error"]
    assert stored(the_hub) == []


def test_a_delivery_dated_in_the_future_is_refused_even_with_a_good_signature(
    hub: tuple[Hub, str],
) -> None:
    the_hub, url = hub
    response = signed_post(url, EVENTS, age_ms=-10 * 60 * 1000)  # ten minutes ahead
    assert response.status_code == 401
    assert "in the future" in response.json()["error"]
    assert stored(the_hub) == []


def test_a_spoofed_host_header_cannot_change_the_url_that_is_verified(
    hub: tuple[Hub, str],
) -> None:
    """The hub verifies against server.public_url, whatever Host the request names."""
    the_hub, url = hub
    path = "/webhooks/crm"
    # server.allowed_hosts would refuse an unknown Host first (400); the fixture's hub
    # answers any host, as one configured with `allowed_hosts: "*"` behind a proxy does.
    # Signed for the address the attacker names in Host (as a hub rebuilding the URL
    # from Host would check it): refused.
    forged = signed_post(url, EVENTS, signed_for=f"http://evil.example{path}", host="evil.example")
    assert forged.status_code == 401, forged.text
    assert "does not match" in forged.json()["error"]
    assert stored(the_hub) == []
    # Signed for public_url (what HubSpot signs), delivered with any Host: accepted.
    genuine = signed_post(url, EVENTS, host="evil.example")
    assert genuine.status_code == 200, genuine.text
    assert [r[0] for r in stored(the_hub)] == ["11", "12"]


def test_a_signed_body_that_is_not_hubspots_event_array_is_refused_with_the_reason(
    hub: tuple[Hub, str],
) -> None:
    the_hub, url = hub
    response = signed_post(url, b'{"not": "an array"}')
    assert response.status_code == 400
    assert "JSON array" in response.json()["error"]
    assert stored(the_hub) == []


PUBLIC = "https://hub.example.com"


def test_behind_a_proxy_the_public_url_and_the_requested_path_are_what_is_verified() -> None:
    ingress = HubSpotIngress("crm", SECRET, public_url=f"{PUBLIC}/", portal_id=62515)
    headers = signature_headers(f"{PUBLIC}/webhooks/crm?source=hubspot", EVENTS)
    records = ingress.records("POST", "/webhooks/crm?source=hubspot", headers, EVENTS)
    assert [r.event_id for r in records] == ["11", "12"]
    # The same signature over another path or query is not HubSpot's.
    with pytest.raises(WebhookRejected, match="does not match"):
        ingress.records("POST", "/webhooks/crm?source=other", headers, EVENTS)


@pytest.mark.parametrize("empty", ["", "  "])
def test_no_hubspot_ingress_can_be_built_with_an_empty_client_secret(empty: str) -> None:
    with pytest.raises(ValueError, match="client_secret is empty"):
        HubSpotIngress("crm", empty, public_url=PUBLIC, portal_id=62515)


def test_no_hubspot_ingress_can_be_built_without_a_public_url() -> None:
    with pytest.raises(ValueError, match=r"server\.public_url"):
        HubSpotIngress("crm", SECRET, public_url="", portal_id=62515)


def test_events_from_another_hubspot_account_or_from_none_are_refused() -> None:
    ingress = HubSpotIngress("crm", SECRET, public_url=PUBLIC, portal_id=999)
    headers = signature_headers(f"{PUBLIC}/webhooks/crm", EVENTS)
    with pytest.raises(WebhookRejected, match="account 62515") as caught:
        ingress.records("POST", "/webhooks/crm", headers, EVENTS)
    assert caught.value.status == 403
    nameless = json.dumps([{**json.loads(EVENTS)[0], "portalId": None}]).encode()
    headers = signature_headers(f"{PUBLIC}/webhooks/crm", nameless)
    with pytest.raises(WebhookRejected, match="no HubSpot account") as caught:
        ingress.records("POST", "/webhooks/crm", headers, nameless)
    assert caught.value.status == 403
