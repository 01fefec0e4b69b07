"""Webhook delivery the way WooCommerce does it, from one background thread, in order.

An event (`order.updated` for order 727) becomes one delivery per active webhook of
that topic. As in WooCommerce, the payload is built when the delivery goes out,
from the resource as it is then (the REST API's answer for it; `{"id": ...}` for a
deleted one), so two quick updates may deliver the same state twice. The body is
`wp_json_encode`d and signed with the webhook's secret: `X-WC-Webhook-Signature` is
base64(HMAC-SHA256(raw body)). `X-WC-Webhook-Delivery-ID` is WooCommerce's
`wp_hash(webhook id . unix time)`: two deliveries of one webhook within the same
second carry the same delivery id, so it cannot identify a delivery on its own.

A delivery succeeds on a 2xx, 301 or 302 (no redirect is followed); anything else,
a timeout or a refused connection is a failure. Nothing is ever retried. The
webhook counts consecutive failures (a success resets the count) and a failure
while the count already exceeds `webhook_max_failures` (5) disables it, exactly as
WC_Webhook::failed_delivery does: with the default, the 7th consecutive failure.
Re-enabling does not reset the count. Events while a webhook is not active are
dropped, never replayed.

The ping: a form-encoded `webhook_id=<id>` POST without signature, sent when a
webhook is created, and again on each later save while it is active and no ping
has been answered with exactly 200 (or when its delivery URL changed). Only
loopback addresses are contacted (real WooCommerce refuses exactly those).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from causeway_sandbox.shopify.webhooks import SenderThread, is_loopback
from causeway_sandbox.woocommerce.formats import php_json
from causeway_sandbox.woocommerce.order_views import render_order
from causeway_sandbox.woocommerce.product_views import render_product
from causeway_sandbox.woocommerce.settings import WooSandboxSettings
from causeway_sandbox.woocommerce.store import Store, Webhook


def sign(secret: str, body: bytes) -> str:
    """What WooCommerce puts in X-WC-Webhook-Signature for `body`."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass
class Delivery:
    seq: int
    webhook_id: int
    topic: str  # "" for a ping
    resource_id: int


class WebhookDispatcher(SenderThread):
    """Queue, sender thread and delivery log; `publish` is the store's listener."""

    thread_name = "woocommerce-webhooks"

    def __init__(self, store: Store, settings: WooSandboxSettings) -> None:
        self.store = store
        self.settings = settings
        self._cond = threading.Condition()
        self._queue: list[Delivery] = []
        self._in_flight = 0
        self._seq = itertools.count(1)
        self._log: list[dict[str, Any]] = []
        self._salt = hashlib.sha256(f"{settings.seed}:wp-salt".encode()).hexdigest()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None

    def clear(self) -> None:
        with self._cond:
            self._queue.clear()
            self._log.clear()

    # ---------------------------------------------------------------- producing

    def publish(self, topic: str, resource_id: int) -> None:
        with self.store.lock:
            ids = [
                h.id
                for h in self.store.webhooks.values()
                if h.status == "active" and h.topic == topic
            ]
        for webhook_id in ids:
            self._enqueue(Delivery(next(self._seq), webhook_id, topic, resource_id))

    def ping(self, webhook_id: int) -> None:
        self._enqueue(Delivery(next(self._seq), webhook_id, "", 0))

    def _enqueue(self, delivery: Delivery) -> None:
        with self._cond:
            self._queue.append(delivery)
            self._cond.notify_all()

    # ---------------------------------------------------------------- consuming

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait(timeout=1.0)
                if self._stopping:
                    return
                delivery = self._queue.pop(0)
                self._in_flight += 1
            try:
                self._send(delivery)
            finally:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify_all()

    def _payload(self, topic: str, resource_id: int) -> Any:
        resource, _, event = topic.partition(".")
        if event == "deleted":
            return {"id": resource_id}
        if resource == "order" and resource_id in self.store.orders:
            return render_order(self.store.orders[resource_id], self.store)
        if resource == "product" and resource_id in self.store.products:
            return render_product(self.store.products[resource_id], self.store)
        kind = "shop_order" if resource == "order" else resource
        code = f"woocommerce_rest_{kind}_invalid_id"
        return {"code": code, "message": "Invalid ID.", "data": {"status": 404}}

    def _request(self, hook: Webhook, delivery: Delivery) -> tuple[bytes, dict[str, str]]:
        """Body and headers, built now from the resource as it is (lock held)."""
        versions = self.settings
        agent = f"WooCommerce/{versions.wc_version} Hookshot (WordPress/{versions.wp_version})"
        if not delivery.topic:
            body = f"webhook_id={hook.id}".encode()
            return body, {"User-Agent": agent, "Content-Type": "application/x-www-form-urlencoded"}
        body = php_json(self._payload(delivery.topic, delivery.resource_id)).strip()
        resource, _, event = delivery.topic.partition(".")
        stamp = f"{hook.id}{int(self.store.clock.now().timestamp())}"
        delivery_id = hmac.new(self._salt.encode(), stamp.encode(), hashlib.md5).hexdigest()
        return body, {
            "User-Agent": agent,
            "Content-Type": "application/json",
            "X-WC-Webhook-Source": self.store.site_url,
            "X-WC-Webhook-Topic": delivery.topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": sign(hook.secret, body),
            "X-WC-Webhook-ID": str(hook.id),
            "X-WC-Webhook-Delivery-ID": delivery_id,
        }

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> int | str:
        if not is_loopback(url):
            return "refused: the sandbox only delivers to loopback addresses"
        assert self._client is not None
        try:
            return self._client.post(url, content=body, headers=headers).status_code
        except httpx.TimeoutException:
            return "timeout"
        except httpx.HTTPError as exc:
            return f"error: {type(exc).__name__}"

    def _send(self, delivery: Delivery) -> None:
        with self.store.lock:
            hook = self.store.webhooks.get(delivery.webhook_id)
            if hook is None:
                return  # deleted since: nothing to deliver to
            url = hook.delivery_url
            body, headers = self._request(hook, delivery)
        status = self._post(url, body, headers)
        with self.store.lock:
            hook = self.store.webhooks.get(delivery.webhook_id)
            if hook is None:
                return
            if delivery.topic:
                ok = isinstance(status, int) and 200 <= status < 303
                self._account(hook, ok)
            else:
                ok = status == 200
                hook.pending_ping = not ok
            entry = {
                "kind": "delivery" if delivery.topic else "ping",
                "webhook_id": hook.id,
                "topic": delivery.topic or None,
                "resource_id": delivery.resource_id or None,
                "delivery_id": headers.get("X-WC-Webhook-Delivery-ID"),
                "url": url,
                "status": status,
                "ok": ok,
                "failure_count": hook.failure_count,
                "webhook_status": hook.status,
                "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            }
        with self._cond:
            self._log.append(entry)

    def _account(self, hook: Webhook, ok: bool) -> None:
        """WC_Webhook::log_delivery and failed_delivery, then the save (lock held)."""
        if ok:
            hook.failure_count = 0
        elif hook.failure_count > self.settings.webhook_max_failures:
            hook.status = "disabled"
        else:
            hook.failure_count += 1
        self.saved(hook, url_changed=False)

    def saved(self, hook: Webhook, *, url_changed: bool) -> None:
        """WC_Webhook_Data_Store::update: a new date_modified, and the ping again while
        none was answered 200 (or the URL changed) and the webhook is active (lock held)."""
        hook.date_modified = self.store.clock.now()
        if hook.status == "active" and (url_changed or hook.pending_ping):
            self.ping(hook.id)

    # ---------------------------------------------------------------- observing

    def deliveries(self) -> list[dict[str, Any]]:
        with self._cond:
            return [dict(e) for e in self._log]

    def wait_idle(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(timeout=min(remaining, 0.05))
            pending = len(self._queue) + self._in_flight
            return {
                "idle": pending == 0,
                "pending": pending,
                "delivered": sum(1 for e in self._log if e["ok"] and e["kind"] == "delivery"),
                "failed": sum(1 for e in self._log if not e["ok"] and e["kind"] == "delivery"),
                "pings": sum(1 for e in self._log if e["kind"] == "ping"),
            }
