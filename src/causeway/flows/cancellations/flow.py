"""cancellations: an order cancelled in the store is cancelled in the ERP, once.

Triggered by the store's orders/cancelled webhook, and by the orders the
reconciling poll of orders-to-erp brings in (so a missed webhook is caught up:
a polled order with `cancelled_at` the hub has not handled yet is cancelled).
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

from sqlalchemy import Connection

from causeway.engine import links, timeline
from causeway.engine.inbox import Inbox, InboxRecord, StoredEvent
from causeway.engine.jobs import NewJob, ordering_key
from causeway.engine.store import Store
from causeway.errors import CausewayError, PermanentError
from causeway.flows.base import FlowBase
from causeway.flows.events import json_object
from causeway.flows.orders_to_erp import POLL_TOPIC, sale_reference
from causeway.model.ports.channel import CancellationChannel
from causeway.model.ports.erp import CancelledSale, ErpCancellations
from causeway.model.returns import Cancellation
from causeway.model.topics import ORDER_CANCELLED
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


class Cancellations(FlowBase[None]):
    name = NAME
    batch_size = 10
    exclusive = False  # one sale per job; jobs of one order already run one at a time

    def __init__(
        self,
        store: Store,
        inbox: Inbox,
        *,
        source: str,
        source_connector: CancellationChannel,
        target: str,
        target_connector: ErpCancellations,
        reference_prefix: str,
    ) -> None:
        self.store = store
        self.inbox: Inbox = inbox
        self.source = source
        self.source_connector = source_connector
        self.target = target
        self.erp = target_connector
        self.prefix = reference_prefix

    def on_event(self, event: StoredEvent) -> None:
        cancellation = (
            self._from_poll(event)
            if event.topic == POLL_TOPIC
            else self.source_connector.cancellation_from_webhook(json_object(event))
        )
        if cancellation is not None:
            self.cancel(cancellation)

    def _from_poll(self, event: StoredEvent) -> Cancellation | None:
        """The cancellation a polled order shows, if the hub has not handled it yet."""
        try:
            order = self.source_connector.order_from_polled(json_object(event))
        except CausewayError:
            return None  # orders-to-erp parks the order with the reason; once is enough
        if order.cancelled_at is None:
            return None
        with self.store.read() as conn:
            link = links.find(conn, self.source, ORDER, order.external_id)
            summary = read_summary(conn, link.hub_id) if link else {}
        if summary.get("cancelled_at") or summary.get("cancel_refused"):
            return None  # cancelled already, or parked for a person (replay the webhook job)
        return Cancellation(
            order_external_id=order.external_id,
            order_number=order.number,
            cancelled_at=order.cancelled_at,
        )

    def cancel(self, cancellation: Cancellation) -> None:
        reference = sale_reference(self.prefix, cancellation.order_number)
        try:
            result = self.erp.cancel_sale(reference)
        except PermanentError as exc:
            self._note_refusal(cancellation, exc)
            raise
        with self.store.transaction() as conn:
            if result is None:
                record_cancelled_before_erp(
                    conn,
                    self.source,
                    cancellation.order_external_id,
                    number=cancellation.order_number,
                    cancelled_at=cancellation.cancelled_at,
                    reason=cancellation.reason,
                )
                return
            self._record(conn, cancellation, result)

    def _note_refusal(self, cancellation: Cancellation, error: PermanentError) -> None:
        """Keep why the ERP sale was not cancelled on the order, for people and the poll."""
        with self.store.transaction() as conn:
            link = links.find(conn, self.source, ORDER, cancellation.order_external_id)
            if link is not None:
                update_order(conn, link.hub_id, cancel_refused=str(error))

    def _record(self, conn: Connection, cancellation: Cancellation, sale: CancelledSale) -> None:
        hub_id = order_hub_id(conn, self.source, cancellation.order_external_id)
        if links.find(conn, self.source, ORDER, cancellation.order_external_id) is None:
            # The ERP had the sale but the hub had lost the link (a crash after placing).
            links.save(
                conn,
                hub_id=hub_id,
                system=self.source,
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
        if sale.changed:
            log.info("cancelled ERP sale %s (%s)", sale.number, sale.reference)
