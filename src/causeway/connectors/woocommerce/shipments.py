"""The shipments the hub has recorded on a WooCommerce order (no I/O).

WooCommerce has no fulfilment objects: an order is `processing` until someone marks it
`completed`. So the hub keeps its own record on the order, in the order's meta under
`_causeway_shipments` (hidden from the order screen by its leading underscore): one
entry per ERP shipment, with the order lines and units it shipped and its tracking.
From it the hub sees what is left to ship, and whether a shipment already reached the
store after a crash. The customer sees each shipment as an order note, and, where the
store runs WooCommerce's Shipment Tracking extension, in that extension's own meta
(`_wc_shipment_tracking_items`), which its emails and My Account page show.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict, ValidationError

from causeway.connectors.woocommerce.models import WooLineItem, WooOrder, meta_value

SHIPMENTS_META = "_causeway_shipments"
TRACKING_META = "_wc_shipment_tracking_items"
CLOSED_STATUSES = frozenset({"completed"})
CANCELLED_STATUSES = frozenset({"cancelled", "refunded", "failed", "trash"})


class RecordedShipment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str  # "<order id>-<n>": the n-th shipment of the order
    lines: dict[str, int]  # order line id -> units shipped
    company: str | None = None
    number: str | None = None
    url: str | None = None
    at: datetime | None = None

    def as_meta(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude_none=True)


def recorded_shipments(order: WooOrder) -> list[RecordedShipment]:
    """The shipments recorded on the order, oldest first; unreadable entries are skipped
    (someone edited the meta by hand: what is left still counts)."""
    value = meta_value(order.meta_data, SHIPMENTS_META)
    found = []
    for entry in value if isinstance(value, list) else []:
        try:
            found.append(RecordedShipment.model_validate(entry))
        except ValidationError:
            continue
    return found


def shipped_units(order: WooOrder) -> dict[str, int]:
    """Order line id -> units the recorded shipments shipped."""
    units: dict[str, int] = {}
    for shipment in recorded_shipments(order):
        for line_id, quantity in shipment.lines.items():
            units[line_id] = units.get(line_id, 0) + quantity
    return units


def remaining_units(order: WooOrder) -> dict[str, int]:
    """Order line id -> units still to ship (none once the order is completed or closed:
    whoever completed it shipped the rest)."""
    closed = order.status in CLOSED_STATUSES | CANCELLED_STATUSES
    shipped = shipped_units(order)
    return {
        str(li.id): 0 if closed else max(0, li.quantity - shipped.get(str(li.id), 0))
        for li in order.line_items
    }


def next_shipment_id(order: WooOrder) -> str:
    return f"{order.id}-{len(recorded_shipments(order)) + 1}"


def marker(shipment_id: str) -> str:
    """The tag that makes a shipment's order note recognisable: written once, even when a
    crash makes the hub write the shipment again."""
    return f"[causeway shipment {shipment_id}]"


def note_text(shipment: RecordedShipment, lines: Sequence[WooLineItem]) -> str:
    by_id = {str(li.id): li for li in lines}
    shipped = ", ".join(
        f"{quantity} x {by_id[line_id].sku or by_id[line_id].name}"
        if line_id in by_id
        else f"{quantity} x line {line_id}"
        for line_id, quantity in shipment.lines.items()
    )
    text = f"Shipped: {shipped}."
    if shipment.number:
        carrier = f"{shipment.company} " if shipment.company else ""
        text += f" {carrier}tracking number {shipment.number}"
        text += f" ({shipment.url})." if shipment.url else "."
    return f"{text} {marker(shipment.id)}"


def tracking_items(order: WooOrder) -> list[dict[str, object]] | None:
    """The Shipment Tracking extension's items on the order; None when it has none."""
    value = meta_value(order.meta_data, TRACKING_META)
    if value is None:
        return None
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def tracking_item(shipment: RecordedShipment) -> dict[str, object]:
    """The shipment as a Shipment Tracking item: a custom provider with its own link."""
    shipped_at = shipment.at.timestamp() if shipment.at else 0
    return {
        "tracking_provider": "",
        "custom_tracking_provider": shipment.company or "",
        "custom_tracking_link": shipment.url or "",
        "tracking_number": shipment.number or "",
        "date_shipped": str(int(shipped_at)),
        # The extension's ids are md5 hex; derived from the shipment, so a repeat is seen.
        "tracking_id": hashlib.md5(shipment.id.encode(), usedforsecurity=False).hexdigest(),
    }
