"""WooCommerce webhook ingress: verify, then the inbox records of each delivery.

Thin like every receiver (connectors/ingress.py): the signature is checked over the
raw body, and the body is read only as far as the inbox needs, its id (the ordering
key, "order:727") and modification date (the dedupe key, webhooks.py). The record's
topic is the hub's name of the change (order.created is orders/create, model/topics.py),
so flows serve WooCommerce as any store; WooCommerce's topic stays in its headers. What is not a
signed change of a WooCommerce resource is refused with the reason and stored
nowhere: a bad or missing signature (401), an empty body, a body that is not a JSON
object or has no id, a topic that is no resource's change (400). WooCommerce's ping,
the unsigned `webhook_id=<id>` it sends to test a new webhook, is answered with 200
and no record: it carries no change. An order update may be more than one change of the
hub's (a cancellation, refunds): `records` says which.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import orjson

from causeway.config.systems import WooCommerceSystem
from causeway.connectors.ingress import WebhookRejected, require_secret
from causeway.connectors.woocommerce import webhooks as wh
from causeway.engine.inbox import InboxRecord
from causeway.model.topics import ORDER_CANCELLED, ORDER_UPDATED, REFUND_CREATED


class WooCommerceIngress:
    """`records(method, target, headers, body)` for POST /webhooks/<woocommerce system>."""

    def __init__(self, system: str, secret: str) -> None:
        self.system = system
        self._secret = require_secret(system, "webhook_secret", secret)

    def records(
        self, _method: str, _target: str, headers: Mapping[str, str], body: bytes
    ) -> list[InboxRecord]:
        """A WooCommerce delivery is one change, or a ping that is none."""
        if wh.is_ping(body):
            return []
        record = self.record(headers, body)
        if record.topic != ORDER_UPDATED:
            return [record]
        # WooCommerce has no cancellation or refund topic: the update of a cancelled order
        # is also the hub's orders/cancelled, and the update of an order that lists refunds
        # is also refunds/create (returns-to-erp books each refund once, by its id), each
        # a distinct event, as Shopify sends them.
        data = orjson.loads(body)  # record() has checked it is a JSON object
        records = [record]
        if data.get("status") == "cancelled":
            records.append(replace(record, topic=ORDER_CANCELLED, event_id=f"{record.event_id}:c"))
        if data.get("refunds"):
            records.append(replace(record, topic=REFUND_CREATED, event_id=f"{record.event_id}:r"))
        return records

    def record(self, headers: Mapping[str, str], body: bytes) -> InboxRecord:
        """The inbox record of one signed delivery; WebhookRejected says why there is none."""
        lowered = {str(k).lower(): str(v) for k, v in headers.items()}
        if not wh.verify_signature(self._secret, body, lowered.get(wh.SIGNATURE_HEADER.lower())):
            raise WebhookRejected(
                401,
                f"WooCommerce webhook signature missing or invalid ({wh.SIGNATURE_HEADER}): "
                f"the webhook's secret must be systems.{self.system}.webhook_secret",
            )
        meta = wh.DeliveryHeaders.from_headers(lowered)
        topic = (meta.topic or "").lower()
        resource = wh.topic_resource(topic)
        if resource is None:
            shown = repr(meta.topic[:60]) if meta.topic else "none"
            raise WebhookRejected(
                400, f"topic {shown} is not a change of a WooCommerce resource (order.updated...)"
            )
        data = _json_object(body, topic)
        key = wh.entity_key(resource, data)
        if key is None:
            raise WebhookRejected(400, f"{topic} body has no id to key it by: not stored")
        delivery = meta.delivery_id or ""
        if not delivery or len(delivery) > wh.MAX_DELIVERY_ID or not delivery.isprintable():
            # Without a usable delivery id the body itself names the delivery.
            delivery = "sha256:" + hashlib.sha256(body).hexdigest()[:32]
        return InboxRecord(
            source=self.system,
            event_id=wh.event_id(delivery, key, data),
            topic=wh.hub_topic(topic),
            entity_key=key,
            body=body,
            headers={k: lowered[k] for k in wh.KEPT_HEADERS if k in lowered},
        )


def _json_object(body: bytes, topic: str) -> dict[str, Any]:
    if not body.strip():
        raise WebhookRejected(400, f"{topic} delivery has an empty body: not stored")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise WebhookRejected(400, f"{topic} body is not JSON: not stored") from None
    if not isinstance(data, dict):
        raise WebhookRejected(
            400, f"{topic} body is a JSON {type(data).__name__}, not an object: not stored"
        )
    return data


def build_ingress(name: str, system: WooCommerceSystem) -> WooCommerceIngress:
    """The webhook receiver of a configured WooCommerce system."""
    return WooCommerceIngress(name, system.webhook_secret.get_secret_value())
