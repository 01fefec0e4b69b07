"""Shopify webhook ingress: verify, then turn the delivery into an inbox record.

Kept thin on purpose (like Tryton's own web_shop_shopify route): the signature
is checked over the raw body and nothing else is interpreted beyond what the
inbox needs to deduplicate (the event id) and to order (the entity key).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import orjson

from causeway.connectors.ingress import WebhookRejected, require_secret
from causeway.connectors.shopify.webhooks import WebhookHeaders, entity_key, verify_webhook
from causeway.engine.inbox import InboxRecord

# Only these headers are kept with the body; the HMAC is not worth storing.
_KEPT = (
    "x-shopify-topic",
    "x-shopify-event-id",
    "x-shopify-webhook-id",
    "x-shopify-shop-domain",
    "x-shopify-triggered-at",
    "x-shopify-api-version",
)


class ShopifyIngress:
    def __init__(self, system: str, secret: str) -> None:
        self.system = system
        self._secret = require_secret(system, "webhook_secret", secret)

    def records(
        self, _method: str, _target: str, headers: Mapping[str, str], body: bytes
    ) -> list[InboxRecord]:
        """A Shopify delivery is one event (the shape every ingress has, see web/app.py)."""
        return [self.record(headers, body)]

    def record(self, headers: Mapping[str, str], body: bytes) -> InboxRecord:
        lowered = {k.lower(): v for k, v in headers.items()}
        if not verify_webhook(self._secret, body, lowered.get("x-shopify-hmac-sha256")):
            raise WebhookRejected(401, "webhook signature missing or invalid")
        meta = WebhookHeaders.from_headers(lowered)
        # Without any id the body itself identifies the delivery: a redelivery
        # of the same bytes is then still recognised as a duplicate.
        event_id = meta.event_id or "sha256:" + hashlib.sha256(body).hexdigest()
        topic = meta.topic or "unknown"
        try:
            key = entity_key(topic, orjson.loads(body))
        except (ValueError, TypeError, KeyError, AttributeError):
            # Unparseable: keep it anyway; its job will park it with the reason.
            key = f"unparseable:{event_id}"
        return InboxRecord(
            source=self.system,
            event_id=event_id,
            topic=topic,
            entity_key=key,
            body=body,
            headers={k: lowered[k] for k in _KEPT if k in lowered},
        )
