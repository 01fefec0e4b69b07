"""Shopify webhook contract: signature, headers, and the entity a delivery is about.

The ingress route stays thin (verify, store raw, acknowledge); everything it needs
to know about Shopify's side of the contract is here:

- `verify_webhook`: Shopify signs the exact bytes it sends with the app's secret
  (HMAC-SHA256, base64, in X-Shopify-Hmac-Sha256). It must be checked over the
  raw body before any JSON parsing: re-serialised JSON is not byte-identical.
- `WebhookHeaders`: the delivery's metadata. X-Shopify-Event-Id is the dedupe
  key of the inbox, because Shopify redelivers the same event (same id) on
  retries and may deliver it more than once; older API versions only send
  X-Shopify-Webhook-Id, which then serves as the event id.
- `entity_key`: the ordering key of the job ("order:450789469"), so updates to
  one order apply in order while different orders run in parallel.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from causeway.connectors.ingress import hmac_sha256_base64, signature_matches
from causeway.errors import InvalidPayloadError

HMAC_HEADER = "X-Shopify-Hmac-Sha256"

_HEADERS = {
    "topic": "x-shopify-topic",
    "event_id": "x-shopify-event-id",
    "webhook_id": "x-shopify-webhook-id",
    "shop_domain": "x-shopify-shop-domain",
    "triggered_at": "x-shopify-triggered-at",
    "api_version": "x-shopify-api-version",
}


def sign_body(secret: str, raw_body: bytes) -> str:
    """The X-Shopify-Hmac-Sha256 value Shopify would send for `raw_body`."""
    return hmac_sha256_base64(secret, raw_body)


def verify_webhook(secret: str, raw_body: bytes, hmac_header: str | None) -> bool:
    """True only if `hmac_header` is Shopify's signature of exactly these bytes (a missing
    header or a blank secret never passes; compared in constant time)."""
    return signature_matches(secret, raw_body, hmac_header)


class WebhookHeaders(BaseModel):
    """The X-Shopify-* headers of one delivery.

    Parsing never fails: a delivery whose signature verified must be stored even
    if a header is odd, so its job can park it with a reason instead of Shopify
    retrying it into the void. `problems` says what is missing or unreadable.
    """

    model_config = ConfigDict(frozen=True)

    topic: str | None = None
    event_id: str | None = None
    shop_domain: str | None = None
    webhook_id: str | None = None
    triggered_at: datetime | None = None
    api_version: str | None = None
    problems: tuple[str, ...] = ()

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> WebhookHeaders:
        """Parse from any header mapping, whatever the capitalisation of its keys."""
        lowered = {str(k).lower(): str(v).strip() for k, v in headers.items()}
        values: dict[str, Any] = {
            field: lowered[header] for field, header in _HEADERS.items() if lowered.get(header)
        }
        problems: list[str] = []
        # Topics ("orders/create") and shop domains are case-insensitive names.
        for field in ("topic", "shop_domain"):
            if field in values:
                values[field] = values[field].lower()
            else:
                problems.append(f"{_HEADERS[field]} is missing")
        if "event_id" not in values:
            if "webhook_id" in values:  # API versions before event ids
                values["event_id"] = values["webhook_id"]
            else:
                problems.append("neither X-Shopify-Event-Id nor X-Shopify-Webhook-Id was sent")
        if "triggered_at" in values:
            try:
                values["triggered_at"] = _TIMESTAMP.validate_python(values["triggered_at"])
            except ValidationError:
                problems.append(f"{_HEADERS['triggered_at']} is not a timestamp")
                del values["triggered_at"]
        return cls(**values, problems=tuple(problems))


_TIMESTAMP: TypeAdapter[datetime] = TypeAdapter(datetime)


class UnkeyableWebhookError(InvalidPayloadError, ValueError):
    """A webhook body without the id its topic is keyed by (also a ValueError,
    so code that treats any unparseable body alike catches it)."""


# Topic resource -> (entity kind, key in the body holding the entity's id). Children
# of an order (refunds, order edits, transactions) are keyed by their order so they
# apply in order with the order's own updates.
_ENTITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "orders": ("order", ("id",)),
    "refunds": ("order", ("order_id",)),
    "order_transactions": ("order", ("order_id",)),
    "products": ("product", ("id",)),
    "customers": ("customer", ("id",)),
    "fulfillments": ("fulfillment", ("id",)),
    "inventory_items": ("inventory_item", ("id",)),
    "inventory_levels": ("inventory_item", ("inventory_item_id",)),
    "locations": ("location", ("id",)),
    # A checkout is keyed by its id: the order it becomes names it by checkout_id.
    "checkouts": ("checkout", ("id",)),
    # shop/redact (a privacy webhook) names the shop by shop_id.
    "shop": ("shop", ("shop_id", "id")),
}
# Privacy webhooks about one customer name them inside: ordered with that customer.
_ABOUT_A_CUSTOMER = ("customers/data_request", "customers/redact")


# Shopify ids are 64-bit numbers (or gid:// strings); anything longer, or with control
# characters, is no id: the delivery is then kept as unkeyable and parked by its job.
_MAX_ID = 100


def _plausible_id(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return False
    text = str(value)
    return 0 < len(text) <= _MAX_ID and text.isprintable()


def entity_key(topic: str, body_json: Mapping[str, Any] | bytes | str) -> str:
    """The job ordering key of a delivery: "order:450789469", "product:632910392", ...

    Unknown topics fall back to "<resource>:<id>". Raises UnkeyableWebhookError
    (an InvalidPayloadError and a ValueError) when the body is not JSON or has no
    id to key on.
    """
    body: Any = body_json
    if isinstance(body, bytes | str):
        try:
            body = json.loads(body)
        except ValueError:
            raise UnkeyableWebhookError(f"{topic} webhook body is not JSON") from None
    if not isinstance(body, Mapping):
        raise UnkeyableWebhookError(f"{topic} webhook body is not a JSON object")
    resource = topic.strip().lower().split("/", 1)[0]
    kind: str
    keys: tuple[str, ...]
    if topic.strip().lower() == "orders/edited":
        # Its body is {"order_edit": {"order_id": ...}}: an edit of that order.
        edit = body.get("order_edit")
        kind, keys = "order", ("order_id",)
        body = edit if isinstance(edit, Mapping) else {}
    elif topic.strip().lower() in _ABOUT_A_CUSTOMER:
        about = body.get("customer")
        kind, keys = "customer", ("id",)
        body = about if isinstance(about, Mapping) else {}
    else:
        kind, keys = _ENTITIES.get(resource, (resource.rstrip("s") or "unknown", ("id",)))
    for key in keys:
        value = body.get(key)
        if _plausible_id(value):
            return f"{kind}:{value}"
    raise UnkeyableWebhookError(f"{topic} webhook body has no {' or '.join(keys)} to key it by")
