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
currency with Decimal and turns them into positive costs.

Refunds: each event of RefundEventList (a ShipmentEvent too, in the model) carries the
fee changes of one refund in `ShipmentItemAdjustmentList[].ItemFeeAdjustmentList`,
`ShipmentFeeAdjustmentList` and `OrderFeeAdjustmentList`: a fee given back is a positive
amount (Commission +8.00), a fee the refund charges a negative one (RefundCommission
-2.00). `refunds_of` turns each event into a FeeRefund with the same sign rule as the
fees (costs positive, so a fee given back is a negative cost: a credit). A refund event
has no id of its own in the model; its key is its items' `OrderAdjustmentItemId`s
("An Amazon-defined order adjustment identifier defined for refunds", the model says),
else its PostedDate and position. Its number is its rank among the order's refund events
by (PostedDate, key): Amazon posts a later refund later, so the numbers of refunds
already booked do not change.

Guarantee claims (A-to-z) and chargebacks: GuaranteeClaimEventList and ChargebackEventList
are ShipmentEventLists too (the model's FinancialEvents: "A list of guarantee claim
events.", "A list of chargeback events."), their fee changes in the same adjustment lists.
Each list is its own series, read like the refunds (kind "claim", "chargeback"; numbered
from 1 by (PostedDate, key) within its kind), so a claim does not renumber the refunds.

Refunds across orders (listFinancialEvents, the date-range operation):

    GET /finances/v0/financialEvents?PostedAfter=&PostedBefore=&MaxResultsPerPage=1..100
                                    &NextToken=
    200: the same ListFinancialEventsResponse, with the events of every order posted in
    [PostedAfter, PostedBefore); 400 InvalidInput for a bad range.
    PostedBefore: later than PostedAfter, no later than two minutes before the request;
    more than 180 days apart: no events at all (not an error). Usage plan 0.5/s, burst 30.

`refunded_orders_since` asks it for the refund, claim and chargeback events posted since a
time and returns the orders they name, so the flow asks listFinancialEventsByOrderId only
about those.

Only the fields the hub reads are modelled; every one is optional in Amazon's model, and
unknown keys are ignored (Amazon adds event lists to v0 without a new version).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import Field

from causeway.connectors.amazon.client import AmazonClient
from causeway.connectors.amazon.models import AmazonModel, Timestamp, parse
from causeway.connectors.json_values import Money
from causeway.model.ports.fees import (
    ChannelFee,
    FeeRefund,
    OrderFees,
    RefundedOrders,
    RefundKind,
)

OPERATION = "listFinancialEventsByOrderId"
RANGE_OPERATION = "listFinancialEvents"
RANGE_PATH = "/finances/v0/financialEvents"
# PostedBefore must be no later than two minutes before the request (the model). One more
# minute for the skew between our clock and Amazon's, so the range is never refused.
POSTED_BEFORE_LAG = timedelta(minutes=3)
# PostedAfter and PostedBefore more than 180 days apart return no events at all (the
# model), silently: a longer range is asked in spans of at most this.
LONGEST_RANGE = timedelta(days=180)
MAX_PER_PAGE = 100
EARLIEST = datetime.min.replace(tzinfo=UTC)  # sorts a refund without a PostedDate first


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
    OrderAdjustmentItemId: str | None = None  # refunds, guarantee claims, chargebacks
    QuantityShipped: int | None = None
    ItemChargeList: tuple[ChargeComponent, ...] = ()
    ItemFeeList: tuple[FeeComponent, ...] = ()
    ItemFeeAdjustmentList: tuple[FeeComponent, ...] = ()


class ShipmentEvent(AmazonModel):
    AmazonOrderId: str | None = None
    SellerOrderId: str | None = None
    MarketplaceName: str | None = None
    PostedDate: Timestamp | None = None
    ShipmentFeeList: tuple[FeeComponent, ...] = ()
    ShipmentFeeAdjustmentList: tuple[FeeComponent, ...] = ()
    OrderFeeList: tuple[FeeComponent, ...] = ()
    OrderFeeAdjustmentList: tuple[FeeComponent, ...] = ()
    ShipmentItemList: tuple[ShipmentItem, ...] = ()
    ShipmentItemAdjustmentList: tuple[ShipmentItem, ...] = ()

    def fees(self) -> Iterator[FeeComponent]:
        yield from self.ShipmentFeeList
        yield from self.OrderFeeList
        for item in self.ShipmentItemList:
            yield from item.ItemFeeList

    def fee_adjustments(self) -> Iterator[FeeComponent]:
        """A refund event's fee changes (the model's *AdjustmentList fields)."""
        yield from self.ShipmentFeeAdjustmentList
        yield from self.OrderFeeAdjustmentList
        for item in self.ShipmentItemAdjustmentList:
            yield from item.ItemFeeAdjustmentList

    def adjustment_ids(self) -> list[str]:
        items = self.ShipmentItemAdjustmentList
        return sorted({i.OrderAdjustmentItemId for i in items if i.OrderAdjustmentItemId})


class ServiceFeeEvent(AmazonModel):
    """A fee on the seller's account (the model: "A service fee on the seller's account"):
    an order's when it names AmazonOrderId, else the account's (subscription, storage)."""

    AmazonOrderId: str | None = None
    FeeReason: str | None = None
    FeeDescription: str | None = None
    SellerSKU: str | None = None
    FeeList: tuple[FeeComponent, ...] = ()


class EventLists(AmazonModel):
    """FinancialEvents in Amazon's model: the event lists (only those read here)."""

    ShipmentEventList: tuple[ShipmentEvent, ...] = ()
    RefundEventList: tuple[ShipmentEvent, ...] = ()
    GuaranteeClaimEventList: tuple[ShipmentEvent, ...] = ()
    ChargebackEventList: tuple[ShipmentEvent, ...] = ()
    ServiceFeeEventList: tuple[ServiceFeeEvent, ...] = ()

    def adjustments(self) -> Iterator[tuple[RefundKind, ShipmentEvent]]:
        """The events that gave the buyer money back and changed fees, with their kind."""
        for kind, name in ADJUSTMENT_LISTS.items():
            for event in getattr(self, name):
                yield kind, event


# Each kind of fee-changing event and its list in FinancialEvents (the model).
ADJUSTMENT_LISTS: dict[RefundKind, str] = {
    "refund": "RefundEventList",
    "claim": "GuaranteeClaimEventList",
    "chargeback": "ChargebackEventList",
}


class ListFinancialEventsPayload(AmazonModel):
    NextToken: str | None = None
    FinancialEvents: EventLists = EventLists()


class ListFinancialEventsResponse(AmazonModel):
    payload: ListFinancialEventsPayload = ListFinancialEventsPayload()


def as_costs(components: Iterable[FeeComponent]) -> tuple[ChannelFee, ...]:
    """Amazon's fee amounts per fee type and currency, summed with Decimal and turned into
    costs (Amazon's sign flipped: a fee kept, negative at Amazon, is a positive cost; a
    fee given back, positive at Amazon, a negative one). Types summing to zero are left
    out."""
    totals: dict[tuple[str, str], Decimal] = {}
    for fee in components:
        if fee.FeeAmount is None:
            continue
        key = (fee.FeeType or "Fee", fee.FeeAmount.CurrencyCode.upper())
        totals[key] = totals.get(key, Decimal(0)) + fee.FeeAmount.CurrencyAmount
    return tuple(
        ChannelFee(fee_type=fee_type, currency=currency, amount=-amount)
        for (fee_type, currency), amount in sorted(totals.items())
        if amount != 0
    )


def fees_of(
    order_id: str,
    shipments: list[ShipmentEvent],
    adjusted: Mapping[RefundKind, Sequence[ShipmentEvent]] | None = None,
) -> OrderFees:
    """The order's fees from its shipment events: per fee type and currency, summed with
    Decimal and turned positive (Amazon's fees are negative). No shipment event: no fees
    yet (`posted` False), which is not the same as fees of zero. `adjusted`: its refund,
    claim and chargeback events by kind, whose fee changes are each kind's numbered series
    (refunds_of)."""
    posted = [e.PostedDate for e in shipments if e.PostedDate is not None]
    series = dict(adjusted or {})
    return OrderFees(
        order_id=order_id,
        posted=bool(shipments),
        posted_at=max(posted) if posted else None,
        fees=as_costs(f for event in shipments for f in event.fees()),
        refunds=tuple(
            done
            for kind in ADJUSTMENT_LISTS
            for done in refunds_of(series.get(kind, ()), kind=kind)
        ),
    )


def refunds_of(
    events: Sequence[ShipmentEvent], *, kind: RefundKind = "refund"
) -> tuple[FeeRefund, ...]:
    """The fee changes of each event of one kind (refund, claim, chargeback), numbered by
    (PostedDate, key) from 1; events that changed no fee (a refund of the price alone)
    keep their number but are left out."""
    keyed: list[tuple[datetime, str, ShipmentEvent]] = []
    seen: dict[str, int] = {}
    for event in events:
        ids = event.adjustment_ids()
        posted = event.PostedDate.isoformat() if event.PostedDate else "unposted"
        key = ",".join(ids) if ids else posted
        # Two events with the same key (no adjustment ids, same PostedDate): by position.
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}#{seen[key]}"
        keyed.append((event.PostedDate or EARLIEST, key, event))
    keyed.sort(key=lambda k: (k[0], k[1]))
    refunds = []
    for number, (posted_at, key, event) in enumerate(keyed, start=1):
        fees = as_costs(event.fee_adjustments())
        if fees:
            refunds.append(
                FeeRefund(
                    kind=kind,
                    number=number,
                    key=key,
                    posted_at=None if posted_at == EARLIEST else posted_at,
                    fees=fees,
                )
            )
    return tuple(refunds)


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
    """The order's marketplace fees and its refunds' fee changes as Amazon has posted them
    so far (every page read: one call per 100 events)."""
    shipments: list[ShipmentEvent] = []
    adjusted: dict[RefundKind, list[ShipmentEvent]] = {}
    for page in event_pages(client, order_id, page_size):
        lists = page.payload.FinancialEvents
        shipments += [e for e in lists.ShipmentEventList if e.AmazonOrderId in (None, order_id)]
        for kind, event in lists.adjustments():
            if event.AmazonOrderId in (None, order_id):
                adjusted.setdefault(kind, []).append(event)
    return fees_of(order_id, shipments, adjusted=adjusted)


def amazon_time(when: datetime) -> str:
    """ISO 8601 in UTC to the second (truncated: never later than `when`)."""
    return to_second(when).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_second(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(microsecond=0)


def range_pages(
    client: AmazonClient, after: str, before: str, page_size: int = MAX_PER_PAGE
) -> Iterator[ListFinancialEventsResponse]:
    """Each page of the events of every order posted in [after, before), by NextToken."""
    size = max(1, min(page_size, MAX_PER_PAGE))
    params: dict[str, Any] = {
        "PostedAfter": after,
        "PostedBefore": before,
        "MaxResultsPerPage": size,
    }
    while True:
        body = client.get(RANGE_OPERATION, RANGE_PATH, params)
        page = parse(ListFinancialEventsResponse, body, f"{RANGE_OPERATION} answer ({after}..)")
        yield page
        token = page.payload.NextToken
        if not token:
            return
        # Amazon's next pages are named by the token alone (the range is in it).
        params = {"MaxResultsPerPage": size, "NextToken": token}


def refunded_orders_since(
    client: AmazonClient,
    since: datetime,
    *,
    page_size: int = MAX_PER_PAGE,
    now: Callable[[], datetime] | None = None,
) -> RefundedOrders:
    """The orders with refund, claim or chargeback events posted from `since` until
    POSTED_BEFORE_LAG ago, and
    that end (`until`: the next look starts there). Every page is read; a range longer
    than 180 days is asked in spans (Amazon answers a longer one with nothing)."""
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    current = now() if now is not None else datetime.now(UTC)
    # Whole seconds, as sent: the end returned is exactly the PostedBefore Amazon was given.
    end = to_second(current - POSTED_BEFORE_LAG)
    start = to_second(since)
    if start >= end:
        # Looked at less than the lag ago: Amazon would refuse the range.
        return RefundedOrders(order_ids=(), until=start)
    found: dict[str, None] = {}  # insertion-ordered: first refunded first
    while start < end:
        stop = min(start + LONGEST_RANGE, end)
        for page in range_pages(client, amazon_time(start), amazon_time(stop), page_size):
            for _, event in page.payload.FinancialEvents.adjustments():
                if event.AmazonOrderId:
                    found.setdefault(event.AmazonOrderId, None)
        start = stop
    return RefundedOrders(order_ids=tuple(found), until=end)
