"""A hub whose Shopify store `shop` has its storefront events collected, beside the
webhook ingress; no worker. Events are what a Shopify custom pixel forwards."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from causeway.config import parse_config
from causeway.engine.web_events import web_events_of
from causeway.hub import Hub
from tests.auth import hub_client
from tests.hostile.conftest import hostile_config

KEY = "collect-key-0123456789abcdef"
STOREFRONT = "https://shop.example.com"
CLICKSTREAM = {
    "collect_key": KEY,
    "allowed_origins": [STOREFRONT],
    "max_body_bytes": 4096,
    "events_per_minute": 20,
}


def config_with(store_url: str, **settings: Any) -> dict[str, Any]:
    config = hostile_config(store_url)
    config["clickstream"] = {"shop": CLICKSTREAM | settings}
    return config


def start(store_url: str, **settings: Any) -> Hub:
    hub = Hub(parse_config(config_with(store_url, **settings), env={}))
    hub.start(workers=0, scheduler=False)
    return hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    hub = start(f"sqlite:///{tmp_path / 'hub.db'}")
    yield hub
    hub.stop()


@pytest.fixture
def client(hub: Hub) -> Iterator[TestClient]:
    """A storefront's browser: no API key, the collect key, the storefront's Origin."""
    with hub_client(hub, scope=None) as test_client:
        test_client.headers.update({"X-Causeway-Collect-Key": KEY, "Origin": STOREFRONT})
        yield test_client


def pixel_event(name: str = "page_viewed", *, client_id: str = "client-1", **fields: Any) -> dict:
    """A Web Pixels standard event as `analytics.subscribe` gives it."""
    return {
        "id": fields.pop("id", f"sh-{uuid.uuid4()}"),
        "name": name,
        "clientId": client_id,
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "seq": 1,
        "type": "standard",
        "context": {
            "document": {
                "location": {"href": f"{STOREFRONT}/products/trail-shoe"},
                "referrer": "https://www.google.com/",
            }
        },
        "data": {},
        **fields,
    }


def product_added(quantity: int = 2, amount: float = 179.8, **fields: Any) -> dict:
    return pixel_event(
        "product_added_to_cart",
        data={
            "cartLine": {
                "quantity": quantity,
                "cost": {"totalAmount": {"amount": amount, "currencyCode": "EUR"}},
                "merchandise": {
                    "id": "gid://shopify/ProductVariant/42",
                    "sku": "SHOE-42",
                    "price": {"amount": 89.9, "currencyCode": "EUR"},
                    "product": {"id": "7", "title": "Trail shoe"},
                },
            }
        },
        **fields,
    )


def batch(*events: dict, analytics: bool | None = None) -> bytes:
    body: dict[str, Any] = {"events": list(events)}
    if analytics is not None:
        body["customerPrivacy"] = {"analyticsProcessingAllowed": analytics}
    return json.dumps(body).encode()


def stored(hub: Hub) -> list[dict[str, Any]]:
    """The shop's stored events, once the writer has stored what it was given."""
    assert hub.web_event_writer is not None and hub.web_event_writer.flush(10)
    return web_events_of(hub.store, "shop")
