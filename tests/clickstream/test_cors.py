"""A storefront's browser asks first (CORS preflight): its own origin is answered with
what it may send; any other origin gets no CORS headers, so its browser sends nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from causeway.hub import Hub
from tests.auth import hub_client
from tests.clickstream.conftest import STOREFRONT

PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type, x-causeway-collect-key",
}


def test_the_storefronts_preflight_is_answered(hub: Hub) -> None:
    client = hub_client(hub, scope=None)
    response = client.options("/collect/shop", headers={"Origin": STOREFRONT, **PREFLIGHT})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == STOREFRONT
    assert response.headers["Access-Control-Allow-Methods"] == "POST"
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "x-causeway-collect-key" in allowed and "content-type" in allowed
    assert response.headers["Vary"] == "Origin"


def test_a_foreign_origins_preflight_gets_no_cors_headers(hub: Hub) -> None:
    client = hub_client(hub, scope=None)
    for origin in ("https://evil.example", "https://shop.example.com.evil.example", "null"):
        response = client.options("/collect/shop", headers={"Origin": origin, **PREFLIGHT})
        assert response.status_code == 403, origin
        assert "Access-Control-Allow-Origin" not in response.headers


def test_a_preflight_for_another_method_or_system_is_refused(hub: Hub) -> None:
    client = hub_client(hub, scope=None)
    asks_delete = {**PREFLIGHT, "Access-Control-Request-Method": "DELETE"}
    assert (
        client.options("/collect/shop", headers={"Origin": STOREFRONT, **asks_delete}).status_code
        == 403
    )
    assert (
        client.options("/collect/crm", headers={"Origin": STOREFRONT, **PREFLIGHT}).status_code
        == 404
    )


def test_a_request_without_an_origin_gets_no_cors_headers(hub: Hub, client: TestClient) -> None:
    """A server-side sender (no browser): accepted with the key, and nothing to allow."""
    del client.headers["Origin"]
    response = client.post("/collect/shop", json={"events": []})
    assert response.status_code == 400
    assert "Access-Control-Allow-Origin" not in response.headers
