"""What a storefront sends to `POST /collect/{system}`, read and flattened for storage.

The shape is Shopify's Web Pixels standard event (id, name, timestamp, clientId, seq,
type, context, data), as a custom pixel's `analytics.subscribe` hands it over, so the
snippet forwards events unchanged (docs/clickstream.md). A request is one event, or a
batch `{"events": [...]}` of one browser's events; either may carry the visitor's
`customerPrivacy` (as Shopify's `init.customerPrivacy` and `visitorConsentCollected`
give it), and so may each event.

The envelope is checked strictly (a request with one bad event stores nothing); what
is inside `context` and `data` is read where it is found and otherwise left out, since
Shopify adds fields there. Personal fields (email, phone, addresses) are dropped from
the stored `data`: stitching to the customer goes by the order id, which stays.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from causeway.engine.web_events import WebEvent

EventName = Literal[
    "page_viewed",
    "product_viewed",
    "product_added_to_cart",
    "checkout_started",
    "checkout_completed",
]
COLLECTED: tuple[str, ...] = get_args(EventName)
MAX_EVENTS = 50  # per request
MAX_DATA_BYTES = 8192  # the stored `data`, as JSON
MAX_URL = 2048
# A browser's clock runs fast by minutes, not days: later timestamps are refused (the
# events are pruned by when they happened, and must not outlive their retention).
MAX_CLOCK_AHEAD = timedelta(days=1)
PERSONAL_KEYS = frozenset(
    {"email", "phone", "billingAddress", "shippingAddress", "smsMarketingPhone", "delivery"}
)


def _storable(value: str) -> str:
    """Text every store keeps as sent: no control characters (PostgreSQL refuses NUL),
    nothing that is not UTF-8 (a lone surrogate from JSON's \\ud800)."""
    if any(ord(char) < 32 for char in value):
        raise ValueError("holds control characters")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ValueError("is not UTF-8 text") from None
    return value


Id = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=128),
    AfterValidator(_storable),
]


class InvalidEvents(ValueError):
    """The request cannot be read; the message names the part and what is wrong."""


class CustomerPrivacy(BaseModel):
    """Shopify's customerPrivacy; only analytics consent matters here."""

    model_config = ConfigDict(extra="ignore")
    analyticsProcessingAllowed: bool | None = None


class PixelEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: Id
    name: EventName
    clientId: Id
    timestamp: datetime
    seq: int | None = None
    type: str | None = None
    context: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    customerPrivacy: CustomerPrivacy | None = None


class Batch(BaseModel):
    model_config = ConfigDict(extra="ignore")
    events: list[PixelEvent] = Field(min_length=1, max_length=MAX_EVENTS)
    customerPrivacy: CustomerPrivacy | None = None


def read_batch(body: bytes) -> Batch:
    """The request's events, or InvalidEvents saying what is wrong (never echoing the
    values sent beyond their place)."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidEvents(f"the body is not JSON ({exc.__class__.__name__})") from None
    if not isinstance(document, dict):
        raise InvalidEvents('send one event object, or {"events": [...]}')
    if "events" not in document:  # a single event
        document = {"events": [document], "customerPrivacy": document.get("customerPrivacy")}
    try:
        batch = Batch.model_validate(document)
    except ValidationError as exc:
        raise InvalidEvents(_problems(exc)) from None
    for number, event in enumerate(batch.events):
        if event.timestamp.tzinfo is None:
            raise InvalidEvents(f"events[{number}].timestamp: give its offset (ISO 8601, ...Z)")
        if event.timestamp - datetime.now(UTC) > MAX_CLOCK_AHEAD:
            raise InvalidEvents(f"events[{number}].timestamp: more than a day in the future")
    if len({event.clientId for event in batch.events}) > 1:
        raise InvalidEvents("the events come from several client ids: send each its own")
    return batch


def _problems(exc: ValidationError) -> str:
    names = ", ".join(COLLECTED)
    problems = []
    for error in exc.errors()[:5]:
        where = ".".join(str(part) for part in error["loc"]) or "the body"
        if error["type"] == "literal_error":
            problems.append(f"{where}: not an event collected here (collected: {names})")
        else:
            problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)


def analytics_declined(batch: Batch, *, required: bool) -> bool:
    """Whether the visitor declined analytics (or, `required`, did not allow it): then
    nothing of the request is stored. An event's own privacy overrides the request's."""
    for event in batch.events:
        privacy = event.customerPrivacy or batch.customerPrivacy
        allowed = privacy.analyticsProcessingAllowed if privacy else None
        if allowed is False or (required and allowed is not True):
            return True
    return False


def web_event(system: str, event: PixelEvent, received_at: float) -> WebEvent:
    """An event flattened into its row: where it happened, and what product and money."""
    data = event.data or {}
    document = _dig(event.context, "document")
    product = _product(event.name, data)
    return WebEvent(
        system=system,
        event_id=event.id,
        name=event.name,
        client_id=event.clientId,
        occurred_at=event.timestamp.timestamp(),
        received_at=received_at,
        page_url=_text(_dig(document, "location", "href"), MAX_URL),
        referrer=_text(_dig(document, "referrer"), MAX_URL),
        **product,
        data=_stored_data(data),
    )


def _product(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """sku, variant, quantity, value and currency, from the part of `data` the event has."""
    if name == "product_viewed":
        variant = _dig(data, "productVariant")
        return _variant(variant) | _money(_dig(variant, "price"))
    if name == "product_added_to_cart":
        line = _dig(data, "cartLine")
        quantity = _dig(line, "quantity")
        return (
            _variant(_dig(line, "merchandise"))
            | _money(_dig(line, "cost", "totalAmount"))
            | {"quantity": quantity if _is_count(quantity) else None}
        )
    if name in ("checkout_started", "checkout_completed"):
        checkout = _dig(data, "checkout")
        lines = _dig(checkout, "lineItems")
        counts = [_dig(line, "quantity") for line in lines] if isinstance(lines, list) else []
        total = sum(c for c in counts if _is_count(c)) if counts else None
        money = _money(_dig(checkout, "totalPrice"))
        if money["currency"] is None:
            money["currency"] = _currency(_dig(checkout, "currencyCode"))
        return money | {"quantity": total}
    return {}


def _variant(variant: Any) -> dict[str, Any]:
    return {
        "product_sku": _text(_dig(variant, "sku"), 255),
        "variant_id": _text(_dig(variant, "id"), 255),
    }


def _money(money: Any) -> dict[str, Any]:
    """A MoneyV2 ({amount, currencyCode}) as Decimal text and currency; never a float."""
    amount = _dig(money, "amount")
    value = None
    if isinstance(amount, int | float | str) and not isinstance(amount, bool):
        try:
            number = Decimal(str(amount))
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite() and abs(number) < Decimal(10) ** 15:
            value = str(number)
    return {"value": value, "currency": _currency(_dig(money, "currencyCode"))}


def _currency(code: Any) -> str | None:
    return code.upper() if isinstance(code, str) and len(code) == 3 and code.isalpha() else None


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1_000_000


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _text(value: Any, limit: int) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        return None
    return value.encode(errors="ignore").decode().replace("\x00", "")[:limit]


def _without_personal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_personal(v) for k, v in value.items() if k not in PERSONAL_KEYS}
    if isinstance(value, list):
        return [_without_personal(item) for item in value]
    return value


def _stored_data(data: dict[str, Any]) -> str | None:
    """The event's `data` without personal fields, as JSON of at most MAX_DATA_BYTES:
    a longer one keeps the first lines of its lists, or else only a note."""
    if not data:
        return None
    # ASCII: any character, even a lone surrogate, is kept as an escape every store takes.
    kept = _without_personal(data)
    text = json.dumps(kept, separators=(",", ":"))
    if len(text) <= MAX_DATA_BYTES:
        return text
    text = json.dumps(_shortened(kept), separators=(",", ":"))
    if len(text) <= MAX_DATA_BYTES:
        return text
    return json.dumps({"trimmed": f"data larger than {MAX_DATA_BYTES} bytes"})


def _shortened(value: Any, items: int = 5) -> Any:
    if isinstance(value, dict):
        return {k: _shortened(v, items) for k, v in value.items()}
    if isinstance(value, list):
        return [_shortened(item, items) for item in value[:items]]
    if isinstance(value, str):
        return value[:256]
    return value
