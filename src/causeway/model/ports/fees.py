"""Marketplace fees: what a channel kept of an order's money, and booking it in the ERP.

A marketplace (Amazon) keeps fees on each order it sells for the merchant: a referral
fee, a fulfilment fee... They are the difference between what the customer paid and
what the marketplace pays out, so the true margin of a marketplace sale needs them.
The channel says what it charged (ChannelFees), and what each refund of the order gave
back or charged (FeeRefund); the ERP books the fees once per order and each refund's
changes once after them (ErpChannelFees). Fees on the seller's account rather than an
order (a subscription, storage) are booked once per closed settlement period
(AccountFees). docs/flows/channel-fees.md tells the flow between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field


class ChannelFee(BaseModel):
    """One kind of fee on one order, as a positive cost in the order's currency."""

    model_config = ConfigDict(frozen=True)

    fee_type: str  # the channel's own name, e.g. Amazon's "Commission", "FBAPerUnitFulfillmentFee"
    currency: str = Field(min_length=3, max_length=3)
    amount: Decimal  # positive: a cost; negative: a credit (a fee reversed)


def currency_totals(fees: Sequence[ChannelFee]) -> dict[str, Decimal]:
    """currency -> the sum of the fees in it."""
    sums: dict[str, Decimal] = {}
    for fee in fees:
        sums[fee.currency] = sums.get(fee.currency, Decimal(0)) + fee.amount
    return sums


# What gave the buyer money back: a refund, a guarantee claim the marketplace granted
# (Amazon's A-to-z), or a chargeback of the buyer's card. Each changes the order's fees.
RefundKind = Literal["refund", "claim", "chargeback"]


class FeeRefund(BaseModel):
    """The fees one refund of an order changed: the fees the channel gave back (negative
    costs, credits) and those the refund itself charged (positive costs, e.g. Amazon's
    RefundCommission). Booked once, after the order's fees, as its own ERP document. A
    guarantee claim or a chargeback changes fees the same way: a FeeRefund of its kind."""

    model_config = ConfigDict(frozen=True)

    kind: RefundKind = "refund"
    # 1, 2, ...: the rank among the order's refunds of this kind by posting time (each
    # kind its own series: claim 1, chargeback 1...; the ERP document's reference ends
    # with it); those posted later get higher numbers.
    number: int = Field(ge=1)
    # What identifies the refund at the channel (Amazon: its OrderAdjustmentItemIds),
    # written on the ERP document so that a person can find the channel's record.
    key: str
    posted_at: datetime | None = None
    fees: tuple[ChannelFee, ...] = ()

    def totals(self) -> dict[str, Decimal]:
        return currency_totals(self.fees)

    @property
    def series(self) -> tuple[RefundKind, int]:
        """(kind, number): what tells it from the order's other refunds."""
        return (self.kind, self.number)

    @property
    def label(self) -> str:
        """ "refund 1", "claim 2": how results and errors name it."""
        return f"{self.kind} {self.number}"


class OrderFees(BaseModel):
    """The fees a channel has posted on one order so far."""

    model_config = ConfigDict(frozen=True)

    order_id: str
    # False: the channel has posted nothing on the order yet (Amazon posts after the
    # shipment): ask again later. True with no fees: posted, and it charged none.
    posted: bool
    posted_at: datetime | None = None
    fees: tuple[ChannelFee, ...] = ()
    # The order's refunds, claims and chargebacks that changed fees, by kind then oldest
    # first (none: never refunded, or the refunds changed no fee).
    refunds: tuple[FeeRefund, ...] = ()

    def totals(self) -> dict[str, Decimal]:
        """currency -> the sum of the fees in it."""
        return currency_totals(self.fees)


class RefundedOrders(BaseModel):
    """The orders a channel posted refunds (claims, chargebacks) of in a span of time, and
    where it ended."""

    model_config = ConfigDict(frozen=True)

    order_ids: tuple[str, ...] = ()  # the channel's order ids, each once
    # The span's end (exclusive): refunds posted from here on are the next look's. Behind
    # the present: the channel's newest events are not readable at once (Amazon: 2 min).
    until: datetime


class AccountFees(BaseModel):
    """The fees a channel charged the seller's account, not any one order (Amazon: the
    monthly subscription, FBA storage fees...), in one closed settlement period (Amazon:
    a financial event group). Booked once per period, as one ERP document."""

    model_config = ConfigDict(frozen=True)

    group_id: str  # the channel's id of the period (Amazon: FinancialEventGroupId)
    started_at: datetime
    ended_at: datetime | None = None
    fees: tuple[ChannelFee, ...] = ()  # positive: a cost; none: nothing to book

    def totals(self) -> dict[str, Decimal]:
        return currency_totals(self.fees)


class AccountFeePeriods(BaseModel):
    """The settlement periods a channel started since a time: the closed ones with their
    account fees, and the ids and starts of those still open (not booked: asked again)."""

    model_config = ConfigDict(frozen=True)

    closed: tuple[AccountFees, ...] = ()
    open: tuple[tuple[str, datetime], ...] = ()  # (group id, its start)
    # The span's end (exclusive): periods started from here on are the next look's.
    until: datetime


@runtime_checkable
class ChannelFees(Protocol):
    def order_fees(self, external_id: str) -> OrderFees:
        """The fees the channel has posted on the order so far (never None: `posted`
        says whether it has posted anything)."""
        ...

    def refunded_orders_since(self, since: datetime) -> RefundedOrders:
        """The orders with refunds, claims or chargebacks posted since `since` (any order,
        one paged query of the channel, not one per order), and the span's end to look
        from next."""
        ...

    def account_fees_since(self, since: datetime) -> AccountFeePeriods:
        """The settlement periods started since `since`: each closed one with the fees it
        charged the account (not an order), the open ones named, and the span's end."""
        ...


class BookedFees(BaseModel):
    """The ERP's record of one order's fees (a supplier invoice for Tryton)."""

    model_config = ConfigDict(frozen=True)

    document_id: int
    number: str | None
    state: str
    currency: str
    total: Decimal
    created: bool  # False: it was booked already (found by its reference)


@runtime_checkable
class ErpChannelFees(Protocol):
    def book_channel_fees(
        self,
        sale_reference: str,
        fees: Sequence[ChannelFee],
        *,
        party: str,
        account: str | None = None,
    ) -> BookedFees:
        """Book the order's fees once: the ERP searches for the booking of this sale's fees
        before it creates one, so a replay or a crash before the hub's link books nothing
        twice. `party`: the marketplace, as the ERP names it; `account`: the expense
        account's code or name (None: the ERP's one expense account). One currency."""
        ...

    def booked_channel_fees(self, sale_references: Sequence[str]) -> dict[str, BookedFees]:
        """sale reference -> its fees as booked; sales with none booked are left out."""
        ...

    def book_fee_refund(
        self,
        sale_reference: str,
        refund: FeeRefund,
        *,
        party: str,
        account: str | None = None,
    ) -> BookedFees:
        """Book one refund's fee changes once (for Tryton a supplier credit note, found by
        its reference `<sale>-fees-<kind>-<number>` before it is created, e.g.
        `-fees-refund-1`, `-fees-claim-1`). One currency; a net of zero is the caller's
        to skip."""
        ...

    def booked_fee_refunds(self, sale_reference: str) -> dict[tuple[RefundKind, int], BookedFees]:
        """(kind, number) (FeeRefund.series) -> the sale's fee refund of that kind as
        booked (none booked: empty)."""
        ...

    def book_account_fees(
        self,
        channel: str,
        period: AccountFees,
        *,
        party: str,
        account: str | None = None,
    ) -> BookedFees:
        """Book one closed period's account fees once (for Tryton a posted supplier
        invoice, found by its reference `<channel>-account-fees-<group id>` before it is
        created). One currency; a period with no fees is the caller's to skip."""
        ...
