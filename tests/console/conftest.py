"""The console without a browser: a hub on a fresh SQLite store (no system reachable),
its app, and clients that call it with an API key of each scope (API keys pass the
console's access checks; the CSRF check applies to cookie sessions only)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from causeway.engine import api_keys
from causeway.hub import Hub
from causeway.web.app import create_app
from tests.unit.hub_configs import hub_config

ClientFor = Callable[[str], TestClient]


def console_hub(tmp_path: Path, flows: dict[str, Any] | None = None, **sections: Any) -> Hub:
    """A hub on its own SQLite store, migrated; nothing started, no system reached."""
    hub = Hub(hub_config(tmp_path, flows or {}, **sections))
    hub.store.migrate()
    return hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    hub = console_hub(tmp_path)
    yield hub
    hub.store.dispose()


def client_with_key(hub: Hub, scope: str) -> TestClient:
    """A client of the hub's app sending a new API key of `scope` (read, run, admin)."""
    _, secret = api_keys.create(
        hub.store, f"console-{scope}-{len(api_keys.list_keys(hub.store))}", scope
    )
    return TestClient(
        create_app(hub),
        base_url="http://localhost",
        headers={"Authorization": f"Bearer {secret}"},
        follow_redirects=False,
    )


@pytest.fixture
def client_for(hub: Hub) -> ClientFor:
    """`client_for("read")`: a client with a new key of that scope."""
    return lambda scope: client_with_key(hub, scope)


@pytest.fixture
def anonymous(hub: Hub) -> TestClient:
    """A client with no credential at all."""
    return TestClient(create_app(hub), base_url="http://localhost", follow_redirects=False)
