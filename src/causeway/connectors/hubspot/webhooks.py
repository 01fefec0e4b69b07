"""HubSpot webhooks: signature v3 and the event array.

HubSpot signs a delivery with HMAC-SHA256, keyed with the app's client secret,
over method + full URI + raw body + the `X-HubSpot-Request-Timestamp` header
(milliseconds), base64-encoded in `X-HubSpot-Signature-v3`. A timestamp older
than five minutes is refused, so a captured delivery cannot be replayed later;
so is one more than a minute ahead of this hub's clock (clocks drift a little,
never by hours: a delivery dated in the future would stay replayable until then).
A delivery body is a JSON array of up to 100 events.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Any

from pydantic import Field, TypeAdapter, ValidationError

from causeway.connectors.hubspot.models import Model
from causeway.connectors.ingress import usable_secret
from causeway.errors import InvalidPayloadError
from causeway.model.ports.crm import CrmChange

MAX_AGE_MS = 5 * 60 * 1000
MAX_CLOCK_SKEW_MS = 60 * 1000  # how far ahead of our clock HubSpot's may be
# HubSpot's ids and times are 64-bit, its subscription types and property names short
# (the topic, type + "." + property, must fit the inbox's 128 characters): anything
# beyond is no HubSpot event.
_INT64 = 2**63 - 1

# HubSpot signs the URI with these characters decoded (its request-validation guide).
_DECODED = {
    "%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
    "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";",
}  # fmt: skip


def canonical_uri(uri: str) -> str:
    for encoded, char in _DECODED.items():
        uri = uri.replace(encoded, char).replace(encoded.lower(), char)
    return uri


def sign_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """What HubSpot puts in X-HubSpot-Signature-v3."""
    source = method.upper().encode() + canonical_uri(uri).encode() + body + timestamp.encode()
    digest = hmac.new(secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign_v1(secret: str, body: bytes) -> str:
    """The legacy v1 signature (hex SHA-256 of secret + body), for HubSpot's documented vector."""
    return hashlib.sha256(secret.encode() + body).hexdigest()


def verify_v3(
    secret: str,
    method: str,
    uri: str,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    *,
    now_ms: int | None = None,
) -> str | None:
    """None when the delivery is HubSpot's and fresh, else the reason it is not.

    An empty (or blank) secret refuses everything: anyone could sign with it.
    """
    if not usable_secret(secret):
        return "no client secret is configured, so no signature can be verified"
    if not signature or not timestamp:
        return "X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp missing"
    if not (timestamp.isascii() and timestamp.isdigit()):
        return f"X-HubSpot-Request-Timestamp {timestamp[:40]!r} is not milliseconds"
    sent_ms = int(timestamp)
    now = int(time.time() * 1000) if now_ms is None else now_ms
    if now - sent_ms > MAX_AGE_MS:
        return f"request timestamp is {(now - sent_ms) // 1000} s old (over 5 minutes)"
    if sent_ms - now > MAX_CLOCK_SKEW_MS:
        return (
            f"request timestamp is {(sent_ms - now) // 1000} s in the future "
            f"(over {MAX_CLOCK_SKEW_MS // 1000} s ahead of this hub's clock)"
        )
    expected = sign_v3(secret, method, uri, body, timestamp)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        return "X-HubSpot-Signature-v3 does not match"
    return None


class WebhookEvent(Model):
    event_id: int = Field(alias="eventId", ge=0, le=_INT64)
    subscription_id: int | None = Field(default=None, alias="subscriptionId", ge=0, le=_INT64)
    portal_id: int | None = Field(default=None, alias="portalId", ge=0, le=_INT64)
    app_id: int | None = Field(default=None, alias="appId", ge=0, le=_INT64)
    occurred_at: int = Field(alias="occurredAt", ge=0, le=_INT64)
    subscription_type: str = Field(alias="subscriptionType", min_length=1, max_length=40)
    attempt_number: int = Field(default=0, alias="attemptNumber", ge=0, le=_INT64)
    object_id: int = Field(alias="objectId", ge=0, le=_INT64)
    property_name: str | None = Field(default=None, alias="propertyName", max_length=80)
    property_value: str | None = Field(default=None, alias="propertyValue")
    change_source: str | None = Field(default=None, alias="changeSource")

    @property
    def object_type(self) -> str:
        """`deal` for deal.propertyChange, `contact` for contact.creation..."""
        return self.subscription_type.split(".", 1)[0]

    @property
    def entity_key(self) -> str:
        return f"{self.object_type}:{self.object_id}"

    @property
    def topic(self) -> str:
        """`deal.propertyChange.dealstage` for a property change, else the subscription type."""
        if self.property_name and self.subscription_type.endswith(".propertyChange"):
            return f"{self.subscription_type}.{self.property_name}"
        return self.subscription_type


_EVENTS = TypeAdapter(list[dict[str, Any]])


def parse_events(body: bytes) -> list[tuple[dict[str, Any], WebhookEvent]]:
    """Each event of a delivery: its own JSON object and its parsed form."""
    try:
        raw = _EVENTS.validate_json(body)
    except ValidationError as error:
        raise InvalidPayloadError(
            f"a HubSpot delivery is a JSON array of event objects: {error.errors()[0]['msg']}"
        ) from None
    events = []
    for index, item in enumerate(raw):
        try:
            events.append((item, WebhookEvent.model_validate(item)))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(map(str, first["loc"]))
            raise InvalidPayloadError(f"HubSpot event #{index}: {where}: {first['msg']}") from None
    return events


def crm_change(raw: Mapping[str, Any]) -> CrmChange:
    """One stored event (an element of a delivery) as the CRM port's CrmChange."""
    try:
        event = WebhookEvent.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise InvalidPayloadError(f"HubSpot event: {where}: {first['msg']}") from None
    return CrmChange(
        event_id=str(event.event_id),
        topic=event.topic,
        object_type=event.object_type,
        object_id=str(event.object_id),
        property_name=event.property_name,
        value=event.property_value,
        occurred_at=event.occurred_at / 1000,
    )
