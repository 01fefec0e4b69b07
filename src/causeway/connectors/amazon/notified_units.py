"""The units an ORDER_CHANGE notification names (its summary's OrderItems), held by
stock-to-channels from the moment the notification is stored until the order itself is
fetched: Amazon has already taken them off the listing, and the other channels must not
be given them meanwhile (docs/flows/stock-to-channels.md, "What it computes").

Nothing is held for an order Amazon fulfils (FulfillmentType AFN: FBA) or one cancelled;
an item's units already shipped are not held (they left the ERP's stock with its sale).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import ValidationError

from causeway.connectors.amazon_notifications.schema import OrderChangeNotification
from causeway.errors import InvalidPayloadError

NOT_HELD_STATUSES = ("Canceled", "Unfulfillable")
FULFILLED_BY_AMAZON = "AFN"


def units_notified(body: bytes) -> dict[str, Decimal]:
    """SKU -> units the notified order holds (module docstring)."""
    try:
        notice = OrderChangeNotification.model_validate_json(body)
    except ValidationError as error:
        raise InvalidPayloadError(f"not an ORDER_CHANGE notification: {error}") from None
    summary = notice.payload.order_change_notification.summary
    if summary is None or summary.order_status in NOT_HELD_STATUSES:
        return {}
    if summary.fulfillment_type == FULFILLED_BY_AMAZON:
        return {}
    units: dict[str, Decimal] = {}
    for item in summary.order_items:
        left = (item.quantity or 0) - (item.quantity_shipped or 0)
        if item.seller_sku and left > 0:
            units[item.seller_sku] = units.get(item.seller_sku, Decimal(0)) + left
    return units
