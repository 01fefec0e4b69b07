"""Writing an order's life back to WooCommerce: status, notes, shipments with tracking.

- Status writes are the four a hub makes: processing, completed, cancelled, refunded.
  WooCommerce acts on them as on a merchant's click: `completed` sends its "order
  completed" email when that email is enabled, and `refunded` records a refund of
  whatever was not refunded yet.
- A shipment (shipments.py) is written as an order note first, tagged so that it is
  never written twice, then recorded in the order's meta together with the Shipment
  Tracking extension's item, and the order is completed in that same request once
  nothing is left to ship. A crash between the two is repaired by the next attempt:
  the note is found by its tag, the record is written.

For the flows, an order's shipments read as the channel port's fulfillment state
(`state`): one fulfillment order per WooCommerce order, whose lines are the order's lines
with the units left to ship, and one fulfillment per recorded shipment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from causeway.connectors.woocommerce import shipments as sh
from causeway.connectors.woocommerce.client import WooCommerceClient
from causeway.connectors.woocommerce.models import WooOrder, WooOrderNote, parse_list
from causeway.connectors.woocommerce.orders import parse_order
from causeway.errors import PermanentError
from causeway.model.ports.channel import (
    FulfillmentLine,
    FulfillmentOrder,
    FulfillmentOrderLine,
    FulfillmentState,
    PublishedFulfillment,
    Tracking,
)

OrderStatus = Literal["processing", "completed", "cancelled", "refunded"]
ORDER_STATUSES: tuple[OrderStatus, ...] = ("processing", "completed", "cancelled", "refunded")
TrackingMode = Literal["auto", "on", "off"]


class WooFulfillment:
    """The order-writing side of one WooCommerce store, over the connector's client."""

    def __init__(
        self, client: WooCommerceClient, system: str, shipment_tracking: TrackingMode = "auto"
    ) -> None:
        self.client = client
        self.system = system
        self.shipment_tracking = shipment_tracking

    def read_order(self, order_id: str) -> WooOrder:
        return parse_order(self.client.get(f"/orders/{order_id}"))

    def set_status(self, order_id: str, status: str) -> None:
        if status not in ORDER_STATUSES:
            raise ValueError(f"order status {status!r}: the hub writes {', '.join(ORDER_STATUSES)}")
        self.client.put(f"/orders/{order_id}", {"status": status})

    def add_note(self, order_id: str, note: str, *, customer_note: bool = False) -> int:
        """A note on the order (customer_note: also e-mailed to the customer); its id."""
        answer = self.client.post(
            f"/orders/{order_id}/notes", {"note": note, "customer_note": customer_note}
        )
        return int(answer["id"]) if isinstance(answer, dict) and "id" in answer else 0

    def notes(self, order_id: str) -> list[WooOrderNote]:
        return parse_list(WooOrderNote, self.client.get(f"/orders/{order_id}/notes"), "note")

    def state(self, order_id: str) -> FulfillmentState:
        """The order's shipments, in the shape fulfillments-to-channels reads."""
        return fulfillment_state(self.read_order(order_id))

    def ship(
        self,
        lines: Sequence[FulfillmentLine],
        *,
        tracking: Tracking | None = None,
        notify_customer: bool = False,
    ) -> PublishedFulfillment:
        """Record a shipment of these lines (units of the order's lines) with its tracking."""
        order_ids = {line.fulfillment_order_id for line in lines}
        if len(order_ids) != 1:
            raise PermanentError(
                f"a {self.system} shipment belongs to one order; got lines of "
                f"{', '.join(sorted(order_ids)) or 'none'}"
            )
        order = self.read_order(order_ids.pop())
        shipment = self._new_shipment(order, lines, tracking)
        tag = sh.marker(shipment.id)
        if not any(tag in n.note for n in self.notes(str(order.id))):
            self.add_note(
                str(order.id),
                sh.note_text(shipment, order.line_items),
                customer_note=notify_customer,
            )
        meta: list[dict[str, object]] = [
            {
                "key": sh.SHIPMENTS_META,
                "value": [s.as_meta() for s in sh.recorded_shipments(order)] + [shipment.as_meta()],
            }
        ]
        items = self._tracking_items(order, shipment)
        if items is not None:
            meta.append({"key": sh.TRACKING_META, "value": items})
        left = sh.remaining_units(order)
        done_now = all(left[i] - shipment.lines.get(i, 0) <= 0 for i in left)
        update: dict[str, object] = {"meta_data": meta}
        if done_now:
            update["status"] = "completed"
        self.client.put(f"/orders/{order.id}", update)
        return _as_fulfillment(shipment)

    # ----------------------------------------------------------------- private

    def _new_shipment(
        self, order: WooOrder, lines: Sequence[FulfillmentLine], tracking: Tracking | None
    ) -> sh.RecordedShipment:
        left = sh.remaining_units(order)
        units: dict[str, int] = {}
        for line in lines:
            units[line.line_item_id] = units.get(line.line_item_id, 0) + line.quantity
        for line_id, quantity in units.items():
            if line_id not in left:
                raise PermanentError(
                    f"{self.system} order {order.number} has no line {line_id} to ship"
                )
            if quantity <= 0 or quantity > left[line_id]:
                raise PermanentError(
                    f"{self.system} order {order.number}: line {line_id} has {left[line_id]} "
                    f"unit(s) left to ship, not {quantity}: was it completed in the store by hand?"
                )
        return sh.RecordedShipment(
            id=sh.next_shipment_id(order),
            lines=units,
            company=tracking.company if tracking else None,
            number=tracking.number if tracking else None,
            url=tracking.url if tracking else None,
            at=datetime.now(UTC),
        )

    def _tracking_items(
        self, order: WooOrder, shipment: sh.RecordedShipment
    ) -> list[dict[str, object]] | None:
        """The extension's items with this shipment's, or None when not to write them."""
        if self.shipment_tracking == "off" or not shipment.number:
            return None
        items = sh.tracking_items(order)
        if items is None:
            if self.shipment_tracking == "auto":
                return None  # the order's meta does not show the extension
            items = []
        new = sh.tracking_item(shipment)
        if any(i.get("tracking_id") == new["tracking_id"] for i in items):
            return items
        return [*items, new]


def fulfillment_state(order: WooOrder) -> FulfillmentState:
    left = sh.remaining_units(order)
    status: Literal["open", "closed", "cancelled"] = "open"
    if order.status in sh.CANCELLED_STATUSES:
        status = "cancelled"
    elif order.status in sh.CLOSED_STATUSES:
        status = "closed"
    lines = tuple(
        FulfillmentOrderLine(id=str(li.id), sku=li.sku, remaining=left[str(li.id)])
        for li in order.line_items
    )
    return FulfillmentState(
        order_name=order.number,
        fully_fulfilled=order.status in sh.CLOSED_STATUSES,
        fulfillment_orders=(FulfillmentOrder(id=str(order.id), status=status, lines=lines),),
        fulfillments=tuple(_as_fulfillment(s) for s in sh.recorded_shipments(order)),
    )


def _as_fulfillment(shipment: sh.RecordedShipment) -> PublishedFulfillment:
    numbers = (shipment.number,) if shipment.number else ()
    return PublishedFulfillment(id=shipment.id, tracking_numbers=numbers)
