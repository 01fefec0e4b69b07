"""Webhooks as WooCommerce delivers them: signed JSON with the X-WC-Webhook-* headers,
the form-encoded ping, in order from one background thread, never retried, and a
webhook that keeps failing disables itself and replays nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from causeway_sandbox.localserver import BackgroundServer
from causeway_sandbox.woocommerce import WooSandboxServer
from tests.sandbox.woocommerce.conftest import buy, seed
from tests.sandbox.woocommerce.shapes import shape_differences
from tests.vendor_samples import load_sample, samples_dir


class Receiver:
    """A webhook endpoint on 127.0.0.1 that answers `status` and keeps what it got."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            body = await request.body()
            with self.lock:
                self.received.append((dict(request.headers), body))
                return Response(status_code=self.status)

        self.server = BackgroundServer(app, name="receiver")

    @property
    def url(self) -> str:
        return f"{self.server.url}/hook"

    def deliveries(self) -> list[tuple[dict[str, str], bytes]]:
        """What came with a topic (the ping has none)."""
        with self.lock:
            return [(h, b) for h, b in self.received if "x-wc-webhook-topic" in h]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rx = Receiver()
    with rx.server:
        yield rx


def subscribe(api: httpx.Client, topic: str, url: str, secret: str = "s3cr3t") -> dict:
    response = api.post(
        "webhooks", json={"name": topic, "topic": topic, "delivery_url": url, "secret": secret}
    )
    assert response.status_code == 201
    return response.json()  # type: ignore[no-any-return]


def settle(woo: WooSandboxServer) -> None:
    assert woo.control("POST", "deliveries/wait", json={"timeout": 10}).json()["idle"]


def documented_signature(secret: str, body: bytes) -> str:
    """webhooks-doc.md: 'a base64 encoded HMAC-SHA256 hash of the payload'."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def test_creating_a_webhook_pings_its_url_with_a_form_body(
    woo: WooSandboxServer, api: httpx.Client, receiver: Receiver
) -> None:
    hook = subscribe(api, "order.created", receiver.url)
    settle(woo)
    ((headers, body),) = receiver.received
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(body.decode()) == {"webhook_id": [str(hook["id"])]}
    assert "x-wc-webhook-signature" not in headers
    assert headers["user-agent"].startswith("WooCommerce/")
    assert "secret" not in hook
    assert hook["hooks"] == ["woocommerce_new_order"]
    assert (hook["resource"], hook["event"], hook["status"]) == ("order", "created", "active")


def test_a_delivery_is_signed_and_carries_the_order_in_the_samples_shape(
    woo: WooSandboxServer, api: httpx.Client, receiver: Receiver
) -> None:
    hook = subscribe(api, "order.created", receiver.url, secret="shh-é/secret")
    seed(woo, "HOOK-1")
    order = buy(woo, "HOOK-1").json()
    settle(woo)
    ((headers, body),) = receiver.deliveries()
    assert headers["x-wc-webhook-signature"] == documented_signature("shh-é/secret", body)
    assert headers["x-wc-webhook-topic"] == "order.created"
    assert headers["x-wc-webhook-resource"] == "order"
    assert headers["x-wc-webhook-event"] == "created"
    assert headers["x-wc-webhook-id"] == str(hook["id"])
    assert headers["x-wc-webhook-source"] == woo.url + "/"
    assert len(headers["x-wc-webhook-delivery-id"]) == 32
    assert b"\\/" in body  # wp_json_encode escapes slashes: verify the raw bytes
    payload = httpx.Response(200, content=body).json()
    assert payload["id"] == order["id"]
    assert shape_differences(load_sample("woocommerce", "order.json"), payload) == []


def test_a_tampered_body_does_not_verify(
    woo: WooSandboxServer, api: httpx.Client, receiver: Receiver
) -> None:
    subscribe(api, "order.created", receiver.url)
    seed(woo, "HOOK-2")
    buy(woo, "HOOK-2")
    settle(woo)
    ((headers, body),) = receiver.deliveries()
    assert headers["x-wc-webhook-signature"] != documented_signature("s3cr3t", body + b" ")
    assert headers["x-wc-webhook-signature"] != documented_signature("other", body)


def test_deliveries_arrive_in_the_order_of_the_events(
    woo: WooSandboxServer, api: httpx.Client, receiver: Receiver
) -> None:
    for topic in ("order.created", "order.updated", "order.deleted", "order.restored"):
        subscribe(api, topic, receiver.url)
    seed(woo, "HOOK-3", quantity=10)
    order = buy(woo, "HOOK-3").json()
    api.put(f"orders/{order['id']}", json={"status": "completed"})
    assert api.delete(f"orders/{order['id']}").status_code == 200
    woo.control("POST", f"orders/{order['id']}/restore")
    settle(woo)
    topics = [h["x-wc-webhook-topic"] for h, _ in receiver.deliveries()]
    assert topics == [
        "order.created",
        "order.updated",
        "order.updated",
        "order.deleted",
        "order.restored",
    ]
    deleted = next(
        b for h, b in receiver.deliveries() if h["x-wc-webhook-topic"] == "order.deleted"
    )
    assert httpx.Response(200, content=deleted).json() == {"id": order["id"]}


def test_a_stock_change_fires_product_updated(
    woo: WooSandboxServer, api: httpx.Client, receiver: Receiver
) -> None:
    seed(woo, "HOOK-4", quantity=3)
    subscribe(api, "product.updated", receiver.url)
    buy(woo, "HOOK-4")
    settle(woo)
    ((_, body),) = receiver.deliveries()
    payload = httpx.Response(200, content=body).json()
    assert (payload["sku"], payload["stock_quantity"]) == ("HOOK-4", 2)
    assert shape_differences(load_sample("woocommerce", "product.json"), payload) == []


def test_a_failing_webhook_is_disabled_and_nothing_is_replayed(
    woo: WooSandboxServer, api: httpx.Client, receiver: Receiver
) -> None:
    seed(woo, "HOOK-5", quantity=100)
    receiver.status = 500
    hook = subscribe(api, "order.created", receiver.url)
    # WC_Webhook::failed_delivery: disabled when a delivery fails while the failure count
    # already exceeds 5 (woocommerce_max_webhook_delivery_failures), i.e. the 7th failure.
    for _ in range(6):
        buy(woo, "HOOK-5")
        settle(woo)
    assert api.get(f"webhooks/{hook['id']}").json()["status"] == "active"
    buy(woo, "HOOK-5")
    settle(woo)
    assert api.get(f"webhooks/{hook['id']}").json()["status"] == "disabled"
    assert len(receiver.deliveries()) == 7
    receiver.status = 200
    missed = buy(woo, "HOOK-5").json()
    settle(woo)
    assert len(receiver.deliveries()) == 7  # nothing while disabled
    log = woo.control("GET", "deliveries").json()
    assert [e["failure_count"] for e in log if e["kind"] == "delivery"] == [1, 2, 3, 4, 5, 6, 6]
    # Re-enabled, it delivers new events only: the missed order never comes.
    api.put(f"webhooks/{hook['id']}", json={"status": "active"})
    fresh = buy(woo, "HOOK-5").json()
    settle(woo)
    ids = [httpx.Response(200, content=b).json()["id"] for _, b in receiver.deliveries()]
    assert fresh["id"] in ids and missed["id"] not in ids
    assert api.get("webhooks", params={"status": "active"}).json()[0]["id"] == hook["id"]


def test_a_success_resets_the_failure_count(
    woo: WooSandboxServer, api: httpx.Client, receiver: Receiver
) -> None:
    seed(woo, "HOOK-6", quantity=100)
    hook = subscribe(api, "order.created", receiver.url)
    for status in [500] * 6 + [200] + [500] * 6:
        receiver.status = status
        buy(woo, "HOOK-6")
        settle(woo)
    assert api.get(f"webhooks/{hook['id']}").json()["status"] == "active"


def test_a_connection_refused_counts_as_a_failure_and_a_paused_webhook_gets_nothing(
    woo: WooSandboxServer, api: httpx.Client, receiver: Receiver
) -> None:
    seed(woo, "HOOK-7", quantity=100)
    dead = subscribe(api, "order.created", "http://127.0.0.1:9/nobody-listens")
    paused = subscribe(api, "order.created", receiver.url)
    api.put(f"webhooks/{paused['id']}", json={"status": "paused"})
    for _ in range(7):
        buy(woo, "HOOK-7")
        settle(woo)
    assert api.get(f"webhooks/{dead['id']}").json()["status"] == "disabled"
    assert receiver.deliveries() == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {"topic": "order.shipped", "delivery_url": "http://127.0.0.1/x"},
            "woocommerce_rest_shop_webhook_invalid_topic",
        ),
        (
            {"topic": "order.created", "delivery_url": "ftp://127.0.0.1/x"},
            "woocommerce_rest_shop_webhook_invalid_delivery_url",
        ),
    ],
)
def test_invalid_webhooks_are_refused(api: httpx.Client, body: dict, code: str) -> None:
    response = api.post("webhooks", json=body)
    assert (response.status_code, response.json()["code"]) == (400, code)


def test_a_webhook_cannot_be_trashed_only_deleted(api: httpx.Client, receiver: Receiver) -> None:
    hook = subscribe(api, "order.updated", receiver.url)
    assert api.delete(f"webhooks/{hook['id']}").status_code == 501
    assert api.delete(f"webhooks/{hook['id']}", params={"force": "true"}).status_code == 200
    assert api.get(f"webhooks/{hook['id']}").status_code == 404


def doc() -> str:
    return (samples_dir("woocommerce") / "webhooks-doc.md").read_text(encoding="utf-8")


def test_every_header_the_webhook_docs_list_is_sent(
    woo: WooSandboxServer, api: httpx.Client, receiver: Receiver
) -> None:
    documented = set(re.findall(r"`(X-WC-Webhook-[A-Za-z-]+)`", doc()))
    assert len(documented) == 7
    subscribe(api, "order.created", receiver.url)
    seed(woo, "HOOK-8")
    buy(woo, "HOOK-8")
    settle(woo)
    ((headers, _),) = receiver.deliveries()
    assert {name.lower() for name in documented} <= set(headers)


def test_webhooks_have_the_shape_of_the_docs_example(
    woo: WooSandboxServer, api: httpx.Client, receiver: Receiver
) -> None:
    retrieve = doc().split("## Retrieve a webhook", 1)[1]
    example = json.loads(retrieve.split("```json", 1)[1].split("```", 1)[0])
    hook = subscribe(api, "order.updated", receiver.url)
    hook_name = api.put(f"webhooks/{hook['id']}", json={"name": example["name"]}).json()
    assert hook_name["name"] == example["name"]
    read = api.get(f"webhooks/{hook['id']}").json()
    assert shape_differences(example, read) == []
    assert shape_differences(example, hook) == []
    for key in ("name", "status", "topic", "resource", "event"):
        assert read[key] == example[key], key
