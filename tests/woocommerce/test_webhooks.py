"""The hub's webhooks in a WooCommerce store: subscribed, delivered, signed, kept alive.

A small HTTP server on 127.0.0.1 stands where the hub's POST /webhooks/{system} is:
it hands each delivery to WooCommerceIngress and answers as the hub's route does (200
once stored, the refusal's status otherwise), or fails on purpose, as a hub that is
down does.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.connectors.ingress import WebhookRejected
from causeway.connectors.woocommerce import WooCommerceConnector, WooCommerceIngress
from causeway.engine.facts import note_disabled_webhooks, read_facts
from causeway.engine.inbox import InboxRecord
from causeway.engine.store import Store
from causeway.errors import PermanentError
from causeway.observability.alerts import WEBHOOKS_DISABLED, evaluate
from tests.woocommerce.conftest import WEBHOOK_SECRET, add_product, buy, connect

TOPICS = ["order.created", "order.updated", "product.updated"]


class Receiver:
    """Where the hub would be: records what its ingress accepts, or answers 503."""

    def __init__(self) -> None:
        self.ingress = WooCommerceIngress("woo", WEBHOOK_SECRET)
        self.records: list[InboxRecord] = []
        self.answers: list[int] = []
        self.down = False
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.receive(dict(self.headers), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhooks/woo"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def receive(self, headers: dict[str, str], body: bytes) -> int:
        if self.down:
            status = 503
        else:
            try:
                self.records.extend(self.ingress.records("POST", "/webhooks/woo", headers, body))
                status = 200
            except WebhookRejected as exc:
                status = exc.status
        self.answers.append(status)
        return status


@pytest.fixture
def hub() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def settle(woo: Any) -> dict[str, Any]:
    idle = woo.control("POST", "deliveries/wait", json={"timeout": 10}).json()
    assert idle["idle"], idle
    return idle  # type: ignore[no-any-return]


def test_subscribing_creates_the_webhooks_once_and_their_ping_is_answered(
    woo: Any, store: WooCommerceConnector, hub: Receiver
) -> None:
    created = store.subscribe_webhooks(hub.url, TOPICS)
    assert set(created) == set(TOPICS)
    assert store.subscribe_webhooks(hub.url, TOPICS) == created  # nothing new the second time
    settle(woo)
    pings = [d for d in woo.control("GET", "deliveries").json() if d["kind"] == "ping"]
    assert len(pings) == 3 and all(d["ok"] for d in pings)
    assert hub.records == []  # a ping is no change
    assert store.webhook_subscriptions(hub.url) == created


def test_a_sale_arrives_signed_keyed_by_its_order(
    woo: Any, store: WooCommerceConnector, hub: Receiver
) -> None:
    store.subscribe_webhooks(hub.url, TOPICS)
    add_product(woo, "MUG", 5)
    placed = buy(woo, ("MUG", 1))
    settle(woo)
    orders = [r for r in hub.records if r.entity_key == f"order:{placed['id']}"]
    # Received under the hub's names, WooCommerce's kept in the headers.
    assert {r.topic for r in orders} == {"orders/create", "orders/updated"}
    assert {r.headers["x-wc-webhook-topic"] for r in orders} == {"order.created", "order.updated"}
    assert all(r.event_id.startswith("wc:") for r in orders)
    # The body is the REST order: the connector reads it as it reads a polled one.
    assert store.order_from_webhook(json.loads(orders[-1].body)).external_id == str(placed["id"])


def test_a_delivery_signed_with_another_secret_is_refused(woo: Any, hub: Receiver) -> None:
    with connect(woo, webhook_secret="not-the-hubs-secret") as wrong:
        wrong.subscribe_webhooks(hub.url, ["order.created"])
    add_product(woo, "MUG", 5)
    buy(woo, ("MUG", 1))
    settle(woo)
    assert hub.records == [] and 401 in hub.answers


def test_a_webhook_disabled_after_failures_is_switched_back_on_and_alerted(
    woo: Any, store: WooCommerceConnector, hub: Receiver, tmp_path: Path
) -> None:
    store.subscribe_webhooks(hub.url, ["order.updated"])
    settle(woo)
    add_product(woo, "MUG", 50)
    placed = buy(woo, ("MUG", 1))
    settle(woo)
    hub.down = True
    for status in ("completed", "processing") * 4:  # more failures than WooCommerce takes
        woo.control("POST", f"orders/{placed['id']}/status", json={"status": status})
        settle(woo)
    hub.down = False
    assert store.webhook_subscriptions(hub.url) == {}  # WooCommerce disabled it

    health = store.webhook_health(hub.url, ["order.updated"])
    assert health.disabled_topics == ["order.updated"]
    assert [w.status for w in health.reenabled] == ["active"]
    assert set(store.webhook_subscriptions(hub.url)) == {"order.updated"}

    hub_store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        note_disabled_webhooks(hub_store, "woo", health.disabled_topics)
        config = parse_config(
            {
                "systems": {
                    "woo": {
                        "type": "woocommerce",
                        "url": woo.store_url,
                        "consumer_key": "ck",
                        "consumer_secret": "cs",
                        "webhook_secret": WEBHOOK_SECRET,
                    }
                },
                "flows": {},
            },
            env={},
        )
        (alert,) = [
            a for a in evaluate(config, read_facts(hub_store)) if a.kind == WEBHOOKS_DISABLED
        ]
        assert alert.subject == "woo" and "order.updated" in alert.message
    finally:
        hub_store.dispose()

    # Switched back on, the next change is delivered again.
    before = len(hub.records)
    woo.control("POST", f"orders/{placed['id']}/status", json={"status": "completed"})
    settle(woo)
    assert len(hub.records) > before


def test_a_paused_webhook_is_left_to_the_person_who_paused_it(
    woo: Any, store: WooCommerceConnector, hub: Receiver
) -> None:
    (webhook_id,) = store.subscribe_webhooks(hub.url, ["order.created"]).values()
    store.client.put(f"/webhooks/{webhook_id}", {"status": "paused"})
    health = store.webhook_health(hub.url, ["order.created"])
    assert [w.id for w in health.paused] == [webhook_id] and health.disabled_topics == []
    assert store.webhook_subscriptions(hub.url) == {}


def test_a_topic_neither_the_hub_nor_woocommerce_names_is_refused(
    store: WooCommerceConnector, hub: Receiver
) -> None:
    with pytest.raises(PermanentError, match=r"resource\.event, e\.g\. order\.created"):
        store.subscribe_webhooks(hub.url, ["orders/fulfilled"])
