"""returns-to-erp: a refund in the store becomes a return in the ERP, once.

Triggered by the refunds/create webhook of each store it serves, under the order's
ordering key (so after the order reached the ERP). Shopify's is the refund itself;
WooCommerce announces refunds with the update of the order, which lists every refund
the order has (received as refunds/create too), so an order updated five times after
one refund announces it five times: each refund is booked once, by its id, and only
refunds not booked yet are read from the store (model/ports/channel.py, RefundChannel).
Where a polled order lists its refunds (WooCommerce's is the webhook's JSON), the orders
the reconciling poll of orders-to-erp brings in are read the same way, so a refund whose
webhook was lost (WooCommerce disables a failing webhook and never replays) is booked at
the next poll.
The refunded lines become an ERP return sale ("<sale reference>-R<refund id>", same
customer, negative quantities) which Tryton turns into a customer return shipment and
a credit note. How each line is treated follows the store's restock type:

- return (and legacy_restock): the goods come back -> return sale with shipment;
- no_restock: money back only -> a return sale that expects no goods
  ("...-R<id>" alone, or "...-R<id>-C" next to goods that do come back);
- cancel: the items never left the warehouse; the sale itself is changed by the
  cancellation (cancellations flow) or the order edit, not by a return.

The flow's scheduled run checks the return shipments in the ERP and records the
`returned` milestone once the warehouse has received the goods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from causeway.engine import links, timeline
from causeway.engine.inbox import Inbox, InboxRecord, StoredEvent
from causeway.engine.jobs import NewJob, ordering_key
from causeway.engine.store import Store
from causeway.errors import CausewayError, PermanentError
from causeway.flows.base import FlowBase
from causeway.flows.channels import channel_of
from causeway.flows.events import json_object
from causeway.flows.orders_to_erp import POLL_TOPIC, SETTLED
from causeway.model.ports.channel import RefundChannel
from causeway.model.ports.erp import ErpReturns, PlacedReturn
from causeway.model.returns import Refund, RefundLine, Restock
from causeway.model.topics import REFUND_CREATED
from causeway.notifications.order_mail import OrderMail
from causeway.orders import changes
from causeway.orders.record import CANCELLED, ORDER, read_summary, update_order

NAME = "returns-to-erp"
TOPICS = (REFUND_CREATED, POLL_TOPIC)
REFUND = "refund"  # link: store refund id -> the order's hub id
RETURN_SALE = "return_sale"  # link: ERP return sale id -> the order's hub id
# Return-sale link fingerprints.
AWAITING = "awaiting_goods"
RETURNED = "returned"
CREDIT_ONLY = "credit_only"


def refund_job(source: str, record: InboxRecord, inbox_id: int) -> NewJob:
    return NewJob(NAME, ordering_key(source, record.entity_key), {"inbox_id": inbox_id})


@dataclass(frozen=True)
class ReturnGroup:
    """One ERP return sale to make for a refund."""

    reference: str
    lines: tuple[RefundLine, ...]
    goods_come_back: bool


def plan_returns(sale_reference: str, refund: Refund) -> list[ReturnGroup]:
    """The return sales a refund needs: goods that come back, and money-only lines."""
    back = tuple(line for line in refund.lines if line.comes_back)
    money_only = tuple(line for line in refund.lines if line.restock == Restock.NO_RESTOCK)
    base = f"{sale_reference}-R{refund.external_id}"
    groups = []
    if back:
        groups.append(ReturnGroup(base, back, True))
    if money_only:
        groups.append(ReturnGroup(f"{base}-C" if back else base, money_only, False))
    return groups


class ReturnsToErp(FlowBase[None]):
    name = NAME
    batch_size = 10
    exclusive = False  # one refund per job; jobs of one order already run one at a time

    def __init__(
        self,
        store: Store,
        inbox: Inbox,
        *,
        channels: Mapping[str, RefundChannel],
        target: str,
        target_connector: ErpReturns,
        mail: OrderMail | None = None,
    ) -> None:
        self.mail = mail  # refunded and return_received e-mails (docs/notifications.md)
        if not channels:
            raise ValueError(f"{NAME} needs at least one channel")
        self.store = store
        self.inbox: Inbox = inbox
        self.channels = dict(channels)  # store system -> its connector
        self.target = target
        self.erp = target_connector

    def on_run(self, payload: Mapping[str, Any]) -> None:
        self.check_receipts()

    def validate_event(self, event: StoredEvent) -> object:
        """The order and refunds the body names, as the store's connector reads them
        without asking the store (refunds_from_webhook may read the store); nothing booked."""
        channel = channel_of(NAME, self.channels, event)
        return channel.refunds_announced(json_object(event))

    def on_event(self, event: StoredEvent) -> None:
        channel = channel_of(NAME, self.channels, event)
        body = json_object(event)
        unbooked = self._unbooked(event, channel, body)
        if not unbooked:
            return  # each booked already: a redelivery, a replay, a later order update
        for refund in channel.refunds_from_webhook(body):
            if refund.external_id in unbooked:
                self.book(event.source, refund)

    def _unbooked(
        self, event: StoredEvent, channel: RefundChannel, body: dict[str, Any]
    ) -> set[str]:
        """The ids of the refunds the event names that the hub has not booked; the store
        is asked nothing about refunds of an order that is not in the ERP. A polled
        order names none where the channel's polled orders list no refunds, and none
        when it is unreadable or not in the ERP: orders-to-erp parks it, once."""
        polled = event.topic == POLL_TOPIC
        if polled and not channel.polled_orders_list_refunds:
            return set()
        try:
            announced = channel.refunds_announced(body)
        except CausewayError:
            if polled:
                return set()
            raise
        with self.store.read() as conn:
            order = links.find(conn, event.source, ORDER, announced.order_external_id)
            unbooked = {
                refund_id
                for refund_id in announced.refund_ids
                if links.find(conn, event.source, REFUND, refund_id) is None
            }
        if unbooked and (order is None or order.fingerprint not in SETTLED):
            if polled:
                return set()
            raise self._not_in_erp(", ".join(sorted(unbooked)), announced.order_external_id)
        return unbooked

    def _not_in_erp(self, refund_ids: str, order_id: str) -> PermanentError:
        return PermanentError(
            f"refund {refund_ids} of order {order_id}: the order is not in {self.target} (its "
            f"orders-to-erp job is parked, or the order never arrived); once the order is in "
            f"{self.target}, replay this job"
        )

    # -- a refund ---------------------------------------------------------------
    def book(self, source: str, refund: Refund) -> None:
        with self.store.read() as conn:
            if links.find(conn, source, REFUND, refund.external_id):
                return  # booked already: a redelivery or a replay
            order = links.find(conn, source, ORDER, refund.order_external_id)
            summary = read_summary(conn, order.hub_id) if order else {}
        if order is None or order.fingerprint not in SETTLED:
            raise self._not_in_erp(refund.external_id, refund.order_external_id)
        if order.fingerprint == CANCELLED or summary.get("cancelled_at"):
            # A cancelled order shipped nothing: its refund needs no return.
            self._record(
                source, order.hub_id, refund, [], note="order cancelled: nothing to return"
            )
            return
        reference = summary.get("reference")
        if not reference:
            raise PermanentError(
                f"refund {refund.external_id}: the hub does not know the ERP reference of order "
                f"{refund.order_external_id}; replay its orders-to-erp job, then this one"
            )
        placed = [
            (
                group,
                self.erp.place_return(
                    reference,
                    group.reference,
                    group.lines,
                    goods_come_back=group.goods_come_back,
                    description=f"Store refund {refund.external_id} of {summary.get('number')}",
                ),
            )
            for group in plan_returns(reference, refund)
        ]
        self._record(source, order.hub_id, refund, placed)

    def _record(
        self,
        source: str,
        hub_id: str,
        refund: Refund,
        placed: list[tuple[ReturnGroup, PlacedReturn]],
        note: str = "",
    ) -> None:
        returns = [
            {
                "reference": sale.reference,
                "erp_sale_id": sale.sale_id,
                "erp_number": sale.number,
                "credit_total": str(sale.total_amount),
                "goods_come_back": group.goods_come_back,
            }
            for group, sale in placed
        ]
        entry = {
            "amount": str(refund.refunded_amount),
            "currency": refund.currency,
            "returns": returns,
            "state": AWAITING if any(g.goods_come_back for g, _ in placed) else "refunded",
            "note": note or None,
        }
        with self.store.transaction() as conn:
            before = changes.known(conn, hub_id)
            links.save(
                conn,
                hub_id=hub_id,
                system=source,
                entity_type=REFUND,
                external_id=refund.external_id,
                fingerprint="booked",
            )
            for group, sale in placed:
                links.save(
                    conn,
                    hub_id=hub_id,
                    system=self.target,
                    entity_type=RETURN_SALE,
                    external_id=str(sale.sale_id),
                    fingerprint=AWAITING if group.goods_come_back else CREDIT_ONLY,
                )
            self._update_refunds(conn, hub_id, refund.external_id, entry, state="refunded")
            after = changes.known(conn, hub_id)
            change = changes.refund_change(source, refund, before=before, after=after)
            changes.record(conn, hub_id, change)  # the refund as a fact, once per refund id
            timeline.record(
                conn,
                hub_id,
                "refunded",
                detail={
                    "refund": refund.external_id,
                    "amount": entry["amount"],
                    "returns": returns,
                },
            )
            if self.mail is not None:
                facts = {"amount": entry["amount"], "currency": refund.currency}
                self.mail.send(
                    conn, hub_id, "refunded", occurrence=refund.external_id, facts=facts,
                    channel=source,
                )  # fmt: skip

    @staticmethod
    def _update_refunds(
        conn: Connection, hub_id: str, refund_id: str, entry: dict[str, Any], *, state: str
    ) -> None:
        summary = read_summary(conn, hub_id)
        refunds = {**summary.get("refunds", {}), refund_id: entry}
        cancelled = "cancelled_at" in summary and summary["cancelled_at"]
        update_order(conn, hub_id, state=None if cancelled else state, refunds=refunds)

    # -- the scheduled run: have the goods arrived? ---------------------------------
    def check_receipts(self) -> int:
        """Record `returned` for return sales whose goods the ERP has received."""
        with self.store.read() as conn:
            waiting = {
                int(ext): link
                for ext, link in links.all_of_type(
                    conn, self.target, RETURN_SALE, fingerprint=AWAITING
                ).items()
            }
        if not waiting:
            return 0
        progress = self.erp.return_progress(sorted(waiting))
        done = 0
        for sale_id, state in progress.items():
            if not state.received:
                continue
            link = waiting[sale_id]
            with self.store.transaction() as conn:
                links.save(
                    conn,
                    hub_id=link.hub_id,
                    system=self.target,
                    entity_type=RETURN_SALE,
                    external_id=str(sale_id),
                    fingerprint=RETURNED,
                )
                summary = read_summary(conn, link.hub_id)
                refunds = summary.get("refunds", {})
                for entry in refunds.values():
                    if any(r.get("erp_sale_id") == sale_id for r in entry.get("returns", [])):
                        entry["state"] = RETURNED
                update_order(conn, link.hub_id, state=RETURNED, refunds=refunds)
                timeline.record(
                    conn,
                    link.hub_id,
                    "returned",
                    detail={
                        "erp_return_sale": sale_id,
                        "shipments": [number for number, _ in state.shipments],
                    },
                )
                if self.mail is not None:
                    self.mail.send(conn, link.hub_id, "return_received", occurrence=str(sale_id))
            done += 1
        return done
