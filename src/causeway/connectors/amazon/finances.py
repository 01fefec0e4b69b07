"""An Amazon order's marketplace fees, from the Finances API v0 (listFinancialEventsByOrderId).

The contract is Amazon's public OpenAPI model of the Selling Partner API for Finances,
version v0 (`models/finances-api-model/financesV0.json` in Amazon's
selling-partner-api-models repository; docs/connectors/amazon.md, "Fees", says so too;
vendor-samples has no Finances model):

    GET /finances/v0/orders/{orderId}/financialEvents?MaxResultsPerPage=1..100&NextToken=
    200 {"payload": {"NextToken": "...", "FinancialEvents": {"ShipmentEventList": [
        {"AmazonOrderId", "PostedDate", "ShipmentFeeList": [FeeComponent], "OrderFeeList",
         "ShipmentItemList": [{"SellerSKU", "OrderItemId", "QuantityShipped",
                               "ItemChargeList": [{"ChargeType", "ChargeAmount": Currency}],
                               "ItemFeeList": [{"FeeType", "FeeAmount": Currency}]}]}],
        "RefundEventList": [...], ...}}}
    errors: {"errors": [{"code", "message", "details"}]}
    Currency: {"CurrencyCode": "USD", "CurrencyAmount": 25.37} (a JSON number)
    Usage plan: 0.5 requests a second, burst 30 (the operation's description).

Amazon posts a shipment's events after it ships (up to 48 hours later, its guide says),
so an order may have no ShipmentEvent yet: then it has no fees yet, not zero fees. Fees
are negative amounts (money Amazon keeps); `order_fees` sums them per fee type and
currency with Decimal and turns them into positive costs. Refund events (fee
reversals) are not read yet.

Only the fields the hub reads are modelled; every one is optional in Amazon's model, and
unknown keys are ignored (Amazon adds event lists to v0 without a new version).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from pydantic import Field

from causeway.connectors.amazon.client import AmazonClient
from causeway.connectors.amazon.models import AmazonModel, Timestamp, parse
from causeway.connectors.json_values import Money
from causeway.model.ports.fees import ChannelFee, OrderFees

OPERATION = "listFinancialEventsByOrderId"
MAX_PER_PAGE = 100


def events_path(order_id: str) -> str:
    return f"/finances/v0/orders/{order_id}/financialEvents"


class Currency(AmazonModel):
    CurrencyCode: str = Field(min_length=3, max_length=3)
    CurrencyAmount: Money


class FeeComponent(AmazonModel):
    FeeType: str | None = None
    FeeAmount: Currency | None = None


class ChargeComponent(AmazonModel):
    ChargeType: str | None = None
    ChargeAmount: Currency | None = None


class ShipmentItem(AmazonModel):
    SellerSKU: str | None = None
    OrderItemId: str | None = None
    QuantityShipped: int | None = None
    ItemChargeList: tuple[ChargeComponent, ...] = ()
    ItemFeeList: tuple[FeeComponent, ...] = ()


class ShipmentEvent(AmazonModel):
    AmazonOrderId: str | None = None
    SellerOrderId: str | None = None
    MarketplaceName: str | None = None
    PostedDate: Timestamp | None = None
    ShipmentFeeList: tuple[FeeComponent, ...] = ()
    OrderFeeList: tuple[FeeComponent, ...] = ()
    ShipmentItemList: tuple[ShipmentItem, ...] = ()

    def fees(self) -> Iterator[FeeComponent]:
        yield from self.ShipmentFeeList
        yield from self.OrderFeeList
        for item in self.ShipmentItemList:
            yield from item.ItemFeeList


class EventLists(AmazonModel):
    """FinancialEvents in Amazon's model: the event lists (only those read here)."""

    ShipmentEventList: tuple[ShipmentEvent, ...] = ()
    RefundEventList: tuple[ShipmentEvent, ...] = ()


class ListFinancialEventsPayload(AmazonModel):
    NextToken: str | None = None
    FinancialEvents: EventLists = EventLists()


class ListFinancialEventsResponse(AmazonModel):
    payload: ListFinancialEventsPayload = ListFinancialEventsPayload()


def fees_of(order_id: str, shipments: list[ShipmentEvent]) -> OrderFees:
    """The order's fees from its shipment events: per fee type and currency, summed with
    Decimal and turned positive (Amazon's fees are negative). No shipment event: no fees
    yet (`posted` False), which is not the same as fees of zero."""
    totals: dict[tuple[str, str], Decimal] = {}
    for event in shipments:
        for fee in event.fees():
            if fee.FeeAmount is None:
                continue
            key = (fee.FeeType or "Fee", fee.FeeAmount.CurrencyCode.upper())
            totals[key] = totals.get(key, Decimal(0)) + fee.FeeAmount.CurrencyAmount
    posted = [e.PostedDate for e in shipments if e.PostedDate is not None]
    return OrderFees(
        order_id=order_id,
        posted=bool(shipments),
        posted_at=max(posted) if posted else None,
        fees=tuple(
            ChannelFee(fee_type=fee_type, currency=currency, amount=-amount)
            for (fee_type, currency), amount in sorted(totals.items())
            if amount != 0
        ),
    )


def event_pages(
    client: AmazonClient, order_id: str, page_size: int = MAX_PER_PAGE
) -> Iterator[ListFinancialEventsResponse]:
    """Each page of the order's financial events, following NextToken."""
    params: dict[str, Any] = {"MaxResultsPerPage": max(1, min(page_size, MAX_PER_PAGE))}
    while True:
        body = client.get(OPERATION, events_path(order_id), params)
        page = parse(ListFinancialEventsResponse, body, f"{OPERATION} answer for {order_id}")
        yield page
        token = page.payload.NextToken
        if not token:
            return
        params = {"MaxResultsPerPage": params["MaxResultsPerPage"], "NextToken": token}


def order_fees(client: AmazonClient, order_id: str, page_size: int = MAX_PER_PAGE) -> OrderFees:
    """The order's marketplace fees as Amazon has posted them so far (every page read)."""
    shipments: list[ShipmentEvent] = []
    for page in event_pages(client, order_id, page_size):
        shipments += [
            e
            for e in page.payload.FinancialEvents.ShipmentEventList
            if e.AmazonOrderId in (None, order_id)
        ]
    return fees_of(order_id, shipments)
