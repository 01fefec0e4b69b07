"""cancellations: an order cancelled in the store is cancelled in the ERP, once.

Triggered by the orders/cancelled webhook of each store it serves, and by the orders
the reconciling poll of orders-to-erp brings in (so a missed webhook is caught up: a
polled order with `cancelled_at` the hub has not handled yet is cancelled). Each
store's sale is found by the reference prefix orders-to-erp gives that store.
The job runs under the order's ordering key, so it runs after the jobs that put
the order into the ERP. What happens depends on the ERP sale (see
connectors/tryton/cancellations.py):

- nothing shipped: the sale is cancelled the ERP's own way;
- something shipped: nothing is changed; the job is parked with a reason naming
  the shipment and what a person must decide;
- no sale (the order never reached the ERP): the order is marked cancelled, and
  orders-to-erp will never place it.

A redelivered or replayed cancellation finds the sale already cancelled and
changes nothing; the `cancelled` milestone is recorded once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from causeway.engine import links, order_facts, timeline
from causeway.engine.inbox import Inbox, InboxRecord, StoredEvent
from causeway.engine.jobs import NewJob, ordering_key
from causeway.engine.store import Store
from causeway.errors import CausewayError, PermanentError
from causeway.flows.base import FlowBase
from causeway.flows.channels import channel_of
from causeway.flows.events import json_object
from causeway.flows.orders_to_erp import POLL_TOPIC, sale_reference
from causeway.model.ports.channel import CancellationChannel
from causeway.model.ports.erp import CancelledSale, ErpCancellations
from causeway.model.returns import Cancellation
from causeway.model.topics import ORDER_CANCELLED
from causeway.notifications.order_mail import OrderMail
from causeway.orders import changes
from causeway.orders.record import (
    CANCELLED,
    ORDER,
    SALE,
    order_hub_id,
    read_summary,
    record_cancelled_before_erp,
    timestamp,
    update_order,
)

log = logging.getLogger("causeway.flows.cancellations")

NAME = "cancellations"
TOPICS = (ORDER_CANCELLED, POLL_TOPIC)


def cancellation_job(source: str, record: InboxRecord, inbox_id: int) -> NewJob:
    return NewJob(NAME, ordering_key(source, record.entity_key), {"inbox_id": inbox_id})


@dataclass(frozen=True)
class StoreCancellations:
    """One store the flow serves: its connector, and the prefix of its sales' reference."""

    system: str
    connector: CancellationChannel
    prefix: str


class Cancellations(FlowBase[None]):
    name = NAME
    batch_size = 10
    exclusive = False  # one sale per job; jobs of one order already run one at a time

    def __init__(
        self,
        store: Store,
        inbox: Inbox,
        *,
        channels: Mapping[str, StoreCancellations],
        target: str,
        target_connector: ErpCancellations,
        mail: OrderMail | None = None,
    ) -> None:
        self.mail = mail  # the cancelled e-mail (docs/notifications.md)
        if not channels:
            raise ValueError(f"{NAME} needs at least one channel")
        self.store = store
        self.inbox: Inbox = inbox
        self.channels = dict(channels)
        self.target = target
        self.erp = target_connector

    def validate_event(self, event: StoredEvent) -> object:
        """The cancellation (or polled order) the store's connector reads; nothing cancelled."""
        channel = channel_of(NAME, self.channels, event)
        if event.topic == POLL_TOPIC:
            return channel.connector.order_from_polled(json_object(event))
        return channel.connector.cancellation_from_webhook(json_object(event))

    def on_event(self, event: StoredEvent) -> None:
        channel = channel_of(NAME, self.channels, event)
        cancellation = (
            self._from_poll(channel, event)
            if event.topic == POLL_TOPIC
            else channel.connector.cancellation_from_webhook(json_object(event))
        )
        if cancellation is not None:
            self.cancel(channel, cancellation)

    def _from_poll(self, channel: StoreCancellations, event: StoredEvent) -> Cancellation | None:
        """The cancellation a polled order shows, if the hub has not handled it yet."""
        try:
            order = channel.connector.order_from_polled(json_object(event))
        except CausewayError:
            return None  # orders-to-erp parks the order with the reason; once is enough
        if order.cancelled_at is None:
            return None
        with self.store.read() as conn:
            link = links.find(conn, channel.system, ORDER, order.external_id)
            summary = read_summary(conn, link.hub_id) if link else {}
        if summary.get("cancelled_at") or summary.get("cancel_refused"):
            return None  # cancelled already, or parked for a person (replay the webhook job)
        return Cancellation(
            order_external_id=order.external_id,
            order_number=order.number,
            cancelled_at=order.cancelled_at,
        )

    def cancel(self, channel: StoreCancellations, cancellation: Cancellation) -> None:
        reference = sale_reference(channel.prefix, cancellation.order_number)
        try:
            result = self.erp.cancel_sale(reference)
        except PermanentError as exc:
            self._note_refusal(channel.system, cancellation, exc)
            raise
        with self.store.transaction() as conn:
            if result is None:
                known = links.find(conn, channel.system, ORDER, cancellation.order_external_id)
                before = changes.known(conn, known.hub_id) if known else (None, {})
                record_cancelled_before_erp(
                    conn,
                    channel.system,
                    cancellation.order_external_id,
                    number=cancellation.order_number,
                    cancelled_at=cancellation.cancelled_at,
                    reason=cancellation.reason,
                )
                hub_id = order_hub_id(conn, channel.system, cancellation.order_external_id)
                self._record_change(conn, channel.system, hub_id, cancellation, before)
                return
            self._record(conn, channel.system, cancellation, result)

    def _note_refusal(self, source: str, cancellation: Cancellation, error: PermanentError) -> None:
        """Keep why the ERP sale was not cancelled on the order, for people and the poll."""
        with self.store.transaction() as conn:
            link = links.find(conn, source, ORDER, cancellation.order_external_id)
            if link is not None:
                update_order(conn, link.hub_id, cancel_refused=str(error))

    def _record(
        self, conn: Connection, source: str, cancellation: Cancellation, sale: CancelledSale
    ) -> None:
        known = links.find(conn, source, ORDER, cancellation.order_external_id)
        hub_id = known.hub_id if known else links.new_hub_id()
        before = changes.known(conn, hub_id)
        if known is None:
            # The ERP had the sale but the hub had lost the link (a crash after placing).
            links.save(
                conn,
                hub_id=hub_id,
                system=source,
                entity_type=ORDER,
                external_id=cancellation.order_external_id,
                fingerprint=CANCELLED,
            )
        links.save(
            conn,
            hub_id=hub_id,
            system=self.target,
            entity_type=SALE,
            external_id=str(sale.sale_id),
            fingerprint=sale.state,
        )
        update_order(
            conn,
            hub_id,
            state=CANCELLED,
            cancelled_at=cancellation.cancelled_at.isoformat(),
            cancel_reason=cancellation.reason,
            erp_state=sale.state,
            cancel_refused=None,
        )
        timeline.record(
            conn,
            hub_id,
            "cancelled",
            at=timestamp(cancellation.cancelled_at),
            detail={
                "reason": cancellation.reason,
                "erp_number": sale.number,
                "erp_state": sale.state,
                "erp_reference": sale.reference,
            },
        )
        self._record_change(conn, source, hub_id, cancellation, before)
        # The warehouse's facts of the order say cancelled (docs/order-facts.md).
        order_facts.mark_cancelled(conn, hub_id, timestamp(cancellation.cancelled_at))
        if self.mail is not None:
            reason = {"reason": cancellation.reason} if cancellation.reason else {}
            self.mail.send(conn, hub_id, "cancelled", facts=reason, channel=source)
        if sale.changed:
            log.info("cancelled ERP sale %s (%s)", sale.number, sale.reference)

    @staticmethod
    def _record_change(
        conn: Connection,
        source: str,
        hub_id: str,
        cancellation: Cancellation,
        before: tuple[str | None, dict[str, Any]],
    ) -> None:
        """The cancellation as a fact (docs/order-changes.md), once per order."""
        after = changes.known(conn, hub_id)
        change = changes.cancellation_change(source, cancellation, before=before, after=after)
        changes.record(conn, hub_id, change)
