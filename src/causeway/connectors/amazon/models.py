"""Pydantic models of the Selling Partner API's Orders v2026-01-01 answers (searchOrders,
getOrder), only as far as the hub reads them.

The models follow Amazon's OpenAPI model (vendor-samples/amazon/orders_2026-01-01.json):
what it requires (an order's id, times, sales channel and items; an item's id, quantity
and product; a Money's amount and currency) is required here, so a payload without it
fails at the edge with the field named (`parse`); everything else is optional, because
the `includedData` asked for decides which blocks come at all (a Pending order has no
buyer nor address yet). Unknown keys are ignored: Amazon adds fields to a version.

Amazon's conventions, read once here: money is {"amount": "49.99", "currencyCode": "USD"}
with the amount a decimal string; times are ISO 8601 with an offset (Z).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from causeway.connectors.json_values import Money, describe_errors
from causeway.errors import InvalidPayloadError


def _aware(value: datetime) -> datetime:
    # Amazon writes every time with its offset; one without is UTC by the ISO 8601
    # profile Amazon documents, never the hub's local time.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Timestamp = Annotated[datetime, AfterValidator(_aware)]


class AmazonModel(BaseModel):
    """Base of every Amazon shape: frozen, unknown keys ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class AmazonMoney(AmazonModel):
    amount: Money
    currencyCode: str = Field(min_length=3, max_length=3)


class Alias(AmazonModel):
    aliasId: str
    aliasType: str


class SalesChannel(AmazonModel):
    channelName: str
    marketplaceId: str | None = None
    marketplaceName: str | None = None


class Buyer(AmazonModel):
    buyerName: str | None = None
    buyerEmail: str | None = None  # anonymised, and only on merchant-fulfilled orders
    buyerCompanyName: str | None = None
    buyerPurchaseOrderNumber: str | None = None


class CustomerAddress(AmazonModel):
    name: str | None = None
    companyName: str | None = None
    addressLine1: str | None = None
    addressLine2: str | None = None
    addressLine3: str | None = None
    city: str | None = None
    districtOrCounty: str | None = None
    stateOrRegion: str | None = None
    municipality: str | None = None
    postalCode: str | None = None
    countryCode: str | None = None
    phone: str | None = None


class Recipient(AmazonModel):
    deliveryAddress: CustomerAddress | None = None


class DetailedBreakdown(AmazonModel):
    """Part of a breakdown: of an item's TAX, how much is on the item, on shipping..."""

    subtype: str
    value: AmazonMoney


class ProceedsBreakdown(AmazonModel):
    """One category of proceeds (ITEM, SHIPPING, TAX, DISCOUNT, DELIVERY_TIP, ...)."""

    type: str
    subtotal: AmazonMoney
    detailedBreakdowns: list[DetailedBreakdown] = []


class OrderProceeds(AmazonModel):
    grandTotal: AmazonMoney | None = None
    breakdowns: list[ProceedsBreakdown] = []


class OrderFulfillment(AmazonModel):
    fulfillmentStatus: str  # PENDING, UNSHIPPED, PARTIALLY_SHIPPED, SHIPPED, CANCELLED, ...
    fulfilledBy: str | None = None  # MERCHANT, AMAZON
    fulfillmentServiceLevel: str | None = None


class ItemPrice(AmazonModel):
    unitPrice: AmazonMoney | None = None


class ItemProduct(AmazonModel):
    asin: str | None = None
    title: str | None = None
    sellerSku: str | None = None
    price: ItemPrice | None = None


class ItemProceeds(AmazonModel):
    proceedsTotal: AmazonMoney | None = None
    breakdowns: list[ProceedsBreakdown] = []


class ItemFulfillment(AmazonModel):
    quantityFulfilled: int | None = None
    quantityUnfulfilled: int | None = None


class OrderItem(AmazonModel):
    orderItemId: str
    quantityOrdered: int = Field(ge=0)
    product: ItemProduct
    proceeds: ItemProceeds | None = None
    fulfillment: ItemFulfillment | None = None


class AmazonOrder(AmazonModel):
    orderId: str = Field(min_length=1)
    orderAliases: list[Alias] = []
    createdTime: Timestamp
    lastUpdatedTime: Timestamp
    programs: list[str] = []
    salesChannel: SalesChannel
    buyer: Buyer | None = None
    recipient: Recipient | None = None
    proceeds: OrderProceeds | None = None
    fulfillment: OrderFulfillment | None = None
    orderItems: list[OrderItem]


class Pagination(AmazonModel):
    nextToken: str | None = None


class SearchOrdersResponse(AmazonModel):
    orders: list[AmazonOrder]
    pagination: Pagination | None = None
    lastUpdatedBefore: Timestamp | None = None
    createdBefore: Timestamp | None = None


class GetOrderResponse(AmazonModel):
    order: AmazonOrder


class AmazonErrorItem(AmazonModel):
    code: str
    message: str
    details: str | None = None


class ErrorList(AmazonModel):
    errors: list[AmazonErrorItem]


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], payload: object, what: str) -> M:
    """Validate an Amazon payload as `model`; InvalidPayloadError naming each bad field."""
    if not isinstance(payload, Mapping):
        raise InvalidPayloadError(
            f"invalid Amazon {what}: expected a JSON object, got {type(payload).__name__}"
        )
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        order_id = _order_id(payload)
        where = f" {order_id}" if order_id else ""
        raise InvalidPayloadError(
            f"invalid Amazon {what}{where}: {describe_errors(error)}"
        ) from None


def _order_id(payload: Mapping[str, Any]) -> str | None:
    for candidate in (payload, payload.get("order")):
        if isinstance(candidate, Mapping) and isinstance(candidate.get("orderId"), str):
            return str(candidate["orderId"])
    return None
