"""A cheap hub to throw hostile requests at: a Shopify store, a HubSpot portal and a
Tryton ERP in its configuration, every flow that takes webhooks enabled, the inbox
writer running, and no worker. Nothing listens at the systems' addresses: ingress
never calls them, so a request that did would fail the test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from causeway.config import parse_config
from causeway.connectors.hubspot.webhooks import sign_v3
from causeway.engine.schema import inbox, jobs
from causeway.hub import Hub
from causeway.web.app import create_app
from tests.auth import hub_client

SHOP_SECRET = "hostile-shop-secret"
CRM_SECRET = "hostile-crm-secret"
PORTAL = 62515
MAX_BODY = 64_000
NOWHERE = "http://127.0.0.1:9"  # the discard port: a call would be refused at once
# Where HubSpot delivers, as configured: what its signatures cover, whatever the Host.
PUBLIC_URL = "https://hooks.example.com"
CRM_WEBHOOK_URL = f"{PUBLIC_URL}/webhooks/crm"

# `make test` keeps the fuzzers short; CAUSEWAY_FUZZ_EXAMPLES=2000 runs them longer.
FUZZ_EXAMPLES = int(os.environ.get("CAUSEWAY_FUZZ_EXAMPLES", "0")) or None


def examples(default: int) -> int:
    return FUZZ_EXAMPLES or default


def hostile_config(store_url: str) -> dict[str, Any]:
    return {
        "store": {"url": store_url},
        "server": {"max_body_bytes": MAX_BODY, "public_url": PUBLIC_URL},
        "systems": {
            "shop": {
                "type": "shopify",
                "shop_url": NOWHERE,
                "access_token": "shpat_hostile",
                "webhook_secret": SHOP_SECRET,
            },
            "crm": {
                "type": "hubspot",
                "base_url": NOWHERE,
                "access_token": "pat-hostile",
                "client_secret": CRM_SECRET,
                "portal_id": PORTAL,
            },
            "erp": {
                "type": "tryton",
                "url": NOWHERE,
                "database": "tryton",
                "username": "causeway",
                "password": "secret",
            },
        },
        # Storefront events: the fuzzers reach /collect/shop, and are refused without the key.
        "clickstream": {
            "shop": {"collect_key": "hostile-collect-key-0123", "allowed_origins": [PUBLIC_URL]}
        },
        "flows": {
            "orders-to-erp": {"source": "shop", "target": "erp"},
            "payments-and-invoices": {"source": "shop", "target": "erp"},
            "cancellations": {"source": "shop", "target": "erp"},
            "returns-to-erp": {"source": "shop", "target": "erp"},
            "catalog-to-channels": {"source": "erp", "targets": ["shop"]},
            "quotes-to-erp": {"source": "crm", "target": "erp"},
            "customers-sync": {"source": "erp", "target": "crm"},
            "cases": {"source": "crm", "target": "shop"},
        },
    }


def start_hub(store_url: str) -> Hub:
    hub = Hub(parse_config(hostile_config(store_url), env={}))
    hub.start(workers=0, scheduler=False)
    return hub


@pytest.fixture
def hostile_hub(tmp_path: Path) -> Iterator[Hub]:
    hub = start_hub(f"sqlite:///{tmp_path / 'hub.db'}")
    yield hub
    hub.stop()


@pytest.fixture
def hostile_pg_hub(postgres_url: str) -> Iterator[Hub]:
    """The same hub on PostgreSQL, whose column widths and text rules SQLite does not check."""
    hub = start_hub(postgres_url)
    yield hub
    hub.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def either_hub(request: pytest.FixtureRequest) -> Hub:
    """The hub on each store: PostgreSQL checks column widths and refuses NUL in text."""
    return request.getfixturevalue("hostile_hub" if request.param == "sqlite" else "hostile_pg_hub")


@pytest.fixture
def either_client(either_hub: Hub) -> Iterator[TestClient]:
    """No API key: what a store or CRM delivering webhooks sends."""
    with hub_client(either_hub, scope=None) as test_client:
        yield test_client


@pytest.fixture
def app(hostile_hub: Hub) -> FastAPI:
    return create_app(hostile_hub)


@pytest.fixture
def client(hostile_hub: Hub, app: FastAPI) -> Iterator[TestClient]:
    """No API key: what a store or CRM delivering webhooks sends. Server errors show as
    the 500 a sender would see."""
    with hub_client(hostile_hub, scope=None, app=app) as test_client:
        yield test_client


def rows(hub: Hub) -> tuple[int, int]:
    """(inbox records, jobs) in the hub's store."""
    with hub.store.read() as conn:
        return (
            conn.execute(select(func.count()).select_from(inbox)).scalar_one(),
            conn.execute(select(func.count()).select_from(jobs)).scalar_one(),
        )


def shopify_signature(body: bytes, secret: str = SHOP_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def hubspot_headers(
    url: str, body: bytes, *, secret: str = CRM_SECRET, age_ms: int = 0
) -> dict[str, str]:
    timestamp = str(int(time.time() * 1000) - age_ms)
    return {
        "Content-Type": "application/json",
        "X-HubSpot-Request-Timestamp": timestamp,
        "X-HubSpot-Signature-v3": sign_v3(secret, "POST", url, body, timestamp),
    }
