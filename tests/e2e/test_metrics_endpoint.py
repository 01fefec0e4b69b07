"""GET /metrics on a running hub (no ERP needed: nothing is sent to it): after a few
webhooks an operator's Prometheus sees the latency of each answer and the jobs waiting."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from causeway.config import parse_config
from causeway.hub import Hub
from causeway.web.app import create_app
from causeway_sandbox.localserver import BackgroundServer, WorkerProcess, free_port
from tests.auth import bearer

SECRET = "metrics-test-secret"


def hub_config(tmp_path: Path) -> dict[str, Any]:
    return {
        "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
        "systems": {
            "shop": {
                "type": "shopify",
                "shop_url": f"http://127.0.0.1:{free_port()}",
                "access_token": "t",
                "webhook_secret": SECRET,
            },
            "erp": {
                "type": "tryton",
                "url": f"http://127.0.0.1:{free_port()}",
                "database": "d",
                "username": "u",
                "password": "p",
            },
        },
        "flows": {"orders-to-erp": {"source": "shop", "target": "erp"}},
    }


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[Hub, BackgroundServer]]:
    # The shop and ERP addresses are never called: no worker or scheduler runs.
    running = Hub(parse_config(hub_config(tmp_path), env={}))
    running.start(workers=0, scheduler=False)
    server = BackgroundServer(create_app(running)).start()
    yield running, server
    server.stop()
    running.stop()


def deliver(
    server: BackgroundServer, order_id: int, secret: str = SECRET, **fields: Any
) -> httpx.Response:
    body = json.dumps({"id": order_id, "line_items": [], **fields}).encode()
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    headers = {
        "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Event-Id": f"metrics-{order_id}",
    }
    return httpx.post(f"{server.url}/webhooks/shop", content=body, headers=headers)


def scrape(hub: tuple[Hub, BackgroundServer]) -> dict[tuple[str, tuple], float]:
    """What Prometheus reads, with the read key it is given (docs/monitoring.md)."""
    running, server = hub
    response = httpx.get(f"{server.url}/metrics", headers=bearer(running, "read"))
    assert response.status_code == 200
    # Prometheus' classic text format unless the scraper asks for OpenMetrics.
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def answered(figures: dict[tuple[str, tuple], float], outcome: str) -> float:
    key = ("causeway_webhook_latency_seconds_count", (("outcome", outcome), ("system", "shop")))
    return figures.get(key, 0.0)


def test_metrics_show_webhook_latency_by_outcome_and_the_jobs_they_started(
    hub: tuple[Hub, BackgroundServer],
) -> None:
    _, server = hub
    # The histogram belongs to the process; other tests may have counted before.
    before = scrape(hub)
    assert [deliver(server, n).status_code for n in (1, 2, 1)] == [200, 200, 200]
    assert deliver(server, 3, secret="forged").status_code == 401
    after = scrape(hub)
    assert answered(after, "stored") - answered(before, "stored") == 2
    assert answered(after, "duplicate") - answered(before, "duplicate") == 1
    assert answered(after, "rejected") - answered(before, "rejected") == 1
    slow = ("causeway_webhook_latency_seconds_bucket", (("le", "10.0"), ("outcome", "stored")))
    assert after[(slow[0], (*slow[1], ("system", "shop")))] >= 2
    queued = ("causeway_jobs", (("flow", "orders-to-erp"), ("state", "queued")))
    assert after[queued] == 2
    assert after[("causeway_jobs_done_total", (("flow", "orders-to-erp"),))] == 0
    assert after[("causeway_alerts_firing", ())] == 0
    # The delivery is now the shop's last webhook, read from the store.
    last = ("causeway_webhook_last_received_timestamp_seconds", (("system", "shop"),))
    assert after[last] > 0


def test_a_scraper_asking_for_openmetrics_gets_it(hub: tuple[Hub, BackgroundServer]) -> None:
    running, server = hub
    accept = "application/openmetrics-text; version=1.0.0"
    response = httpx.get(
        f"{server.url}/metrics", headers={"Accept": accept, **bearer(running, "read")}
    )
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.rstrip().endswith("# EOF")
    assert "causeway_jobs_done_total" in response.text


def test_a_worker_process_serves_its_own_retries_on_its_metrics_port(
    hub: tuple[Hub, BackgroundServer], tmp_path: Path
) -> None:
    running, server = hub
    order = {
        "name": "#7",
        "currency": "EUR",
        "created_at": "2026-03-01T10:00:00+01:00",
        "updated_at": "2026-03-01T10:05:00+01:00",
        "subtotal_price": "10.00",
        "total_tax": "0.00",
        "total_price": "10.00",
        "line_items": [{"id": 1, "title": "Widget", "sku": "W-1", "quantity": 1, "price": "10.00"}],
    }
    assert deliver(server, 7, **order).status_code == 200
    config_path = tmp_path / "causeway.yaml"
    # The same store; the ERP is not listening, so the worker's attempt fails and retries.
    config = hub_config(tmp_path)
    config["systems"]["erp"]["url"] = running.config.systems["erp"].url
    config_path.write_text(yaml.safe_dump(config))
    port = free_port()
    key = bearer(running, "read")  # the same store: the hub's keys are the worker's
    worker = WorkerProcess(config_path, "metrics-worker", metrics_port=port).start()
    try:
        retries = ("causeway_job_retries_total", (("flow", "orders-to-erp"),))
        figures: dict[tuple[str, tuple], float] = {}
        deadline = time.monotonic() + 30
        while figures.get(retries, 0) < 1 and time.monotonic() < deadline:
            time.sleep(0.3)
            try:
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", headers=key).text
            except httpx.HTTPError:
                continue  # not listening yet
            figures = {
                (sample.name, tuple(sorted(sample.labels.items()))): sample.value
                for family in text_string_to_metric_families(text)
                for sample in family.samples
            }
        # Its counters are for the hub's keys too, like the hub's own /metrics.
        anonymous = httpx.get(f"http://127.0.0.1:{port}/metrics")
        assert anonymous.status_code == 401
        assert "causeway_" not in anonymous.text
        forged = httpx.get(
            f"http://127.0.0.1:{port}/metrics", headers={"Authorization": "Bearer cw_x_forged"}
        )
        assert forged.status_code == 401
        assert httpx.get(f"http://127.0.0.1:{port}/health").json() == {"status": "ok"}
    finally:
        assert worker.stop() == 0
    assert figures.get(retries, 0) >= 1, worker.log.read_text()[-2000:]
    # The store's figures are the hub's to serve: a worker would only repeat them.
    assert not any(name == "causeway_jobs" for name, _ in figures)
