"""Amazon's fees on the seller's account (not on an order), per closed settlement period,
from the Finances API v0's financial event groups (financesV0.json in Amazon's
selling-partner-api-models; docs/connectors/amazon.md, "Fees"):

    GET /finances/v0/financialEventGroups?FinancialEventGroupStartedAfter=
            &FinancialEventGroupStartedBefore=&MaxResultsPerPage=1..100&NextToken=
    200 {"payload": {"NextToken", "FinancialEventGroupList": [{"FinancialEventGroupId",
         "ProcessingStatus": "Open" | "Closed", "FundTransferStatus",
         "FinancialEventGroupStart", "FinancialEventGroupEnd", "OriginalTotal", ...}]}}
    GET /finances/v0/financialEventGroups/{eventGroupId}/financialEvents
            ?MaxResultsPerPage=1..100&NextToken=
    200: a ListFinancialEventsResponse; its ServiceFeeEventList: [{"AmazonOrderId",
         "FeeReason", "FeeDescription", "FeeList": [FeeComponent], ...}]
    Usage plans: 0.5 requests a second, burst 30 each. StartedBefore: later than
    StartedAfter, no later than two minutes before the request; more than 180 days
    apart: no groups at all.

A group is Amazon's settlement period: Open while Amazon adds events to it, Closed once
it is settled (paid out). The account's fees (the monthly Subscription, FBA storage fees)
are the group's ServiceFeeEvents. Most name no order; one that does (a disposal, a
removal) is booked here too, since an order's fees are read from its shipment and refund
events only, and nothing else would book it. A closed group's events do not change, so
its account fees are read once it is closed, summed per fee type and currency with
Decimal and turned into positive costs (as_costs: Amazon's fees are negative). An open
group is named, not read: it is asked about again until it closes.

Its advertising, coupon and deal payments are the account's costs too, each kind one fee
type (the model's definitions, same file):

    ProductAdsPaymentEventList: [{"postedDate", "transactionType": "charge" | "refund",
        "invoiceId", "baseValue", "taxValue", "transactionValue": Currency}]
        ("A Sponsored Products payment event"; transactionValue = baseValue + taxValue)
    CouponPaymentEventList: [{"PostedDate", "CouponId", "SellerCouponDescription",
        "ClipOrRedemptionCount", "PaymentEventId", "FeeComponent", "ChargeComponent",
        "TotalAmount": Currency}]  (TotalAmount: "The FeeComponent value plus the
        ChargeComponent value")
    SellerDealPaymentEventList: [{"postedDate", "dealId", "dealDescription", "eventType",
        "feeType", "feeAmount", "taxAmount", "totalAmount": Currency}]

Each event's total is read ("ProductAds", "Coupon", the deal's feeType else "Deal"); an
event without its total is read by its parts, which add up to it. The model states no
sign for these amounts and its examples put 25.37 in every amount, fees included, so the
account's rule is applied as for FeeComponents: money Amazon takes from the account is
negative (a charge), money it gives back positive (an ads refund), and as_costs turns
them into costs (a refund: a negative cost, lowering the period's ads cost).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from pydantic import AliasChoices, Field

from causeway.connectors.amazon.client import AmazonClient
from causeway.connectors.amazon.finances import (
    LONGEST_RANGE,
    MAX_PER_PAGE,
    POSTED_BEFORE_LAG,
    ChargeComponent,
    Currency,
    EventLists,
    FeeComponent,
    ListFinancialEventsPayload,
    ListFinancialEventsResponse,
    amazon_time,
    as_costs,
    to_second,
)
from causeway.connectors.amazon.models import AmazonModel, Timestamp, parse
from causeway.model.ports.fees import AccountFeePeriods, AccountFees

GROUPS_OPERATION = "listFinancialEventGroups"
GROUPS_PATH = "/finances/v0/financialEventGroups"
EVENTS_OPERATION = "listFinancialEventsByGroupId"
CLOSED = "Closed"


def group_events_path(group_id: str) -> str:
    return f"{GROUPS_PATH}/{quote(group_id, safe='')}/financialEvents"


class FinancialEventGroup(AmazonModel):
    FinancialEventGroupId: str | None = None
    ProcessingStatus: str | None = None  # "Open" | "Closed"
    FundTransferStatus: str | None = None
    OriginalTotal: Currency | None = None
    FinancialEventGroupStart: Timestamp | None = None
    FinancialEventGroupEnd: Timestamp | None = None


def either(name: str) -> Any:
    """A field the model spells in camelCase that live answers are reported to spell in
    PascalCase too (transactionValue, TransactionValue): either is read."""
    return Field(default=None, validation_alias=AliasChoices(name, name[0].upper() + name[1:]))


class ProductAdsPaymentEvent(AmazonModel):
    """A Sponsored Products payment event (the model)."""

    postedDate: Timestamp | None = either("postedDate")
    transactionType: str | None = either("transactionType")  # "charge" | "refund"
    invoiceId: str | None = either("invoiceId")
    baseValue: Currency | None = either("baseValue")
    taxValue: Currency | None = either("taxValue")
    transactionValue: Currency | None = either("transactionValue")

    def costs(self) -> list[FeeComponent]:
        # The model states no sign: the type says which way the money went. A charge is
        # money Amazon took (negative, as its fees), a refund money it gave back; another
        # type keeps Amazon's sign.
        sign = {"charge": -1, "refund": 1}.get((self.transactionType or "").lower())
        return _total("ProductAds", self.transactionValue, self.baseValue, self.taxValue, sign=sign)


class CouponPaymentEvent(AmazonModel):
    """An event related to coupon payments (the model)."""

    PostedDate: Timestamp | None = None
    CouponId: str | None = None
    SellerCouponDescription: str | None = None
    ClipOrRedemptionCount: int | None = None
    PaymentEventId: str | None = None
    # Named like their types in the model: aliased, so the annotations name the types.
    fee: FeeComponent | None = Field(default=None, alias="FeeComponent")
    charge: ChargeComponent | None = Field(default=None, alias="ChargeComponent")
    TotalAmount: Currency | None = None

    def costs(self) -> list[FeeComponent]:
        fee = self.fee.FeeAmount if self.fee else None
        charge = self.charge.ChargeAmount if self.charge else None
        return _total("Coupon", self.TotalAmount, fee, charge)


class SellerDealPaymentEvent(AmazonModel):
    """A payment of a fee related to a deal (the model)."""

    postedDate: Timestamp | None = either("postedDate")
    dealId: str | None = either("dealId")
    dealDescription: str | None = either("dealDescription")
    eventType: str | None = either("eventType")
    feeType: str | None = either("feeType")  # "RunLightningDealFee"
    feeAmount: Currency | None = either("feeAmount")
    taxAmount: Currency | None = either("taxAmount")
    totalAmount: Currency | None = either("totalAmount")

    def costs(self) -> list[FeeComponent]:
        return _total(self.feeType or "Deal", self.totalAmount, self.feeAmount, self.taxAmount)


def _total(
    fee_type: str, total: Currency | None, *parts: Currency | None, sign: int | None = None
) -> list[FeeComponent]:
    """The event's total as a fee component, else its parts (which add up to it): as_costs
    sums them per fee type and currency all the same. `sign`: each amount given that sign
    whatever Amazon's (None: as Amazon signed it)."""
    amounts = [total] if total is not None else [p for p in parts if p is not None]
    if sign is not None:
        amounts = [
            a.model_copy(update={"CurrencyAmount": sign * abs(a.CurrencyAmount)}) for a in amounts
        ]
    return [FeeComponent(FeeType=fee_type, FeeAmount=amount) for amount in amounts]


class GroupEventLists(EventLists):
    """A group's event lists: an order's, and the account's payments read here."""

    ProductAdsPaymentEventList: tuple[ProductAdsPaymentEvent, ...] = ()
    CouponPaymentEventList: tuple[CouponPaymentEvent, ...] = ()
    SellerDealPaymentEventList: tuple[SellerDealPaymentEvent, ...] = ()

    def account_costs(self) -> Iterator[FeeComponent]:
        """The service fees and the ads, coupon and deal payments, as Amazon's amounts."""
        for event in self.ServiceFeeEventList:
            reason = event.FeeReason or event.FeeDescription or "ServiceFee"
            # A component without a FeeType is named by its event's reason.
            for fee in event.FeeList:
                yield fee if fee.FeeType else fee.model_copy(update={"FeeType": reason})
        for ads in self.ProductAdsPaymentEventList:
            yield from ads.costs()
        for coupon in self.CouponPaymentEventList:
            yield from coupon.costs()
        for deal in self.SellerDealPaymentEventList:
            yield from deal.costs()


class GroupEventsPayload(ListFinancialEventsPayload):
    FinancialEvents: GroupEventLists = GroupEventLists()


class GroupEventsResponse(ListFinancialEventsResponse):
    payload: GroupEventsPayload = GroupEventsPayload()


class ListFinancialEventGroupsPayload(AmazonModel):
    NextToken: str | None = None
    FinancialEventGroupList: tuple[FinancialEventGroup, ...] = ()


class ListFinancialEventGroupsResponse(AmazonModel):
    payload: ListFinancialEventGroupsPayload = ListFinancialEventGroupsPayload()


def _paged(
    client: AmazonClient, operation: str, path: str, params: dict[str, Any]
) -> Iterator[Any]:
    """Each page's body, following NextToken (next pages are named by the token alone)."""
    size = params["MaxResultsPerPage"]
    while True:
        body = client.get(operation, path, params)
        yield body
        payload = body.get("payload") if isinstance(body, dict) else None
        token = payload.get("NextToken") if isinstance(payload, dict) else None
        if not token:
            return
        params = {"MaxResultsPerPage": size, "NextToken": token}


def groups_started(
    client: AmazonClient, after: datetime, before: datetime, page_size: int = MAX_PER_PAGE
) -> list[FinancialEventGroup]:
    """The groups started in [after, before), every page read."""
    params: dict[str, Any] = {
        "FinancialEventGroupStartedAfter": amazon_time(after),
        "FinancialEventGroupStartedBefore": amazon_time(before),
        "MaxResultsPerPage": max(1, min(page_size, MAX_PER_PAGE)),
    }
    found: list[FinancialEventGroup] = []
    what = f"{GROUPS_OPERATION} answer ({amazon_time(after)}..)"
    for body in _paged(client, GROUPS_OPERATION, GROUPS_PATH, params):
        found += parse(ListFinancialEventGroupsResponse, body, what).payload.FinancialEventGroupList
    return found


def account_fees_of(
    client: AmazonClient, group: FinancialEventGroup, page_size: int = MAX_PER_PAGE
) -> AccountFees:
    """The group's service fees and its ads, coupon and deal payments, as costs per fee
    type (a refund: negative)."""
    group_id = str(group.FinancialEventGroupId)
    params: dict[str, Any] = {"MaxResultsPerPage": max(1, min(page_size, MAX_PER_PAGE))}
    what = f"{EVENTS_OPERATION} answer for {group_id}"
    components: list[FeeComponent] = []
    for body in _paged(client, EVENTS_OPERATION, group_events_path(group_id), params):
        components += parse(GroupEventsResponse, body, what).payload.FinancialEvents.account_costs()
    assert group.FinancialEventGroupStart is not None  # checked by the caller
    return AccountFees(
        group_id=group_id,
        started_at=group.FinancialEventGroupStart,
        ended_at=group.FinancialEventGroupEnd,
        fees=as_costs(components),
    )


def account_fees_since(
    client: AmazonClient,
    since: datetime,
    *,
    page_size: int = MAX_PER_PAGE,
    now: Callable[[], datetime] | None = None,
) -> AccountFeePeriods:
    """The groups started from `since` until POSTED_BEFORE_LAG ago: each closed one with
    its account fees (one paged call per closed group), the open ones named, and that end
    (`until`). A range longer than 180 days is asked in spans (Amazon answers a longer one
    with nothing)."""
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    current = now() if now is not None else datetime.now(UTC)
    end = to_second(current - POSTED_BEFORE_LAG)
    start = to_second(since)
    closed: list[AccountFees] = []
    still_open: list[tuple[str, datetime]] = []
    while start < end:
        stop = min(start + LONGEST_RANGE, end)
        for group in groups_started(client, start, stop, page_size):
            if not group.FinancialEventGroupId or group.FinancialEventGroupStart is None:
                continue  # no id or start: nothing to book it by (every field is optional)
            if group.ProcessingStatus == CLOSED:
                closed.append(account_fees_of(client, group, page_size))
            else:
                still_open.append((group.FinancialEventGroupId, group.FinancialEventGroupStart))
        start = stop
    return AccountFeePeriods(closed=tuple(closed), open=tuple(still_open), until=max(end, start))
