"""Bodies over server.max_body_bytes, over real HTTP (uvicorn): refused with 413 whether
they announce their size (Content-Length) or not (chunked, growing past the limit), and
nothing of them is stored. A body of exactly the limit is still taken."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest

from causeway.hub import Hub
from causeway.web.app import create_app
from causeway_sandbox.localserver import BackgroundServer
from tests.hostile.conftest import MAX_BODY, rows, shopify_signature


@pytest.fixture
def hub_url(hostile_hub: Hub) -> Iterator[str]:
    server = BackgroundServer(create_app(hostile_hub), name="hub").start()
    yield f"{server.url}/webhooks/shop"
    server.stop()


def order_of_size(size: int) -> bytes:
    """A signed-able order body padded (in its note) to exactly `size` bytes."""
    body = {"id": 450789469, "note": ""}
    padding = size - len(json.dumps(body).encode())
    return json.dumps({**body, "note": "x" * padding}).encode()


def headers_for(body: bytes) -> dict[str, str]:
    return {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-Hmac-Sha256": shopify_signature(body),
        "Content-Type": "application/json",
    }


def test_a_body_announced_larger_than_the_limit_is_refused_unread(
    hostile_hub: Hub, hub_url: str
) -> None:
    body = order_of_size(MAX_BODY + 1)
    before = rows(hostile_hub)
    response = httpx.post(hub_url, content=body, headers=headers_for(body), trust_env=False)
    assert response.status_code == 413
    assert response.json() == {"error": f"body larger than {MAX_BODY} bytes"}
    assert rows(hostile_hub) == before


def test_a_chunked_body_growing_past_the_limit_is_refused(hostile_hub: Hub, hub_url: str) -> None:
    body = order_of_size(3 * MAX_BODY)

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent as it is produced
        for start in range(0, len(body), 8_192):
            yield body[start : start + 8_192]

    before = rows(hostile_hub)
    response = httpx.post(hub_url, content=chunks(), headers=headers_for(body), trust_env=False)
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert rows(hostile_hub) == before


def test_a_body_of_exactly_the_limit_is_stored(hostile_hub: Hub, hub_url: str) -> None:
    body = order_of_size(MAX_BODY)
    assert len(body) == MAX_BODY
    before = rows(hostile_hub)
    response = httpx.post(hub_url, content=body, headers=headers_for(body), trust_env=False)
    assert response.status_code == 200 and response.json()["stored"] is True
    assert rows(hostile_hub)[0] == before[0] + 1
