"""Webhook delivery the way HubSpot does it, from one background thread.

Store changes matching the app's subscriptions become events; up to 100 due
events go out together as one JSON array, POSTed to the app's target URL and
signed with signature v3 (a fresh X-HubSpot-Request-Timestamp per attempt).
A delivery fails on anything but a 2xx within the timeout and is retried with
backoff, its events carrying a higher attemptNumber; after the attempt limit
the events are dropped, as HubSpot drops them. Faults: `duplicate_rate` sends
delivered events once more with the same eventIds, `out_of_order` holds events
and sends them one per request in shuffled order. Only loopback addresses are
contacted.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from causeway.connectors.hubspot.webhooks import sign_v3
from causeway_sandbox.hubspot.faults import HubSpotFaultInjector
from causeway_sandbox.hubspot.settings import HubSpotSandboxSettings
from causeway_sandbox.hubspot.store import ChangeEvent
from causeway_sandbox.shopify.webhooks import SenderThread, is_loopback


@dataclass
class Subscription:
    id: int
    event_type: str  # contact.creation, deal.propertyChange...
    property_name: str | None = None

    def matches(self, event: ChangeEvent) -> bool:
        if event.subscription_type != self.event_type:
            return False
        return self.property_name is None or self.property_name == event.property_name


@dataclass
class Pending:
    event: dict[str, Any]
    next_at: float
    attempt: int = 0
    duplicate: bool = False


@dataclass
class WebhookDispatcher(SenderThread):
    thread_name = "hubspot-webhooks"
    settings: HubSpotSandboxSettings
    faults: HubSpotFaultInjector
    target_url: str | None = None
    subscriptions: list[Subscription] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._cond = threading.Condition()
        self._pending: list[Pending] = []
        self._held_since: float | None = None
        self._in_flight = 0
        self._event_ids = itertools.count(1)
        self._sub_ids = itertools.count(1)
        self._log: list[dict[str, Any]] = []
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None

    # ------------------------------------------- subscriptions (start/stop: SenderThread)

    def configure(self, target_url: str, subscriptions: list[dict[str, Any]]) -> list[Subscription]:
        with self._cond:
            self.target_url = target_url
            self.subscriptions = [
                Subscription(next(self._sub_ids), s["eventType"], s.get("propertyName"))
                for s in subscriptions
            ]
            return list(self.subscriptions)

    def clear(self) -> None:
        with self._cond:
            self._pending.clear()
            self._log.clear()

    # ---------------------------------------------------------------- producing

    def publish(self, change: ChangeEvent) -> None:
        with self._cond:
            for sub in self.subscriptions:
                if sub.matches(change):
                    self._queue(self._event(sub, change))

    def _event(self, sub: Subscription, change: ChangeEvent) -> dict[str, Any]:
        event: dict[str, Any] = {
            "eventId": next(self._event_ids),
            "subscriptionId": sub.id,
            "portalId": self.settings.portal_id,
            "appId": self.settings.app_id,
            "occurredAt": int(time.time() * 1000),
            "subscriptionType": change.subscription_type,
            "attemptNumber": 0,
            "objectId": change.object_id,
            "changeFlag": "NEW" if change.subscription_type.endswith(".creation") else None,
            "changeSource": change.change_source,
        }
        if change.property_name is not None:
            event["propertyName"] = change.property_name
            event["propertyValue"] = change.property_value
        return {k: v for k, v in event.items() if v is not None}

    def _queue(self, event: dict[str, Any], *, duplicate: bool = False, delay: float = 0.0) -> None:
        if self._held_since is None:
            self._held_since = time.monotonic()
        self._pending.append(Pending(event, time.monotonic() + delay, duplicate=duplicate))
        self._cond.notify_all()

    # ---------------------------------------------------------------- consuming

    def _next_batch(self) -> list[Pending] | None:
        while not self._stopping:
            now = time.monotonic()
            due = [p for p in self._pending if p.next_at <= now]
            out_of_order, window, max_hold = self.faults.hold_policy()
            held_long = self._held_since is not None and now - self._held_since >= max_hold
            if due and self.target_url and (not out_of_order or len(due) >= window or held_long):
                if out_of_order:
                    self.faults.shuffle(due)
                    due = due[:1]  # one event per request, so the shuffle shows on the wire
                else:
                    due = due[: self.settings.webhook_batch]
                for item in due:
                    self._pending.remove(item)
                self._held_since = time.monotonic() if self._pending else None
                self._in_flight += 1
                return due
            self._cond.wait(timeout=0.02 if self._pending else 0.5)
        return None

    def _run(self) -> None:
        while True:
            with self._cond:
                batch = self._next_batch()
                url = self.target_url
            if batch is None:
                return
            try:
                self._deliver(str(url), batch)
            finally:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify_all()

    def _deliver(self, url: str, batch: list[Pending]) -> None:
        for item in batch:
            item.attempt += 1
            item.event["attemptNumber"] = item.attempt - 1
        body = json.dumps([i.event for i in batch], separators=(",", ":")).encode()
        timestamp = str(int(time.time() * 1000))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "HubSpot Connect 2.0 (http://dev.hubspot.com/)",
            "X-HubSpot-Request-Timestamp": timestamp,
            "X-HubSpot-Signature-v3": sign_v3(
                self.settings.client_secret, "POST", url, body, timestamp
            ),
            "X-HubSpot-Signature-Version": "v3",
        }
        status = self._post(url, body, headers)
        ok = isinstance(status, int) and 200 <= status < 300
        with self._cond:
            self._log.append(
                {
                    "event_ids": [i.event["eventId"] for i in batch],
                    "attempt": batch[0].attempt,
                    "status": status,
                    "ok": ok,
                    "duplicate": any(i.duplicate for i in batch),
                }
            )
            for item in batch:
                if ok:
                    if not item.duplicate and self.faults.should_duplicate():
                        self._queue(dict(item.event), duplicate=True, delay=0.05)
                elif isinstance(status, str) and status.startswith("refused"):
                    self._log[-1]["gave_up"] = True  # the address will never become loopback
                elif item.attempt < self.settings.webhook_max_attempts:
                    item.next_at = time.monotonic() + self.settings.webhook_retry_initial_s * (
                        2 ** (item.attempt - 1)
                    )
                    self._pending.append(item)
                    if self._held_since is None:
                        self._held_since = time.monotonic()
                else:
                    self._log[-1]["gave_up"] = True

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

    # ---------------------------------------------------------------- observing

    def deliveries(self) -> list[dict[str, Any]]:
        with self._cond:
            return [dict(e) for e in self._log]

    def wait_idle(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while (self._pending and self.target_url) or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(timeout=min(remaining, 0.05))
            pending = len(self._pending) + self._in_flight
        return {
            "idle": pending == 0,
            "pending": pending,
            "delivered": sum(1 for e in self._log if e["ok"]),
            "failed_attempts": sum(1 for e in self._log if not e["ok"]),
        }
