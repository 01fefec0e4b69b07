"""Calling the hub's protected routes from tests: a key made in the hub's own store and
sent as `Authorization: Bearer <key>`, at a Host the hub answers by default.

    client = hub_client(hub)                      # TestClient, admin key
    client = hub_client(hub, scope="read")        # ... a read key
    client = hub_client(hub, scope=None)          # no key: webhooks, /health
    httpx.get(f"{server.url}/api/orders/...", headers=bearer(hub))
    headers = bearer(config["store"]["url"])      # a HubProcess's store, by its URL
"""

from __future__ import annotations

import secrets

from fastapi import FastAPI
from fastapi.testclient import TestClient

from causeway.engine.store import Store
from causeway.hub import Hub

# Starlette's TestClient sends `Host: testserver`, which server.allowed_hosts refuses.
HUB_URL = "http://127.0.0.1"


def api_key(target: Hub | Store | str, scope: str = "admin") -> str:
    """A new API key of `scope` in the store of a Hub, a Store, or a store URL."""
    from causeway.engine import api_keys

    name = f"test-{scope}-{secrets.token_hex(4)}"
    if isinstance(target, str):
        store = Store(target)
        try:
            return api_keys.create(store, name, scope)[1]
        finally:
            store.dispose()
    store = target.store if isinstance(target, Hub) else target
    return api_keys.create(store, name, scope)[1]


def bearer(target: Hub | Store | str, scope: str = "admin") -> dict[str, str]:
    """Request headers carrying a new API key of `scope` (see api_key)."""
    return {"Authorization": f"Bearer {api_key(target, scope)}"}


def hub_client(hub: Hub, scope: str | None = "admin", app: FastAPI | None = None) -> TestClient:
    """A TestClient for the hub's app (or `app`), sending a key of `scope` unless None.
    Server errors come back as the 500 a client would see, not as exceptions."""
    from causeway.web.app import create_app

    return TestClient(
        app or create_app(hub),
        base_url=HUB_URL,
        headers=bearer(hub, scope) if scope else None,
        raise_server_exceptions=False,
    )
