"""Webhook delivery the way Shopify does it, from one background thread.

A change the store announces becomes one delivery per matching subscription: the
REST resource as compact UTF-8 JSON, signed with HMAC-SHA256 of those exact bytes
(base64, `X-Shopify-Hmac-Sha256`), with Shopify's headers. The body and headers
are fixed when the event fires: a retry resends the same bytes with the same
`X-Shopify-Webhook-Id` and `X-Shopify-Event-Id` to the address the subscription
had then, as Shopify documents. A delivery succeeds on any 2xx within the
timeout; otherwise it is retried with exponential backoff up to the attempt
limit, after which (like Shopify) the subscription is removed.

Deliveries go out one at a time, earliest due first, so they arrive in order
unless a retry or the out-of-order fault says otherwise. Only loopback addresses
are ever contacted: the sandbox must not send traffic anywhere else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from causeway_sandbox.shopify.faults import FaultInjector
from causeway_sandbox.shopify.settings import SandboxSettings
from causeway_sandbox.shopify.store import Store

DUPLICATE_DELAY_S = 0.05
# Compliance webhooks go to the app configuration's URL, not to a subscription.
COMPLIANCE_SUBSCRIPTION = 0


def sign(secret: str, body: bytes) -> str:
    """What Shopify puts in X-Shopify-Hmac-Sha256 for `body`."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def is_loopback(uri: str) -> bool:
    host = urlsplit(uri).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Delivery:
    seq: int
    subscription_id: int
    topic: str
    uri: str
    body: bytes
    headers: dict[str, str]
    event_id: str
    webhook_id: str
    next_at: float
    attempt: int = 0
    duplicate: bool = False


class SenderThread:
    """Start and stop of a dispatcher's sender thread and its HTTP client: the part of
    both sandboxes' webhook dispatchers that is the same. The dispatcher sets the
    attributes below in its constructor and sends from `_run`."""

    thread_name = "webhooks"
    settings: Any  # with webhook_timeout_s
    _cond: threading.Condition
    _stopping: bool
    _thread: threading.Thread | None
    _client: httpx.Client | None

    def _run(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping = False
        self._client = httpx.Client(timeout=self.settings.webhook_timeout_s, trust_env=False)
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=self.settings.webhook_timeout_s + 1)
            self._thread = None
        if self._client is not None:
            self._client.close()
            self._client = None


class WebhookDispatcher(SenderThread):
    """Queue, worker thread and delivery log; `publish` is the store's listener."""

    thread_name = "shopify-webhooks"

    def __init__(self, store: Store, settings: SandboxSettings, faults: FaultInjector) -> None:
        self.store = store
        self.settings = settings
        self.faults = faults
        self._cond = threading.Condition()
        self._pending: list[Delivery] = []
        self._held: list[Delivery] = []
        self._held_since = 0.0
        self._in_flight = 0
        self._seq = itertools.count(1)
        self._log: list[dict[str, Any]] = []
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None

    # ------------------------------------------------ state (start/stop: SenderThread)

    def clear(self) -> None:
        with self._cond:
            self._pending.clear()
            self._held.clear()
            self._log.clear()

    # ---------------------------------------------------------------- producing

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """Freeze the event now (body, ids, time) and queue one delivery per subscriber."""
        with self.store.lock:
            self._publish(topic, payload)

    def _publish(self, topic: str, payload: dict[str, Any]) -> None:
        subscriptions = self.store.subscriptions_for(topic)
        if not subscriptions:
            return
        event_id, triggered = self._event()
        for sub in subscriptions:
            data = payload
            if sub.include_fields:
                data = {k: v for k, v in payload.items() if k in sub.include_fields}
            self._deliver(topic, data, sub.uri, sub.id, event_id, triggered)

    def publish_compliance(self, topic: str, payload: dict[str, Any]) -> str | None:
        """A privacy (compliance) webhook to the URL of the app's configuration, signed
        like every other; returns its event id (None: no URL declared)."""
        with self.store.lock:
            uri = self.store.compliance_uri
            if uri is None:
                return None
            event_id, triggered = self._event()
            self._deliver(topic, payload, uri, COMPLIANCE_SUBSCRIPTION, event_id, triggered)
            return event_id

    def _event(self) -> tuple[str, str]:
        """A new event id and its time (lock held)."""
        event_id = str(uuid.UUID(int=self.store.rng.getrandbits(128), version=4))
        triggered = (
            self.store.clock.precise_now().isoformat(timespec="microseconds").replace("+00:00", "Z")
        )
        return event_id, triggered

    def _deliver(
        self,
        topic: str,
        data: dict[str, Any],
        uri: str,
        subscription_id: int,
        event_id: str,
        triggered: str,
    ) -> None:
        body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        webhook_id = str(uuid.UUID(int=self.store.rng.getrandbits(128), version=4))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Shopify-Captain-Hook",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign(self.settings.api_secret, body),
            "X-Shopify-Shop-Domain": self.settings.shop_domain,
            "X-Shopify-API-Version": self.settings.api_version,
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Event-Id": event_id,
            "X-Shopify-Triggered-At": triggered,
        }
        self._enqueue(
            Delivery(
                next(self._seq),
                subscription_id,
                topic,
                uri,
                body,
                headers,
                event_id,
                webhook_id,
                time.monotonic(),
            )
        )

    def _enqueue(self, delivery: Delivery) -> None:
        out_of_order, window, _ = self.faults.hold_policy()
        with self._cond:
            if out_of_order and not delivery.duplicate:
                if not self._held:
                    self._held_since = time.monotonic()
                self._held.append(delivery)
                if len(self._held) >= window:
                    self._release_held()
            else:
                self._pending.append(delivery)
            self._cond.notify_all()

    def _release_held(self) -> None:
        """Move held deliveries to the queue in a shuffled order (lock held)."""
        batch, self._held = self._held, []
        self.faults.shuffle(batch)
        now = time.monotonic()
        for delivery in batch:
            delivery.seq = next(self._seq)
            delivery.next_at = now
            self._pending.append(delivery)

    # ---------------------------------------------------------------- consuming

    def _next_due(self) -> Delivery | None:
        """Pop the earliest due delivery, or wait for one (lock held)."""
        while not self._stopping:
            now = time.monotonic()
            _, _, max_hold = self.faults.hold_policy()
            if self._held and now - self._held_since >= max_hold:
                self._release_held()
            if self._pending:
                first = min(self._pending, key=lambda d: (d.next_at, d.seq))
                if first.next_at <= now:
                    self._pending.remove(first)
                    self._in_flight += 1
                    return first
                wait = first.next_at - now
            else:
                wait = 1.0
            if self._held:
                wait = min(wait, max(0.0, self._held_since + max_hold - now))
            self._cond.wait(timeout=max(wait, 0.001))
        return None

    def _run(self) -> None:
        while True:
            with self._cond:
                delivery = self._next_due()
            if delivery is None:
                return
            try:
                self._attempt(delivery)
            finally:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify_all()

    def _post(self, delivery: Delivery) -> int | str:
        if not is_loopback(delivery.uri):
            return "refused: the sandbox only delivers to loopback addresses"
        assert self._client is not None
        try:
            response = self._client.post(
                delivery.uri, content=delivery.body, headers=delivery.headers
            )
            return response.status_code
        except httpx.TimeoutException:
            return "timeout"
        except httpx.HTTPError as exc:
            return f"error: {type(exc).__name__}"

    def _attempt(self, delivery: Delivery) -> None:
        delivery.attempt += 1
        status = self._post(delivery)
        ok = isinstance(status, int) and 200 <= status < 300
        if ok and self.faults.answer_lost():
            status, ok = "timeout", False  # the receiver has it; the store does not know
        entry = {
            "event_id": delivery.event_id,
            "webhook_id": delivery.webhook_id,
            "topic": delivery.topic,
            "uri": delivery.uri,
            "attempt": delivery.attempt,
            "status": status,
            "ok": ok,
            "duplicate": delivery.duplicate,
            "at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        give_up = False
        with self._cond:
            self._log.append(entry)
            if ok:
                if not delivery.duplicate and self.faults.should_duplicate():
                    twin = Delivery(
                        next(self._seq),
                        delivery.subscription_id,
                        delivery.topic,
                        delivery.uri,
                        delivery.body,
                        dict(delivery.headers),
                        delivery.event_id,
                        delivery.webhook_id,
                        time.monotonic() + DUPLICATE_DELAY_S,
                        duplicate=True,
                    )
                    self._pending.append(twin)
            elif isinstance(status, str) and status.startswith("refused"):
                pass  # never retried: the address will not become loopback
            elif delivery.attempt < self.settings.webhook_max_attempts:
                delay = self.settings.webhook_retry_initial_s * (
                    self.settings.webhook_retry_factor ** (delivery.attempt - 1)
                )
                delivery.next_at = time.monotonic() + delay
                self._pending.append(delivery)
            else:
                give_up = True
                entry["gave_up"] = True
        if give_up and self.settings.webhook_remove_failing_subscriptions:
            self.store.remove_subscription(delivery.subscription_id)

    # ---------------------------------------------------------------- observing

    def deliveries(self) -> list[dict[str, Any]]:
        with self._cond:
            return [dict(e) for e in self._log]

    def counts(self) -> dict[str, int]:
        with self._cond:
            return {
                "pending": len(self._pending) + len(self._held) + self._in_flight,
                "delivered": sum(1 for e in self._log if e["ok"]),
                "failed_attempts": sum(1 for e in self._log if not e["ok"]),
                "gave_up": sum(1 for e in self._log if e.get("gave_up")),
            }

    def wait_idle(self, timeout: float) -> dict[str, Any]:
        """Block until nothing is queued, held or in flight (or the timeout passes)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._held or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(timeout=min(remaining, 0.05))
        result: dict[str, Any] = dict(self.counts())
        result["idle"] = result["pending"] == 0
        return result
