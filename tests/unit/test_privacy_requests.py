"""The privacy-requests flow: on by default for Shopify stores, keyed and routed from
the inbox, and never applied to a store other than the system's own."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from causeway.config import parse_config
from causeway.connectors.shopify.webhooks import entity_key
from causeway.engine.inbox import InboxRecord, StoredEvent
from causeway.errors import ConfigError, InvalidPayloadError
from causeway.flows.privacy_requests import NAME, PrivacyRequests
from causeway.hub import Hub
from causeway_sandbox.shopify import SandboxServer, SandboxSettings

SHOP = {"type": "shopify", "shop_url": "https://acme.myshopify.com", "access_token": "t"}
ERP = {"type": "tryton", "url": "http://127.0.0.1:9", "database": "d", "username": "u"}


def config(tmp_path: Path, **flows: Any) -> dict[str, Any]:
    return {
        "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
        "systems": {"shop": {**SHOP, "webhook_secret": "s"}, "erp": {**ERP, "password": "p"}},
        "flows": flows,
    }


def test_on_by_default_for_every_shopify_store_and_off_when_asked(tmp_path: Path) -> None:
    on = parse_config(config(tmp_path), env={}).flows.configured()
    assert on[NAME].sources == ["shop"]  # type: ignore[attr-defined]
    off = parse_config(config(tmp_path, **{NAME: {"enabled": False}}), env={})
    assert NAME not in off.flows.configured()
    no_store = config(tmp_path)
    del no_store["systems"]["shop"]
    assert NAME not in parse_config(no_store, env={}).flows.configured()
    with pytest.raises(ConfigError, match=r"privacy-requests\.sources: system 'erp' is of type"):
        parse_config(config(tmp_path, **{NAME: {"sources": ["erp"]}}), env={})


def test_privacy_webhooks_are_keyed_by_customer_or_shop_and_routed_to_the_flow(
    tmp_path: Path,
) -> None:
    redact = {"shop_domain": "acme.myshopify.com", "customer": {"id": 7, "email": "a@b.co"}}
    assert entity_key("customers/redact", redact) == "customer:7"
    assert entity_key("customers/data_request", redact) == "customer:7"
    assert entity_key("shop/redact", {"shop_id": 42, "shop_domain": "x"}) == "shop:42"
    hub = Hub(parse_config(config(tmp_path), env={}))
    try:
        record = InboxRecord(
            "shop", "e1", "customers/redact", "customer:7", json.dumps(redact).encode()
        )
        (job,) = hub.flows.route(record, 1)
        assert (job.flow, job.ordering_key, job.payload) == (
            NAME,
            "shop:customer:7",
            {"inbox_id": 1},
        )
        assert "customers/redact" not in hub.flows.webhook_topics("shop")
    finally:
        hub.stop()


def flow(tmp_path: Path) -> tuple[Hub, PrivacyRequests]:
    hub = Hub(
        parse_config(config(tmp_path, **{NAME: {"exports_folder": str(tmp_path / "x")}}), env={})
    )
    requests = hub.flows[NAME]
    assert isinstance(requests, PrivacyRequests)
    return hub, requests


def event(topic: str, payload: dict[str, Any]) -> StoredEvent:
    body = json.dumps(payload).encode()
    return StoredEvent(1, "shop", "e1", topic, "customer:7", body, {}, time.time())


def test_a_request_for_another_store_is_left_alone(tmp_path: Path) -> None:
    hub, requests = flow(tmp_path)
    try:
        request = {
            "shop_domain": "someone-else.myshopify.com",
            "customer": {"id": 7, "email": "a@b.co"},
        }
        requests.apply(event("customers/data_request", {**request, "data_request": {"id": 1}}))
        assert not (tmp_path / "x").exists()
        requests.apply(event("shop/redact", {"shop_domain": "someone-else.myshopify.com"}))
    finally:
        hub.stop()


def test_a_request_that_names_nobody_is_parked_with_the_reason(tmp_path: Path) -> None:
    hub, requests = flow(tmp_path)
    try:
        with pytest.raises(InvalidPayloadError, match="names no customer"):
            requests.apply(event("customers/redact", {"shop_domain": "acme.myshopify.com"}))
        with pytest.raises(InvalidPayloadError, match="names no shop_domain"):
            requests.apply(event("shop/redact", {"shop_id": 1}))
    finally:
        hub.stop()


def test_the_sandbox_sends_privacy_webhooks_only_to_a_declared_url() -> None:
    server = SandboxServer(SandboxSettings()).start()
    try:
        with httpx.Client(base_url=server.url) as shop:
            assert shop.post("/_sandbox/shop/redact").status_code == 409  # no URL declared
            assert shop.post("/_sandbox/customers/1/redact").status_code == 404
            declared = shop.put(
                "/_sandbox/compliance_webhooks", json={"uri": "http://127.0.0.1:9/"}
            )
            assert declared.json()["topics"] == [
                "customers/data_request",
                "customers/redact",
                "shop/redact",
            ]
            sent = shop.post("/_sandbox/shop/redact")
            assert sent.status_code == 202
            assert sent.json()["payload"] == {
                "shop_id": 548380009,
                "shop_domain": "causeway-sandbox.myshopify.com",
            }
    finally:
        server.stop()
