"""Whatever a storefront, or anyone holding its public key, sends that the hub will not
keep is refused with a reason and stores nothing: a wrong key or system, a foreign
origin, an oversized body, malformed JSON, an invalid event, a flood from one client,
and a visitor who declined analytics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from causeway.hub import Hub
from tests.auth import hub_client
from tests.clickstream.conftest import (
    KEY,
    STOREFRONT,
    batch,
    pixel_event,
    product_added,
    start,
    stored,
)


def test_a_wrong_or_missing_key_is_refused_and_names_no_system(
    hub: Hub, client: TestClient
) -> None:
    for headers in ({"X-Causeway-Collect-Key": "not-the-key"}, {"X-Causeway-Collect-Key": ""}):
        response = client.post("/collect/shop", content=batch(pixel_event()), headers=headers)
        assert response.status_code == 401, response.text
    response = client.post(
        "/collect/shop", content=batch(pixel_event()), headers={"X-Causeway-Collect-Key": ""}
    )
    assert "shop" not in response.json()["error"] and "crm" not in response.json()["error"]
    assert stored(hub) == []


@pytest.mark.parametrize("system", ["crm", "erp", "nowhere", "shop%00"])
def test_a_system_without_a_clickstream_is_not_found_and_the_others_stay_unnamed(
    hub: Hub, client: TestClient, system: str
) -> None:
    response = client.post(f"/collect/{system}", content=batch(pixel_event()))
    assert response.status_code == 404
    assert "shop" not in response.json()["error"]


def test_a_browser_at_another_origin_is_refused(hub: Hub, client: TestClient) -> None:
    response = client.post(
        "/collect/shop", content=batch(pixel_event()), headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers
    assert stored(hub) == []


def test_an_oversized_body_is_refused_before_it_is_read(hub: Hub, client: TestClient) -> None:
    events = [product_added() for _ in range(30)]  # well over the 4096 bytes configured
    response = client.post("/collect/shop", content=batch(*events))
    assert response.status_code == 413
    assert "4096" in response.json()["error"]

    def streamed() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield batch(*events)

    assert client.post("/collect/shop", content=streamed()).status_code == 413
    assert stored(hub) == []


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b'{"events": [', "not JSON"),
        (b"[1, 2]", "one event object"),
        (json.dumps({"events": []}).encode(), "events"),
        (batch(pixel_event(name="cart_viewed")), "not an event collected here"),
        (batch({**pixel_event(), "clientId": ""}), "clientId"),
        (batch({**pixel_event(), "timestamp": "yesterday"}), "timestamp"),
        (batch({**pixel_event(), "timestamp": "2026-12-06T10:00:00"}), "offset"),
        (batch({**pixel_event(), "timestamp": "2099-01-01T00:00:00Z"}), "future"),
        (batch({**pixel_event(), "id": "bad\u0000id"}), "control characters"),
        (batch(pixel_event(client_id="a"), pixel_event(client_id="b")), "several client ids"),
        (batch(*[pixel_event() for _ in range(51)]), "events"),
    ],
)
def test_a_malformed_request_or_invalid_event_is_refused_whole_with_its_reason(
    tmp_path: Path, body: bytes, named: str
) -> None:
    hub = start(f"sqlite:///{tmp_path / 'hub.db'}", max_body_bytes=64 * 1024)
    try:
        with hub_client(hub, scope=None) as client:
            good = pixel_event()  # beside the bad one: not stored either
            if body.startswith(b'{"events": [{'):
                document = json.loads(body)
                document["events"].insert(0, good)
                body = json.dumps(document).encode()
            response = client.post(
                "/collect/shop", content=body, headers={"X-Causeway-Collect-Key": KEY}
            )
            assert response.status_code == 400, response.text
            assert named in response.json()["error"]
            assert stored(hub) == []
    finally:
        hub.stop()


def test_a_flooding_client_is_told_to_wait_and_its_excess_is_not_stored(
    hub: Hub, client: TestClient
) -> None:
    # 20 events a minute: two batches of 10 fit, the third does not.
    for _ in range(2):
        sent = batch(*[pixel_event(client_id="flood") for _ in range(10)])
        assert client.post("/collect/shop", content=sent).status_code == 202
    refused = client.post("/collect/shop", content=batch(pixel_event(client_id="flood")))
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["Access-Control-Allow-Origin"] == STOREFRONT  # the script reads it
    # Another browser has its own rate.
    assert (
        client.post("/collect/shop", content=batch(pixel_event(client_id="calm"))).status_code
        == 202
    )
    rows = stored(hub)
    assert sum(row["client_id"] == "flood" for row in rows) == 20
    assert sum(row["client_id"] == "calm" for row in rows) == 1


def test_a_visitor_who_declined_analytics_has_nothing_stored(hub: Hub, client: TestClient) -> None:
    declined = client.post("/collect/shop", content=batch(product_added(), analytics=False))
    assert declined.status_code == 204
    one_declined = {**pixel_event(), "customerPrivacy": {"analyticsProcessingAllowed": False}}
    assert client.post("/collect/shop", json=one_declined).status_code == 204
    allowed = client.post("/collect/shop", content=batch(pixel_event(), analytics=True))
    assert allowed.status_code == 202
    assert [row["name"] for row in stored(hub)] == ["page_viewed"]


def test_with_require_consent_only_events_that_say_analytics_is_allowed_are_stored(
    tmp_path: Path,
) -> None:
    hub = start(f"sqlite:///{tmp_path / 'hub.db'}", require_consent=True)
    try:
        with hub_client(hub, scope=None) as client:
            client.headers.update({"X-Causeway-Collect-Key": KEY})
            assert client.post("/collect/shop", content=batch(pixel_event())).status_code == 204
            sent = batch(pixel_event(), analytics=True)
            assert client.post("/collect/shop", content=sent).status_code == 202
            assert len(stored(hub)) == 1
    finally:
        hub.stop()
