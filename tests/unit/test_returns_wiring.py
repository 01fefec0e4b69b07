"""causeway.yaml with cancellations and returns-to-erp: which changes start which jobs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.connectors.shopify.ingress import ShopifyIngress
from causeway.connectors.shopify.webhooks import sign_body
from causeway.engine.schedule import HELD_UNTIL
from causeway.errors import ConfigError
from causeway.hub import Hub


def make_hub(tmp_path: Path, **flows: Any) -> Hub:
    config = {
        "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
        "systems": {
            "shop": {
                "type": "shopify",
                "shop_url": "http://127.0.0.1:9",
                "access_token": "t",
                "webhook_secret": "s",
            },
            "erp": {
                "type": "tryton",
                "url": "http://127.0.0.1:9",
                "database": "d",
                "username": "u",
                "password": "p",
            },
        },
        "flows": {
            "orders-to-erp": {"source": "shop", "target": "erp", "reference_prefix": "eu-"},
            "cancellations": {"source": "shop", "target": "erp"},
            "returns-to-erp": {"source": "shop", "target": "erp", "receipt_check_every": "10m"},
            **flows,
        },
    }
    return Hub(parse_config(config, env={}))


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    running = make_hub(tmp_path)
    yield running
    running.store.dispose()


def delivery(topic: str, body: dict[str, Any], event_id: str) -> Any:
    raw = json.dumps(body).encode()
    headers = {
        "X-Shopify-Topic": topic,
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Hmac-Sha256": sign_body("s", raw),
    }
    return ShopifyIngress("shop", "s").record(headers, raw)


def test_a_refund_and_a_cancellation_start_jobs_under_their_orders_key(hub: Hub) -> None:
    refund = delivery("refunds/create", {"id": 5, "order_id": 77}, "e1")
    cancel = delivery("orders/cancelled", {"id": 77, "name": "#1077"}, "e2")
    (refund_job,) = hub.route(refund, 1)
    cancel_jobs = hub.route(cancel, 2)
    assert (refund_job.flow, refund_job.ordering_key) == ("returns-to-erp", "shop:order:77")
    # orders/cancelled is not an orders-to-erp topic: only the cancellation starts.
    assert [(j.flow, j.ordering_key) for j in cancel_jobs] == [("cancellations", "shop:order:77")]


def test_returns_check_receipts_on_a_schedule_and_cancellations_follow_the_sale_prefix(
    hub: Hub,
) -> None:
    returns = hub.wired["returns-to-erp"]
    assert returns.schedule.describe() == "realtime, every 10m"
    assert returns.run_payload == {"poll": True}
    cancellations = hub.wired["cancellations"]
    assert cancellations.run_payload is None
    assert cancellations.flow.prefix == "eu-"  # type: ignore[attr-defined]


def test_a_manual_cancellation_schedule_holds_the_job_until_a_run(tmp_path: Path) -> None:
    hub = make_hub(
        tmp_path, cancellations={"source": "shop", "target": "erp", "schedule": "manual"}
    )
    try:
        (job,) = hub.route(delivery("orders/cancelled", {"id": 1, "name": "#1"}, "e3"), 1)
        assert job.run_at == HELD_UNTIL
    finally:
        hub.store.dispose()


def test_a_misspelt_returns_setting_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="receipt_check_evry"):
        make_hub(
            tmp_path / "x",
            **{"returns-to-erp": {"source": "shop", "target": "erp", "receipt_check_evry": "1m"}},
        )
