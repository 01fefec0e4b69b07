"""Contract: which Shopify topics the hub subscribes through the Admin API, checked
against Shopify's own introspection of the Admin GraphQL schema (vendor-samples).

Every topic the hub subscribes must be a WebhookSubscriptionTopic value. The privacy
(compliance) topics are not: Shopify sends them only to the URLs declared in the
app's configuration, so the hub routes them without ever trying to subscribe them.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from causeway.config import parse_config
from causeway.connectors.shopify.connector import webhook_topic_enum
from causeway.flows import privacy_requests
from causeway.hub import Hub
from tests.contract.test_shopify_vendor_samples import SAMPLES
from tests.vendor_samples import require_samples


def subscription_topics(version: str) -> set[str]:
    require_samples("shopify")
    path = SAMPLES / "admin-schema" / f"admin_{version}.json.gz"
    schema = json.loads(gzip.decompress(path.read_bytes()))["data"]["__schema"]
    (enum,) = [t for t in schema["types"] if t["name"] == "WebhookSubscriptionTopic"]
    return {value["name"] for value in enum["enumValues"]}


def every_flow(tmp_path: Path) -> Hub:
    shop = {"type": "shopify", "shop_url": "http://127.0.0.1:9", "access_token": "t"}
    erp = {"type": "tryton", "url": "http://127.0.0.1:9", "database": "d", "username": "u"}
    config = parse_config(
        {
            "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
            "systems": {"shop": {**shop, "webhook_secret": "s"}, "erp": {**erp, "password": "p"}},
            "flows": {
                name: {"source": "shop", "target": "erp"}
                for name in ("orders-to-erp", "payments-and-invoices", "cancellations")
            }
            | {"returns-to-erp": {"source": "shop", "target": "erp"}}
            | {"catalog-to-channels": {"source": "erp", "targets": ["shop"]}},
        },
        env={},
    )
    return Hub(config)


@pytest.mark.parametrize("version", ["2026-01", "2026-10"])
def test_what_the_hub_subscribes_is_subscribable_and_privacy_topics_are_not(
    tmp_path: Path, version: str
) -> None:
    known = subscription_topics(version)
    hub = every_flow(tmp_path)
    try:
        subscribed = hub.flows.webhook_topics("shop")
        assert subscribed and {webhook_topic_enum(t) for t in subscribed} <= known
        assert hub.flows.app_topics("shop") == sorted(privacy_requests.TOPICS)
        assert not {webhook_topic_enum(t) for t in privacy_requests.TOPICS} & known
        assert not set(privacy_requests.TOPICS) & set(subscribed)
    finally:
        hub.stop()
