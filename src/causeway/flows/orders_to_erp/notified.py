"""An order a channel only names (Amazon's ORDER_CHANGE): fetched, then taken as polled.

A notification says which order changed, not what it now is. Its job (keyed by the
order, so it runs in turn with the order's other jobs) fetches the order as the channel
holds it now and accepts it into the inbox under POLL_TOPIC, with the event id the
reconciling poll gives the same version ("poll:<id>:<updated_at>"). From there every flow
takes it as it takes a polled order (orders-to-erp places it, cancellations cancels it),
and whichever of the notification, a duplicate of it or the poll brings a version first,
the others find it in the inbox already: one version, one record, one job per flow.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from causeway.engine.inbox import Inbox, InboxRecord, StoredEvent
from causeway.errors import InvalidPayloadError
from causeway.model.ports.channel import OrderChannel

ORDER = "order"
POLL_TOPIC = "orders/poll"  # inbox topic of orders found by the reconciling poll


def polled_record(
    source: str, external_id: str, updated_at: datetime, node: dict[str, Any]
) -> InboxRecord:
    """The inbox record of one polled version of an order."""
    return InboxRecord(
        source=source,
        event_id=f"poll:{external_id}:{updated_at.isoformat()}",
        topic=POLL_TOPIC,
        entity_key=f"{ORDER}:{external_id}",
        body=json.dumps(node).encode(),
    )


def notified_order_id(event: StoredEvent) -> str:
    """The channel's id of the order a notification names (its record's entity key)."""
    external_id = event.entity_key.removeprefix(f"{ORDER}:")
    if external_id == event.entity_key or not external_id:
        raise InvalidPayloadError(
            f"{event.source} notification {event.event_id} names no order "
            f"(entity key {event.entity_key!r}, expected 'order:<id>')"
        )
    return external_id


def take_notified(event: StoredEvent, channel: OrderChannel, inbox: Inbox) -> bool:
    """Fetch the order `event` names and accept its current version as polled; True when
    that version was new to the inbox."""
    external_id = notified_order_id(event)
    node = channel.order_node(external_id)
    updated_at = channel.order_updated_at(json.dumps(node).encode())
    if updated_at is None:
        raise InvalidPayloadError(
            f"{event.source} order {external_id} as fetched does not say when it last "
            f"changed, so its version is unknown"
        )
    return bool(sum(inbox.accept([polled_record(event.source, external_id, updated_at, node)])))
