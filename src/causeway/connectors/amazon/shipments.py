"""Shipment confirmation: an Amazon order's items left to ship, and a package confirmed with
its carrier and tracking (the FulfillmentChannel port).

Amazon has no fulfilment orders: a merchant-fulfilled order is shipped by its items. So the
order is one FulfillmentOrder (its id the order's) whose lines are the order's items (each
line's id the orderItemId) with the units not shipped yet, and the fulfilments made so far
are the order's packages (getOrder with includedData FULFILLMENT and PACKAGES).

A shipment is confirmed with Orders v0 `confirmShipment` (POST
/orders/v0/orders/{orderId}/shipmentConfirmation), one package a call:
- packageReferenceId, the seller's id of the package within the order (positive digits
  only), is derived from the order and the tracking number: the same package sent again (a
  retry after a timeout the request survived) is the same package to Amazon, never a second
  confirmation of the same units;
- carrierCode is Amazon's code of the ERP's carrier, matched without regard to case, spaces
  or punctuation ("fedex", "Federal Express" -> "FedEx"); a carrier Amazon has no code for
  is sent as carrierCode "Other" with its name in carrierName;
- Amazon needs a carrier and a tracking number: a shipment without either is refused
  here with what to fix, before anything is sent;
- Amazon answers 204; its refusal (400 with its errors) is a PermanentError naming its
  message. Amazon e-mails the buyer itself: notify_customer changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from causeway.connectors.amazon.client import AmazonApiError, AmazonClient
from causeway.connectors.amazon.models import AmazonModel, OrderFulfillment, OrderItem, parse
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.model.ports.channel import (
    FulfillmentLine,
    FulfillmentOrder,
    FulfillmentOrderLine,
    FulfillmentState,
    PublishedFulfillment,
    Tracking,
)

ORDERS_PATH = "/orders/2026-01-01/orders"
CONFIRM_PATH = "/orders/v0/orders/{order_id}/shipmentConfirmation"
STATE_DATA = ("FULFILLMENT", "PACKAGES")
OTHER = "Other"

# Amazon's carrier codes (Seller Central's carrier list), keyed by the name folded to
# lower-case letters and digits; aliases a warehouse writes point to the same code.
_CODES = (
    "UPS", "USPS", "FedEx", "DHL", "DHL eCommerce", "OnTrac", "Amazon Shipping",
    "Royal Mail", "Parcelforce", "Yodel", "Hermes", "Evri", "DPD", "GLS", "TNT",
    "Deutsche Post", "Canada Post", "Purolator", "Australia Post", "Japan Post",
    "Yamato Transport", "Sagawa Express", "La Poste", "Colissimo", "Chronopost",
    "Correos", "SEUR", "Poste Italiane", "BRT", "PostNL", "Bpost", "Blue Dart",
    "India Post", "China Post", "Estafeta", "Correios",
)  # fmt: skip
_ALIASES = {
    "unitedparcelservice": "UPS",
    "unitedstatespostalservice": "USPS",
    "federalexpress": "FedEx",
    "dhlexpress": "DHL",
    "amazonlogistics": "Amazon Shipping",
}


def _fold(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


CARRIER_CODES: dict[str, str] = {_fold(code): code for code in _CODES} | _ALIASES


def carrier_fields(carrier: str) -> dict[str, str]:
    """carrierCode (and carrierName) for the ERP's carrier name."""
    name = carrier.strip()
    code = CARRIER_CODES.get(_fold(name))
    return {"carrierCode": code, "carrierName": code} if code else {
        "carrierCode": OTHER, "carrierName": name,
    }  # fmt: skip


def package_reference(order_id: str, tracking_number: str) -> str:
    """The package's id within the order: stable for the same order and tracking number,
    positive digits as Amazon requires (15 at most)."""
    digest = hashlib.sha256(f"{order_id}\n{tracking_number}".encode()).hexdigest()
    return str(int(digest[:12], 16) + 1)


# -- what getOrder says of shipping ------------------------------------------------------
class PackageStatus(AmazonModel):
    status: str


class PackageItem(AmazonModel):
    orderItemId: str
    quantity: int


class OrderPackage(AmazonModel):
    packageReferenceId: str
    trackingNumber: str | None = None
    carrier: str | None = None
    packageStatus: PackageStatus | None = None
    packageItems: tuple[PackageItem, ...] = ()


class SalesChannelRef(AmazonModel):
    marketplaceId: str | None = None


class ShippingOrder(AmazonModel):
    orderId: str
    salesChannel: SalesChannelRef | None = None
    fulfillment: OrderFulfillment | None = None
    orderItems: list[OrderItem]
    packages: tuple[OrderPackage, ...] = ()


_STATUS: dict[str, Literal["open", "closed", "cancelled"]] = {
    "SHIPPED": "closed",
    "CANCELLED": "cancelled",
    "UNFULFILLABLE": "cancelled",
}


def fulfillment_state(order: ShippingOrder) -> FulfillmentState:
    """The order as one fulfilment order of its items, and its packages so far."""
    status = order.fulfillment.fulfillmentStatus if order.fulfillment else "UNSHIPPED"
    packed: dict[str, int] = {}
    for package in order.packages:
        if _stands(package):
            for item in package.packageItems:
                packed[item.orderItemId] = packed.get(item.orderItemId, 0) + item.quantity
    lines = tuple(
        FulfillmentOrderLine(
            id=item.orderItemId, sku=item.product.sellerSku, remaining=_remaining(item, packed)
        )
        for item in order.orderItems
    )
    fo_status = _STATUS.get(status, "open")
    return FulfillmentState(
        order_name=order.orderId,
        fully_fulfilled=status == "SHIPPED",
        fulfillment_orders=(FulfillmentOrder(id=order.orderId, status=fo_status, lines=lines),),
        fulfillments=tuple(
            PublishedFulfillment(
                id=p.packageReferenceId,
                stands=_stands(p),
                tracking_numbers=(p.trackingNumber,) if p.trackingNumber else (),
            )
            for p in order.packages
        ),
    )


def _stands(package: OrderPackage) -> bool:
    return package.packageStatus is None or package.packageStatus.status != "CANCELLED"


def _remaining(item: OrderItem, packed: dict[str, int]) -> int:
    done = item.fulfillment
    if done is not None and done.quantityUnfulfilled is not None:
        return max(0, done.quantityUnfulfilled)
    shipped = done.quantityFulfilled if done and done.quantityFulfilled is not None else None
    if shipped is None:
        shipped = packed.get(item.orderItemId, 0)
    return max(0, item.quantityOrdered - shipped)


# -- the calls -------------------------------------------------------------------------
class AmazonShipments:
    """fulfillment_state and publish_fulfillment of one selling account."""

    def __init__(self, client: AmazonClient, marketplace_ids: Sequence[str]) -> None:
        self.client = client
        self.marketplace_ids = list(marketplace_ids)
        self._marketplace_of: dict[str, str] = {}  # order id -> its marketplace, as read

    def read(self, order_id: str) -> ShippingOrder:
        body = self.client.get(
            "getOrder", f"{ORDERS_PATH}/{order_id}", {"includedData": STATE_DATA}
        )
        if not isinstance(body, dict) or not isinstance(body.get("order"), dict):
            raise InvalidPayloadError(f"Amazon getOrder {order_id} answered without an order")
        order = parse(ShippingOrder, body["order"], "order")
        if order.salesChannel and order.salesChannel.marketplaceId:
            self._marketplace_of[order_id] = order.salesChannel.marketplaceId
        return order

    def state(self, order_id: str) -> FulfillmentState:
        return fulfillment_state(self.read(order_id))

    def confirm(
        self, lines: Sequence[FulfillmentLine], tracking: Tracking | None
    ) -> PublishedFulfillment:
        """Confirm one package of these order items; its PublishedFulfillment."""
        orders = {line.fulfillment_order_id for line in lines}
        if len(orders) != 1:
            raise ValueError(f"one Amazon package ships items of one order, not of {orders}")
        (order_id,) = orders
        number = tracking.number.strip() if tracking and tracking.number else ""
        carrier = tracking.company.strip() if tracking and tracking.company else ""
        if not number or not carrier:
            missing = " and ".join(
                what for what, value in (("carrier", carrier), ("tracking number", number))
                if not value
            )  # fmt: skip
            raise PermanentError(
                f"Amazon order {order_id}: Amazon confirms a shipment only with its carrier "
                f"and tracking number, and this one has no {missing}: set it on the shipment "
                f"in the ERP, then replay"
            )
        reference = package_reference(order_id, number)
        payload = confirm_request(
            self._marketplace(order_id), reference, carrier, number, lines, datetime.now(UTC)
        )
        path = CONFIRM_PATH.format(order_id=order_id)
        try:
            self.client.send("POST", "confirmShipment", path, body=payload)
        except AmazonApiError as refused:
            raise AmazonApiError(
                f"Amazon order {order_id}, package {number}: {refused}",
                status=refused.status,
                code=refused.code,
            ) from refused
        return PublishedFulfillment(id=reference, tracking_numbers=(number,))

    def _marketplace(self, order_id: str) -> str:
        known = self._marketplace_of.get(order_id)
        if known:
            return known
        if len(self.marketplace_ids) == 1:
            return self.marketplace_ids[0]
        order = self.read(order_id)
        if order.salesChannel is None or not order.salesChannel.marketplaceId:
            raise InvalidPayloadError(f"Amazon order {order_id} names no marketplace")
        return order.salesChannel.marketplaceId


def confirm_request(
    marketplace_id: str,
    reference: str,
    carrier: str,
    tracking_number: str,
    lines: Sequence[FulfillmentLine],
    shipped_at: datetime,
) -> dict[str, Any]:
    """The ConfirmShipmentRequest body (ordersV0.json) of one package."""
    quantities: dict[str, int] = {}
    for line in lines:
        quantities[line.line_item_id] = quantities.get(line.line_item_id, 0) + line.quantity
    return {
        "marketplaceId": marketplace_id,
        "packageDetail": {
            "packageReferenceId": reference,
            **carrier_fields(carrier),
            "trackingNumber": tracking_number,
            "shipDate": shipped_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "orderItems": [
                {"orderItemId": item, "quantity": quantity}
                for item, quantity in quantities.items()
                if quantity > 0
            ],
        },
    }
