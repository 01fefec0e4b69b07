"""The ORDER_CHANGE notification, as Amazon's own schema gives it
(vendor-samples/amazon/OrderChangeNotification.json, from amzn/selling-partner-api-models
schemas/notifications/).

Tolerant at the edge: fields Amazon adds later are kept (extra="allow") and enumerations
are plain strings, because a new order status or change type must reach the inbox, not
be refused at the door; the flow that reads the record decides what a value means. Only
what the hub cannot do without is required: the notification id (the inbox's dedupe
key), the event time, and the Amazon order id (the entity the record is about).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

ORDER_CHANGE = "ORDER_CHANGE"

# The values the schema enumerates (documentation for readers; not enforced, see above).
ORDER_CHANGE_TYPES = ("BuyerRequestedChange", "DeliveryTipChange", "OrderStatusChange")
ORDER_STATUSES = (
    "Pending",
    "Unshipped",
    "PartiallyShipped",
    "Shipped",
    "Canceled",
    "Unfulfillable",
    "InvoiceUnconfirmed",
    "PendingAvailability",
)


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class OrderItem(_Tolerant):
    order_item_id: str | None = Field(None, alias="OrderItemId")
    seller_sku: str | None = Field(None, alias="SellerSKU")
    supply_source_id: str | None = Field(None, alias="SupplySourceId")
    order_item_status: str | None = Field(None, alias="OrderItemStatus")
    quantity: int | None = Field(None, alias="Quantity")
    quantity_shipped: int | None = Field(None, alias="QuantityShipped")
    is_buyer_requested_cancel: bool | None = Field(None, alias="IsBuyerRequestedCancel")


class OrderChangeTrigger(_Tolerant):
    time_of_order_change: datetime | None = Field(None, alias="TimeOfOrderChange")
    change_reason: str | None = Field(None, alias="ChangeReason")


class OrderSummary(_Tolerant):
    marketplace_id: str | None = Field(None, alias="MarketplaceId")
    order_status: str | None = Field(None, alias="OrderStatus")
    purchase_date: datetime | None = Field(None, alias="PurchaseDate")
    fulfillment_type: str | None = Field(None, alias="FulfillmentType")  # AFN (FBA) or MFN
    order_type: str | None = Field(None, alias="OrderType")
    number_of_items_shipped: int | None = Field(None, alias="NumberOfItemsShipped")
    number_of_items_unshipped: int | None = Field(None, alias="NumberOfItemsUnshipped")
    order_items: list[OrderItem] = Field(default_factory=list, alias="OrderItems")


class OrderChange(_Tolerant):
    notification_level: str | None = Field(None, alias="NotificationLevel")
    seller_id: str | None = Field(None, alias="SellerId")
    amazon_order_id: str = Field(alias="AmazonOrderId", min_length=1)
    order_change_type: str | None = Field(None, alias="OrderChangeType")
    order_change_trigger: OrderChangeTrigger | None = Field(None, alias="OrderChangeTrigger")
    summary: OrderSummary | None = Field(None, alias="Summary")


class Payload(_Tolerant):
    order_change_notification: OrderChange = Field(alias="OrderChangeNotification")


class NotificationMetadata(_Tolerant):
    application_id: str | None = Field(None, alias="ApplicationId")
    subscription_id: str | None = Field(None, alias="SubscriptionId")
    publish_time: datetime | None = Field(None, alias="PublishTime")
    notification_id: str = Field(alias="NotificationId", min_length=1)


class OrderChangeNotification(_Tolerant):
    notification_version: str | None = Field(None, alias="NotificationVersion")
    notification_type: str = Field(alias="NotificationType")
    payload_version: str | None = Field(None, alias="PayloadVersion")
    event_time: datetime = Field(alias="EventTime")
    payload: Payload = Field(alias="Payload")
    metadata: NotificationMetadata = Field(alias="NotificationMetadata")

    @field_validator("notification_type")
    @classmethod
    def _order_change_only(cls, value: str) -> str:
        # One queue may carry several subscriptions; this reader takes ORDER_CHANGE only,
        # and anything else is kept as rejected (reader.py) rather than misread as an order.
        if value != ORDER_CHANGE:
            raise ValueError(f"not an {ORDER_CHANGE} notification: {value!r}")
        return value

    @property
    def notification_id(self) -> str:
        return self.metadata.notification_id

    @property
    def amazon_order_id(self) -> str:
        return self.payload.order_change_notification.amazon_order_id

    @property
    def order_change_type(self) -> str | None:
        return self.payload.order_change_notification.order_change_type

    @property
    def order_status(self) -> str | None:
        summary = self.payload.order_change_notification.summary
        return summary.order_status if summary else None
