"""channel-fees: the fees a marketplace kept on each order are booked in the ERP, once.

A marketplace (Amazon) posts an order's fees some time after the order ships (Amazon:
up to 48 hours). So, on a schedule, the flow looks at the marketplace's orders that the
ERP has (a sale link from orders-to-erp) and that have no fees booked yet (no "fees"
link), newest first and at most `per_run` of them, and for each:

1. asks the channel for the fees it has posted (ChannelFees.order_fees);
2. nothing posted yet: leaves the order for the next run (not parked: the fees come);
3. else books them in the ERP (ErpChannelFees.book_channel_fees: for Tryton, one posted
   supplier invoice for the marketplace's party, found by its reference before it is
   created), and writes the link (erp, "fees", document id) on the order's hub id and
   the booked total on the order's summary, in one transaction per order.

4. then books each refund of the order that changed fees (OrderFees.refunds) once, after
   the fees: for Tryton a posted supplier credit note `<sale ref>-fees-refund-<n>`
   (ErpChannelFees.book_fee_refund, found by its reference before it is created), and
   writes the link (erp, "fees-refund", document id) with its total. A guarantee claim
   (Amazon's A-to-z) or a chargeback changes fees as a refund does: it is a FeeRefund of
   its kind, numbered in its own series, booked by the same path as
   `<sale ref>-fees-claim-<n>` / `-fees-chargeback-<n>`, its link of the same type (the
   warehouse nets every "fees-refund" link from the order's fees alike).

Refunds come later than fees (a customer returns the goods weeks after), and they do not
change the order at the marketplace. So a run also asks each channel, in one paged query,
which orders had refunds (claims, chargebacks) posted since its cursor
(ChannelFees.refunded_orders_since:
Amazon's listFinancialEvents over every order), and for each of them whose fees are
booked asks for its events (order_fees) and books its refunds as in 4. An order named
whose fees are not booked yet needs nothing: its refunds are booked with its fees. The
cursor (engine/cursors.py, one per channel, read with `refund_overlap` of overlap) moves
to the span's end once the channel answered for every order named: a failed answer keeps
the span for the next run. The first run looks back `refund_window`. The cost: one paged call per
run and channel plus one call per refunded order, however many orders are booked. An
order whose refunds are all linked in the hub costs no ERP call; the ERP is asked (one
search) only when the marketplace shows a refund the hub has not linked.

A refund the ERP refuses (its changes in two currencies, a party or account it refuses)
marks its order: a link (erp, "fees-refund-owed", the order's reference) whose fingerprint
names the refunds owed (owed.py). Every run reads the markers in one query and, before the
poll, asks the channel about each marked order and books its refunds as in 4; the marker
goes once nothing is owed. So a refund found when the order's fees were booked late, long
after the poll passed it, is not forgotten when it fails, and a refused refund does not
hold the cursor: each run reports it (the run fails naming it) until the cause is fixed,
and the next run then books it once.

A crash between the ERP's booking and the link books nothing twice: the next run asks
the ERP, which finds its own booking. An order older than `look_back` is not asked
about any more (its fees would have been posted long since). One order's permanent
problem (fees in two currencies, a party Tryton refuses) does not stop the others: the
run books the rest, then fails with every problem named.

Each run also books the fees the channels charged the seller's account rather than an
order (Amazon's subscription, storage fees), once per closed settlement period: link
(erp, "account-fees", period id), a cursor of their own (account_fees.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from causeway.engine import links, order_facts
from causeway.engine.cursors import Cursor
from causeway.engine.links import Link
from causeway.engine.store import Store
from causeway.engine.warehouse_rows import BOOKED_FEE_REFUNDS, BOOKED_FEES
from causeway.errors import PermanentError
from causeway.flows.base import FlowBase
from causeway.flows.channel_fees import orders, owed
from causeway.flows.channel_fees.account_fees import AccountFeeBooking
from causeway.flows.channel_fees.results import Pending, RunResult
from causeway.model.ports.fees import (
    BookedFees,
    ChannelFees,
    ErpChannelFees,
    FeeRefund,
    OrderFees,
)
from causeway.orders.record import merge_summary

log = logging.getLogger("causeway.flows.channel_fees")

NAME = "channel-fees"
# Link type: the ERP's booking of an order's fees (a supplier invoice), fingerprint
# "<total> <currency>": the warehouse reads it as the order's actual fees.
FEES = BOOKED_FEES
# Link type: the ERP's booking of one refund's fee changes (a supplier credit note),
# fingerprint "<total> <currency>" (negative for a credit): the warehouse nets them.
FEE_REFUNDS = BOOKED_FEE_REFUNDS
DAY = 86400.0
# The cursor's stream: refunds posted at the channel, per channel system.
REFUNDS_STREAM = f"{NAME}:refunds"


class ChannelFeesToErp(FlowBase[None]):
    name = NAME
    batch_size = 1
    # A run reads every waiting order and books: two at once would ask twice.
    exclusive = True
    runs_only = True

    def __init__(
        self,
        store: Store,
        *,
        channels: Mapping[str, ChannelFees],
        target: str,
        erp: ErpChannelFees,
        party: str = "Amazon",
        fees_account: str | None = None,
        per_run: int = 100,
        look_back: float = 60 * DAY,
        refund_window: float = 60 * DAY,
        refund_overlap: float = 3600.0,
        account_fees_window: float = 60 * DAY,
        account_fees_overlap: float = 3600.0,
    ) -> None:
        if not channels:
            raise ValueError(f"{NAME} needs at least one channel")
        self.store = store
        self.channels = dict(channels)
        self.target = target
        self.erp = erp
        self.party = party
        self.fees_account = fees_account
        self.per_run = per_run
        self.look_back = look_back
        self.refund_window = refund_window
        self.cursors = {
            channel: Cursor(
                store, channel, REFUNDS_STREAM, timedelta(seconds=refund_overlap), flow=NAME
            )
            for channel in self.channels
        }
        self.account_fees = AccountFeeBooking(
            store,
            channels=self.channels,
            target=target,
            erp=erp,
            party=party,
            fees_account=fees_account,
            window=account_fees_window,
            overlap=account_fees_overlap,
        )

    def on_run(self, payload: Mapping[str, Any]) -> None:
        result = self.run()
        if result.failed:
            raise PermanentError(
                "; ".join(f"{ref}: {why}" for ref, why in sorted(result.failed.items()))
            )

    def run(self) -> RunResult:
        result = RunResult()
        with self.store.read() as conn:
            marked = owed.marked(conn, self.target)
        # Read before any fees are booked: an order that lacks its fees link is pending.
        owed_orders = self.owed_orders(marked)
        for order in self.pending():
            fees = self._ask(order, result)
            if fees is None:
                continue
            if not fees.posted:
                result.waiting.append(order.reference)
                continue
            try:
                booked = self.erp.book_channel_fees(
                    order.reference, fees.fees, party=self.party, account=self.fees_account
                )
            except PermanentError as exc:
                result.failed[order.reference] = str(exc)
                continue
            self._record(order, fees, booked)
            result.booked.append(order.reference)
            self._book_refunds(order, fees.refunds, result, marked)
        for order in owed_orders:
            fees = self._ask(order, result)
            if fees is None:
                continue  # its marker stays: the next run asks again
            result.owed.append(order.reference)
            self._book_refunds(order, fees.refunds, result, marked)
        for channel in self.channels:
            self._refunds_posted(channel, result, marked)
        self.account_fees.run(result)
        if result.booked or result.failed or result.refunds or result.account_fees:
            log.info(
                "fees: %d booked, %d not posted yet, %d refunds booked, %d refunded orders "
                "asked again, %d owed a refund asked again, %d account fees booked, %d failed",
                len(result.booked),
                len(result.waiting),
                len(result.refunds),
                len(result.rechecked),
                len(result.owed),
                len(result.account_fees),
                len(result.failed),
            )
        return result

    def _ask(self, order: Pending, result: RunResult) -> OrderFees | None:
        try:
            return self.channels[order.channel].order_fees(order.external_id)
        except PermanentError as exc:
            result.failed[order.reference] = str(exc)
            return None

    def _book_refunds(
        self,
        order: Pending,
        refunds: tuple[FeeRefund, ...],
        result: RunResult,
        marked: Mapping[str, Link],
    ) -> None:
        """Each refund with a net fee change booked once, after the order's fees. One the
        ERP refused marks the order (owed.py): every later run asks about it again, until
        its refunds are all booked and the marker goes."""
        still_owed = self._book_each_refund(order, refunds, result)
        if still_owed is not None:
            with self.store.transaction() as conn:
                owed.mark(
                    conn,
                    target=self.target,
                    hub_id=order.hub_id,
                    reference=order.reference,
                    owed=still_owed,
                )
        elif order.hub_id in marked:
            with self.store.transaction() as conn:
                owed.clear(conn, target=self.target, reference=order.reference)

    def _book_each_refund(
        self, order: Pending, refunds: tuple[FeeRefund, ...], result: RunResult
    ) -> str | None:
        """Book the refunds not booked yet; what is still owed after (None: nothing)."""
        # A refund whose changes cancel out (gave back 2.00, charged 2.00) owes nothing.
        todo = [r for r in refunds if any(t != 0 for t in r.totals().values())]
        if not todo:
            return None
        with self.store.read() as conn:
            linked = links.of_hubs_oldest_first(conn, [order.hub_id], self.target, FEE_REFUNDS)
        # Refunds, claims and chargebacks are only ever added, and each booked one is one
        # link of the same type: as many links as owed of every kind together means every
        # one is booked and linked already.
        if len(linked) >= len(todo):
            return None
        try:
            booked = self.erp.booked_fee_refunds(order.reference)
        except PermanentError as exc:
            result.failed[order.reference] = str(exc)
            return owed.describe([])
        failed: list[FeeRefund] = []
        for refund in todo:
            done = booked.get(refund.series)
            if done is None:
                try:
                    done = self.erp.book_fee_refund(
                        order.reference, refund, party=self.party, account=self.fees_account
                    )
                except PermanentError as exc:
                    result.failed[f"{order.reference} {refund.label}"] = str(exc)
                    failed.append(refund)
                    continue
                result.refunds.append(f"{order.reference} {refund.label}")
            self._record_refund(order, done)
        return owed.describe(failed) if failed else None

    def pending(self) -> list[Pending]:
        return orders.owing_fees(
            self.store, self.channels, self.target, look_back=self.look_back, limit=self.per_run
        )

    def owed_orders(self, marked: Mapping[str, Link]) -> list[Pending]:
        return orders.owing_refunds(self.store, self.channels, self.target, marked)

    def _refunds_posted(self, channel: str, result: RunResult, marked: Mapping[str, Link]) -> None:
        """Book the refunds of the booked orders the channel posted refunds of since its
        cursor; move the cursor once every one of them was handled."""
        cursor = self.cursors[channel]
        since = cursor.window_start()
        if since is None:  # the first run: as far back as refunds are looked for
            since = datetime.now(UTC) - timedelta(seconds=self.refund_window)
        try:
            found = self.channels[channel].refunded_orders_since(since)
        except PermanentError as exc:
            result.failed[f"{channel} refunds since {since.isoformat()}"] = str(exc)
            return
        for order in self.booked_orders(channel, found.order_ids):
            result.refunded.append(order.reference)
            if order.reference in result.booked or order.reference in result.owed:
                continue  # asked a moment ago, with its fees or as owed a refund
            fees = self._ask(order, result)
            if fees is None:
                result.refunds_failed.add(channel)
                continue
            result.rechecked.append(order.reference)
            self._book_refunds(order, fees.refunds, result, marked)
        # A refund the ERP refused does not hold the cursor: its order's marker has every
        # later run ask again, and the span does not grow run after run meanwhile.
        if channel not in result.refunds_failed:
            cursor.advance(found.until)
        else:
            # The channel did not answer for an order: keep the span, the next run asks
            # again, and what was booked is found linked.
            log.warning("fees: %s refunds since %s kept for the next run", channel, since)

    def booked_orders(self, channel: str, external_ids: tuple[str, ...]) -> list[Pending]:
        return orders.with_fees_booked(self.store, channel, self.target, external_ids)

    def _record(self, order: Pending, fees: OrderFees, booked: BookedFees) -> None:
        with self.store.transaction() as conn:
            # The link is what the warehouse's fact_channel_fees reads (engine/warehouse_rows).
            self._link(conn, order, FEES, booked)
            merge_summary(
                conn,
                order.hub_id,
                {
                    "fees_total": str(booked.total),
                    "fees_currency": booked.currency,
                    "fees_document": booked.number,
                },
            )
            order_facts.touch(conn, order.hub_id)  # the next warehouse build rewrites it

    def _link(self, conn: Connection, order: Pending, entity: str, booked: BookedFees) -> None:
        """The ERP's document of the order's fees (or a refund's), with "<total> <currency>"."""
        links.save(
            conn,
            hub_id=order.hub_id,
            system=self.target,
            entity_type=entity,
            external_id=str(booked.document_id),
            fingerprint=f"{booked.total} {booked.currency}",
            remote_updated_at=time.time(),  # when it was booked
        )

    def _record_refund(self, order: Pending, booked: BookedFees) -> None:
        with self.store.transaction() as conn:
            self._link(conn, order, FEE_REFUNDS, booked)
            refunded = links.of_hubs_oldest_first(conn, [order.hub_id], self.target, FEE_REFUNDS)
            total = sum(
                (Decimal(r.fingerprint.split()[0]) for r in refunded if r.fingerprint),
                Decimal(0),
            )
            merge_summary(
                conn,
                order.hub_id,
                {"fees_refunded": str(total), "fees_refund_documents": len(refunded)},
            )
            order_facts.touch(conn, order.hub_id)
