"""Order events as e-mails: `notify(conn, settings, event)` is what a flow or a page calls
in the transaction where the event happens (an order confirmed, a shipment done, ...):
when the order's channel gets e-mails, the e-mail is rendered and queued in that same
transaction (engine/mail_outbox.py), keyed by (order, event, occurrence) so it is sent once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from causeway.config.notifications import NotificationsSettings
from causeway.engine import mail_outbox as outbox
from causeway.notifications.templates import render_event

# Every order event an e-mail tells of, in the order they usually happen.
EVENTS = (
    "confirmed",
    "awaiting_approval",
    "approved",
    "shipped",
    "delivered",
    "cancelled",
    "refunded",
    "return_received",
    "invoice_issued",
)
PORTAL_CHANNEL = "portal"  # the channel name of B2B portal orders
# Channels whose own platform e-mails the customer, so the hub stays quiet by default.
SENDS_ITS_OWN = frozenset({"shopify", "woocommerce"})


@dataclass(frozen=True)
class OrderEvent:
    """Something that happened to one order, with what its e-mail tells."""

    event: str  # one of EVENTS
    order_key: str  # the hub's order id
    channel: str  # the system the order came from, or "portal"
    recipient: str
    order_number: str  # as the customer knows it
    # What the e-mail shows: erp_number, carrier, tracking_number, tracking_url, reason,
    # invoice_number, amount, currency, lines ([{sku, name, quantity}]), customer_name...
    facts: Mapping[str, Any] = field(default_factory=dict)
    occurrence: str | None = None  # one e-mail per occurrence: the shipment, the invoice
    language: str | None = None

    def dedupe_key(self) -> str:
        return f"order:{self.order_key}:{self.event}:{self.occurrence or ''}"


def sends_for(settings: NotificationsSettings, channel: str, channel_type: str | None) -> bool:
    """Whether orders of this channel get e-mails: `notifications.channels` says, else on
    for every channel but the stores that send their own (Shopify, WooCommerce)."""
    if not settings.enabled:
        return False
    if channel in settings.channels:
        return settings.channels[channel]
    return channel_type not in SENDS_ITS_OWN


def notify(
    conn: Connection,
    settings: NotificationsSettings,
    event: OrderEvent,
    *,
    channel_type: str | None = None,
) -> bool:
    """Queue the event's e-mail in the caller's transaction; False when its channel gets
    none, it was queued before, or the address is suppressed."""
    if event.event not in EVENTS:
        raise ValueError(f"unknown order event {event.event!r}; known: {', '.join(EVENTS)}")
    if not sends_for(settings, event.channel, channel_type) or not event.recipient:
        return False
    mail = render_event(settings, event)
    return outbox.queue(
        conn,
        outbox.Mail(
            dedupe_key=event.dedupe_key(),
            event=event.event,
            recipient=event.recipient,
            subject=mail.subject,
            text_body=mail.text,
            html_body=mail.html,
            channel=event.channel,
            order_key=event.order_key,
            language=mail.language,
        ),
    )
