"""WooCommerce's webhook contract: signature, headers, topics, the ping, the keys.

- A delivery is a POST of the resource's JSON, exactly as the REST API gives it,
  signed in `X-WC-Webhook-Signature`: the base64 HMAC-SHA256 of the raw body under
  the webhook's secret (checked over the raw bytes, in constant time).
- `X-WC-Webhook-Topic` is `resource.event` (order.created, order.updated,
  order.deleted, order.restored, product.updated, ...); `X-WC-Webhook-ID` names the
  webhook, `X-WC-Webhook-Delivery-ID` the delivery, `X-WC-Webhook-Source` the site.
- When a webhook is created (or switched on), WooCommerce first sends a ping: a
  form-encoded `webhook_id=<id>` body with no signature, and keeps the webhook only
  if it gets a 200. It carries no change: it is answered and stored nowhere.
- The delivery id alone does not identify a delivery: WooCommerce derives it from the
  webhook and the second it was sent, so two deliveries sent in one second share it.
  The inbox keys a delivery by delivery id, resource id and the resource's
  modification date: deliveries that still share all three were sent in the same
  second about the same version of the same resource (WooCommerce builds each body
  as it sends it), so keeping one of them loses nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from causeway.connectors.ingress import signature_matches
from causeway.model import topics as hub

SIGNATURE_HEADER = "X-WC-Webhook-Signature"
ORDER_TOPICS = ("order.created", "order.updated", "order.deleted", "order.restored")
PRODUCT_TOPICS = ("product.updated",)
TOPICS = (*ORDER_TOPICS, *PRODUCT_TOPICS)
# The hub's topic (model/topics.py) each WooCommerce topic is received as. A restored
# order (back from the trash) is an update of it. The vendor's topic stays in the
# record's headers (x-wc-webhook-topic).
HUB_TOPICS = {
    "order.created": hub.ORDER_CREATED,
    "order.updated": hub.ORDER_UPDATED,
    "order.restored": hub.ORDER_UPDATED,
    "order.deleted": hub.ORDER_DELETED,
    "product.updated": hub.PRODUCT_UPDATED,
}
# WooCommerce has no payment, cancellation or refund topics: they are order.updated
# deliveries, whose order shows them (order_events.py).
_SUBSCRIBED_AS = {
    hub.ORDER_CREATED: ("order.created",),
    hub.ORDER_UPDATED: ("order.updated", "order.restored"),
    hub.ORDER_PAID: ("order.updated",),
    hub.ORDER_CANCELLED: ("order.updated",),
    hub.REFUND_CREATED: ("order.updated",),
    hub.ORDER_DELETED: ("order.deleted",),
    hub.PRODUCT_UPDATED: ("product.updated",),
}
# WooCommerce's resources: a topic of any other resource (action.*) is not a change.
RESOURCES = ("order", "product", "customer", "coupon")
_TOPIC = re.compile(r"(?P<resource>[a-z_]+)\.(?P<event>[a-z_]+)")
_PING = re.compile(rb"webhook_id=\d{1,20}")
_HEADERS = {
    "topic": "x-wc-webhook-topic",
    "resource": "x-wc-webhook-resource",
    "event": "x-wc-webhook-event",
    "webhook_id": "x-wc-webhook-id",
    "delivery_id": "x-wc-webhook-delivery-id",
    "source": "x-wc-webhook-source",
}
KEPT_HEADERS = tuple(_HEADERS.values())
MAX_DELIVERY_ID = 64  # WooCommerce's are 32 hex digits (a wp_hash)


def hub_topic(topic: str) -> str:
    """The hub's topic of a WooCommerce one; a topic no flow takes (customer.created)
    is kept as WooCommerce names it."""
    return HUB_TOPICS.get(topic, topic)


def woo_topics(topics: Sequence[str]) -> list[str]:
    """The WooCommerce topics to subscribe to for the hub's `topics`, each once, in
    order; a WooCommerce topic (order.updated) stands for itself."""
    wanted: dict[str, None] = {}
    for topic in topics:
        wanted.update(dict.fromkeys(_SUBSCRIBED_AS.get(topic, (topic,))))
    return list(wanted)


def verify_signature(secret: str, raw_body: bytes, signature: str | None) -> bool:
    """True only if `signature` is WooCommerce's signature of exactly these bytes."""
    return signature_matches(secret, raw_body, signature)


def is_ping(raw_body: bytes) -> bool:
    """The form-encoded `webhook_id=<id>` WooCommerce sends to test a new webhook."""
    return _PING.fullmatch(raw_body.strip()) is not None


class DeliveryHeaders(BaseModel):
    """The X-WC-Webhook-* headers of one delivery (absent ones are None)."""

    model_config = ConfigDict(frozen=True)

    topic: str | None = None
    resource: str | None = None
    event: str | None = None
    webhook_id: str | None = None
    delivery_id: str | None = None
    source: str | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> DeliveryHeaders:
        lowered = {str(k).lower(): str(v).strip() for k, v in headers.items()}
        return cls(**{field: lowered[h] for field, h in _HEADERS.items() if lowered.get(h)})


def topic_resource(topic: str) -> str | None:
    """ "order" for "order.updated"; None for a topic that is not a resource's change."""
    match = _TOPIC.fullmatch(topic.strip().lower())
    if match is None or match.group("resource") not in RESOURCES:
        return None
    return match.group("resource")


def plausible_id(value: Any) -> bool:
    """A WooCommerce id: a positive whole number (as a JSON number, or its digits)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value > 0
    return isinstance(value, str) and value.isdigit() and 0 < len(value) <= 20


def entity_key(resource: str, body: Mapping[str, Any]) -> str | None:
    """The job ordering key of a delivery, "order:727"; None when the body has no id."""
    value = body.get("id")
    return f"{resource}:{int(str(value))}" if plausible_id(value) else None


def event_id(delivery_id: str, key: str, body: Mapping[str, Any]) -> str:
    """The inbox's dedupe key: delivery id, resource id and modification date."""
    modified = body.get("date_modified_gmt")
    stamp = modified if isinstance(modified, str) and modified.isprintable() else "-"
    return f"wc:{delivery_id}:{key}:{stamp[:32]}"
