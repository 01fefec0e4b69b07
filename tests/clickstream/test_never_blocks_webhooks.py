"""A flood of storefront events never holds up a webhook: while browsers hammer
/collect, a signed Shopify delivery is still answered 200 and committed to the inbox,
and when the store is too slow for the events, events are dropped (503), not queued
without bound."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient

from causeway.engine.web_event_writer import WebEventWriter
from causeway.engine.web_events import WebEvent
from causeway.hub import Hub
from tests.auth import hub_client
from tests.clickstream.conftest import KEY, batch, pixel_event, start, stored
from tests.hostile.conftest import rows, shopify_signature


def signed_order(event_id: str) -> tuple[bytes, dict[str, str]]:
    body = b'{"id": 450789469, "updated_at": "2026-12-06T10:00:00Z"}'
    return body, {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Hmac-Sha256": shopify_signature(body),
    }


def test_webhooks_are_answered_and_committed_while_collect_floods(
    hub: Hub, client: TestClient
) -> None:
    stop = threading.Event()
    answers: list[int] = []

    def flood(client_number: int) -> None:
        """Two browsers over their rate, two sending as ever new clients (all stored)."""
        with hub_client(hub, scope=None) as browser:
            browser.headers.update({"X-Causeway-Collect-Key": KEY})
            sent = 0
            while not stop.is_set():
                sent += 1
                who = f"flood-{client_number}" + (f"-{sent}" if client_number % 2 else "")
                events = [pixel_event(client_id=who) for _ in range(10)]
                answers.append(browser.post("/collect/shop", content=batch(*events)).status_code)

    floods = [threading.Thread(target=flood, args=(n,)) for n in range(4)]
    for thread in floods:
        thread.start()
    try:
        while len(answers) < 50:
            time.sleep(0.01)
        webhook = hub_client(hub, scope=None)
        for number in range(10):
            body, headers = signed_order(f"e-during-flood-{number}")
            started = time.monotonic()
            response = webhook.post("/webhooks/shop", content=body, headers=headers)
            assert response.status_code == 200, response.text
            assert response.json()["stored"] is True
            assert time.monotonic() - started < 5.0  # generous: a commit, never the flood
    finally:
        stop.set()
        for thread in floods:
            thread.join()
    assert rows(hub)[0] == 10  # every delivery is in the inbox
    assert set(answers) <= {202, 429, 503}
    assert 429 in answers  # a flooding browser was held to its rate
    assert 202 in answers  # and the others' events were being stored meanwhile
    assert len(stored(hub)) <= answers.count(202) * 10


def test_events_are_dropped_not_queued_when_the_store_is_slow(tmp_path: Path) -> None:
    hub = start(f"sqlite:///{tmp_path / 'hub.db'}", events_per_minute=100_000)
    assert hub.web_event_writer is not None
    hub.web_event_writer.stop()  # a writer that stores nothing: the store as slow as can be
    hub.web_event_writer = WebEventWriter(hub.store, capacity=25)
    try:
        with hub_client(hub, scope=None) as client:
            client.headers.update({"X-Causeway-Collect-Key": KEY})
            answers = [
                client.post("/collect/shop", content=batch(*[pixel_event() for _ in range(10)]))
                for _ in range(4)
            ]
        assert [a.status_code for a in answers] == [202, 202, 503, 503]
        assert answers[2].headers["Retry-After"]
        assert hub.web_event_writer.dropped == 20
    finally:
        hub.web_event_writer = None
        hub.stop()


def test_the_writer_stores_what_is_queued_when_it_stops(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    writer = WebEventWriter(sqlite_store, flush_every=60).start()
    events = [
        WebEvent("shop", f"e{n}", "page_viewed", "c", occurred_at=1.0, received_at=1.0)
        for n in range(1200)
    ]
    assert writer.offer(events)
    writer.stop(timeout=10)
    assert writer.stored == 1200
