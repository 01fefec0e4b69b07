"""ORDER_CHANGE notifications, sent by the sandbox to a real SQS queue as Amazon sends them.

On Amazon a seller's app subscribes to ORDER_CHANGE (the Notifications API's
createDestination with the queue's ARN, then createSubscription); from then on every
change of an order (a new order, a payment, a shipment, a cancellation) is one message on
that queue, at least once and not always. Here the control API stands in for the
subscription (`POST /_sandbox/notifications/destination`: the queue's URL and the SQS
endpoint, a moto server in the tests), and every change the order store makes is sent:
the shape is Amazon's OrderChangeNotification schema
(vendor-samples/amazon/OrderChangeNotification.json, validated in the tests).

Deliveries are at least once and can be lost: `lose` drops that share of notifications,
`duplicate` sends that share twice (each its own SQS message, one NotificationId), both
from the sandbox's seeded random, so a test of the reconciling poll or the inbox's dedupe
is repeatable.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3  # type: ignore[import-untyped]
from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

APPLICATION_ID = "amzn1.sellerapps.app.causeway-sandbox"
SUBSCRIPTION_ID = "subscription-causeway-sandbox-order-change"
# Orders v2026-01-01's fulfillmentStatus -> the notification's OrderStatus (Orders v0 words).
ORDER_STATUS = {
    "PENDING": "Pending",
    "PENDING_AVAILABILITY": "PendingAvailability",
    "UNSHIPPED": "Unshipped",
    "PARTIALLY_SHIPPED": "PartiallyShipped",
    "SHIPPED": "Shipped",
    "CANCELLED": "Canceled",
    "UNFULFILLABLE": "Unfulfillable",
}


class Destination(BaseModel):
    """Where the subscription delivers, and how unreliably."""

    model_config = ConfigDict(extra="forbid")

    queue_url: str = Field(min_length=1)
    endpoint_url: str | None = Field(default=None, description="the SQS endpoint (moto's)")
    region: str = "us-east-1"
    access_key_id: str = "sandbox"
    secret_access_key: str = "sandbox"
    lose: float = Field(default=0.0, ge=0, le=1, description="share of notifications lost")
    duplicate: float = Field(default=0.0, ge=0, le=1, description="share delivered twice")


@dataclass
class Delivery:
    sent: int = 0  # SQS messages sent (a duplicate counts twice)
    lost: int = 0
    duplicated: int = 0
    notification_ids: list[str] = field(default_factory=list)


class OrderChangeNotifier:
    """Sends one ORDER_CHANGE per order change while a destination is set."""

    def __init__(self, seller_id: str, seed: int) -> None:
        self.seller_id = seller_id
        self._seed = seed
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.destination: Destination | None = None
            self._client: Any = None
            self._random = random.Random(self._seed)
            self.delivery = Delivery()

    def subscribe(self, destination: Destination) -> None:
        client = boto3.client(
            "sqs",
            endpoint_url=destination.endpoint_url,
            region_name=destination.region,
            aws_access_key_id=destination.access_key_id,
            aws_secret_access_key=destination.secret_access_key,
        )
        with self._lock:
            self.destination, self._client = destination, client

    def unsubscribe(self) -> None:
        with self._lock:
            self.destination, self._client = None, None

    def order_changed(self, order: dict[str, Any], reason: str) -> None:
        """Deliver the change of `order` (as the store now holds it), if subscribed."""
        with self._lock:
            destination, client = self.destination, self._client
            if destination is None:
                return
            if self._random.random() < destination.lose:
                self.delivery.lost += 1
                return
            times = 2 if self._random.random() < destination.duplicate else 1
            body = order_change(order, self.seller_id, reason)
            self.delivery.duplicated += times - 1
            self.delivery.sent += times
            self.delivery.notification_ids.append(body["NotificationMetadata"]["NotificationId"])
        for _ in range(times):
            client.send_message(QueueUrl=destination.queue_url, MessageBody=json.dumps(body))


def order_change(order: dict[str, Any], seller_id: str, reason: str) -> dict[str, Any]:
    """The ORDER_CHANGE notification of an order (v2026-01-01 shape) as it now stands."""
    now = _iso(datetime.now(UTC))
    fulfillment = order.get("fulfillment") or {}
    status = str(fulfillment.get("fulfillmentStatus", "PENDING"))
    marketplace = str((order.get("salesChannel") or {}).get("marketplaceId", ""))
    by_amazon = fulfillment.get("fulfilledBy") == "AMAZON"
    address = ((order.get("recipient") or {}).get("deliveryAddress")) or {}
    items = []
    shipped = unshipped = 0
    for item in order.get("orderItems") or []:
        ordered = int(item.get("quantityOrdered", 0))
        done = int((item.get("fulfillment") or {}).get("quantityFulfilled", 0))
        shipped, unshipped = shipped + done, unshipped + ordered - done
        items.append(
            {
                "OrderItemId": str(item.get("orderItemId", "")),
                "SellerSKU": str((item.get("product") or {}).get("sellerSku", "")),
                "SupplySourceId": "",
                # Amazon's schema knows two item states only.
                "OrderItemStatus": "Shipped" if done >= ordered else "Unshipped",
                "Quantity": ordered,
                "QuantityShipped": done,
            }
        )
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": now,
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": seller_id,
                "AmazonOrderId": order["orderId"],
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": {
                    "TimeOfOrderChange": order.get("lastUpdatedTime", now),
                    "ChangeReason": reason,
                },
                "Summary": {
                    "MarketplaceId": marketplace,
                    "OrderStatus": ORDER_STATUS.get(status, status),
                    "PurchaseDate": order.get("createdTime", now),
                    "DestinationPostalCode": str(address.get("postalCode", "")),
                    "FulfillmentType": "AFN" if by_amazon else "MFN",
                    "OrderType": "StandardOrder",
                    "NumberOfItemsShipped": shipped,
                    "NumberOfItemsUnshipped": unshipped,
                    "OrderItems": items,
                },
            }
        },
        "NotificationMetadata": {
            "ApplicationId": APPLICATION_ID,
            "SubscriptionId": SUBSCRIPTION_ID,
            "PublishTime": now,
            "NotificationId": str(uuid.uuid4()),
        },
    }


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


# -- the control API (NOT part of Amazon): the subscription's stand-in -------------------
router = APIRouter(prefix="/_sandbox/notifications", tags=["sandbox control (not part of Amazon)"])


def _notifier(request: Request) -> OrderChangeNotifier:
    return request.app.state.amazon.notifier  # type: ignore[no-any-return]


@router.post("/destination")
async def subscribe(request: Request) -> dict[str, Any]:
    """{"queue_url", "endpoint_url", "region", "lose", "duplicate"}: ORDER_CHANGE from now on."""
    try:
        destination = Destination.model_validate(await request.json())
    except (ValidationError, ValueError) as error:
        raise HTTPException(422, f"not a destination: {error}") from None
    _notifier(request).subscribe(destination)
    return {"subscribed": "ORDER_CHANGE", "queue_url": destination.queue_url}


@router.delete("/destination")
async def unsubscribe(request: Request) -> dict[str, Any]:
    _notifier(request).unsubscribe()
    return {"subscribed": None}


@router.get("")
async def deliveries(request: Request) -> dict[str, Any]:
    """What was sent, lost and sent twice so far."""
    delivery = _notifier(request).delivery
    return {
        "sent": delivery.sent,
        "lost": delivery.lost,
        "duplicated": delivery.duplicated,
        "notification_ids": list(delivery.notification_ids),
    }
