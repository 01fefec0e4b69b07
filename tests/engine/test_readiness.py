"""`GET /ready` beside `/health`: ready only when the store takes writes and its schema
is current; each system's last contact beside it; nothing secret in a public answer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from causeway.config import parse_config
from causeway.connectors.registry import http_client_of
from causeway.hub import Hub
from causeway.observability.contacts import Contacts, last_contacts
from tests.auth import hub_client

NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing answers


def config(store_url: str) -> Any:
    return parse_config(
        {
            "store": {"url": store_url},
            "systems": {
                "shop": {
                    "type": "shopify",
                    "shop_url": NOWHERE,
                    "access_token": "shpat_ready_secret",
                    "webhook_secret": "ready-webhook-secret",
                },
                "erp": {
                    "type": "tryton",
                    "url": NOWHERE,
                    "database": "tryton",
                    "username": "causeway",
                    "password": "ready-tryton-password",
                },
            },
            "flows": {"orders-to-erp": {"source": "shop", "target": "erp"}},
        },
        env={},
    )


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    hub = Hub(config(f"sqlite:///{tmp_path / 'hub.db'}"))
    yield hub
    hub.stop()


def test_a_hub_with_its_store_in_order_is_ready_and_lists_its_systems(hub: Hub) -> None:
    client = hub_client(hub, scope=None)
    answer = client.get("/ready")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["status"], body["reasons"]) == ("ready", [])
    # No system has answered yet: every system is listed, with no last contact.
    assert body["systems"] == {
        "erp": {"last_contact_seconds_ago": None},
        "shop": {"last_contact_seconds_ago": None},
    }
    assert client.get("/health").json() == {"status": "ok"}


def test_a_store_behind_this_versions_migrations_is_not_ready(hub: Hub) -> None:
    with hub.store.transaction() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0004'"))
    answer = hub_client(hub, scope=None).get("/ready")
    assert answer.status_code == 503
    (reason,) = answer.json()["reasons"]
    assert "migration 0004" in reason and "restart the hub to migrate it" in reason


def test_a_read_only_postgresql_store_is_not_ready(postgres_url: str) -> None:
    hub = Hub(config(postgres_url))
    try:
        client = hub_client(hub, scope=None)
        assert client.get("/ready").status_code == 200
        # A standby, or a database an administrator made read-only.
        name = postgres_url.rsplit("/", 1)[1]
        admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        admin.dispose()
        hub.store.engine.dispose()  # new connections get the setting
        answer = client.get("/ready")
        assert answer.status_code == 503, answer.text
        (reason,) = answer.json()["reasons"]
        assert reason.startswith("the store does not take writes")
        assert "read-only transaction" in reason
        assert client.get("/health").status_code == 200  # alive all the same
    finally:
        hub.stop()


def test_each_systems_last_answer_is_kept_and_shown_in_seconds(hub: Hub) -> None:
    # Every connector's HTTP client reports its answers to the hub's contacts.
    for name in ("shop", "erp"):
        http = http_client_of(hub.config.systems[name], hub.connectors[name])
        assert http is not None
        hooks = http._http.event_hooks["response"]
        assert len(hooks) == 1
        hooks[0](httpx.Response(200, request=httpx.Request("POST", NOWHERE)))
    hub.contacts.note("erp", at=time.time() - 90)  # the ERP last answered 90 s ago
    hub.contacts.flush(hub.store, force=True)
    assert set(last_contacts(hub.store)) == {"shop", "erp"}
    systems = hub_client(hub, scope=None).get("/ready").json()["systems"]
    assert systems["shop"]["last_contact_seconds_ago"] < 5
    assert 89 <= systems["erp"]["last_contact_seconds_ago"] <= 95


def test_a_server_error_is_no_contact_and_writes_wait_for_the_interval(hub: Hub) -> None:
    contacts = Contacts(flush_every=3600)
    hook = contacts.hook("shop")
    hook(httpx.Response(503, request=httpx.Request("POST", NOWHERE)))
    assert contacts.seen() == {}
    hook(httpx.Response(401, request=httpx.Request("POST", NOWHERE)))  # up, token wrong
    contacts.flush(hub.store)
    assert "shop" in last_contacts(hub.store)
    contacts.note("erp")
    contacts.flush(hub.store)  # an hour has not passed: nothing written
    assert "erp" not in last_contacts(hub.store)


def test_the_public_answers_hold_no_secret_and_no_address(hub: Hub) -> None:
    client = hub_client(hub, scope=None)
    with hub.store.transaction() as conn:  # not ready: the reasons are shown too
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    text_seen = client.get("/ready").text + client.get("/health").text
    for secret in ("shpat_ready_secret", "ready-webhook-secret", "ready-tryton-password"):
        assert secret not in text_seen
    assert "127.0.0.1" not in text_seen and "hub.db" not in text_seen
