"""fulfillments-to-channels: what the warehouse shipped in the ERP fulfils the store order.

A scheduled poll reads the ERP's customer shipments done since its cursor and puts
each one in the inbox (the event id is the shipment, so a shipment read twice is
stored once); its job runs under the order's ordering key, after the order's own
jobs. The job fulfils exactly the shipped SKUs and quantities, with the carrier,
the tracking number and a tracking URL made from the carrier's template. A partial
shipment fulfils only its part; the ERP's back-order shipment, done later, fulfils
the rest.

Exactly once: a link per ERP shipment makes a later job for it a no-op. A crash
between the store write and the link write is covered too: the job first looks for
the shipment's tracking number among the order's fulfillments and, for a shipment
without one, for a fulfillment made after the intent it noted before writing
(fulfillment_decisions.reached_store).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection

from causeway.engine import links, timeline
from causeway.engine.cursors import Cursor
from causeway.engine.inbox import Inbox, InboxRecord, StoredEvent
from causeway.engine.jobs import NewJob, ordering_key
from causeway.engine.store import Store
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.flows.base import FlowBase
from causeway.flows.fulfillments_to_channels.decisions import (
    BY_CHANNEL,
    PENDING,
    fulfilled_by_channel,
    plan_fulfillment,
    reached_store,
    tracking_url,
)
from causeway.model.ports.channel import FulfillmentChannel, PublishedFulfillment, Tracking
from causeway.model.ports.erp import DoneShipment, ErpShipments
from causeway.notifications.order_mail import OrderMail
from causeway.orders.record import SALE, read_summary

log = logging.getLogger("causeway.flows.fulfillments_to_channels")

NAME = "fulfillments-to-channels"
TOPIC = "shipments/done"  # inbox topic of a done ERP shipment found by the poll
SHIPMENT = "shipment"  # link: ERP shipment id -> the order's hub id, fingerprint = fulfillment
FULFILLMENT = "fulfillment"  # link: store fulfillment id -> the order's hub id
ORDER = "order"


def shipment_job(record: InboxRecord, inbox_id: int) -> NewJob:
    # The poll keyed the record with an ordering key (_record): the order's when it
    # knew the order, so the job runs after the order's own jobs.
    return NewJob(NAME, record.entity_key, {"inbox_id": inbox_id})


# -- the flow ----------------------------------------------------------------
class FulfillmentsToChannels(FlowBase[None]):
    name = NAME
    batch_size = 10
    exclusive = False  # jobs of one order share its ordering key; orders run side by side

    def __init__(
        self,
        store: Store,
        inbox: Inbox,
        *,
        source: str,
        source_connector: ErpShipments,
        targets: Mapping[str, FulfillmentChannel],
        reference_prefixes: Mapping[str, str],
        release_held: Callable[[], int],
        tracking_urls: Mapping[str, str] | None = None,
        notify_customer: bool = False,
        overlap: timedelta = timedelta(minutes=5),
        mail: OrderMail | None = None,
    ) -> None:
        self.store = store
        self.mail = mail  # one shipped e-mail per shipment (docs/notifications.md)
        self.inbox: Inbox = inbox
        self.source = source
        self.erp = source_connector
        self.targets = dict(targets)
        self.prefixes = dict(reference_prefixes)
        self.release_held = release_held
        self.tracking_urls = dict(tracking_urls or {})
        self.notify_customer = notify_customer
        self.cursor = Cursor(store, source, "shipments-done", overlap, flow=NAME)

    def on_run(self, payload: Mapping[str, Any]) -> None:
        self.poll()

    # -- the poll ---------------------------------------------------------------
    def poll(self) -> int:
        """Put every store-order shipment done since the cursor in the inbox; returns how
        many were new. Their jobs run at once: finding them is this run's work."""
        since = self.cursor.window_start()
        if since is None:
            # First run: no shipment done before the hub placed its first sale can be
            # for one of its orders, so the ERP's whole shipping history is not read.
            first = self._first_sale_linked()
            if first is None:
                self.cursor.advance(None)  # a completed poll: nothing can be ours yet
                return 0
            since = first - self.cursor.overlap
        self._note_allocated(since)
        shipments, seen = self.erp.done_shipments_since(since)
        records = [r for r in map(self._record, shipments) if r is not None]
        fresh = sum(self.inbox.accept(records)) if records else 0
        self.cursor.advance(seen)
        if fresh:
            self.release_held()
            log.info("%d shipments done in %s to fulfil", fresh, self.source)
        return fresh

    def _note_allocated(self, since: datetime) -> None:
        """Orders whose stock the warehouse has reserved: the `allocated` milestone."""
        allocated, _ = self.erp.allocated_shipments_since(since)
        for shipment in allocated:
            order = self._order_of(shipment)
            if order is None:
                continue
            with self.store.transaction() as conn:
                timeline.record(conn, order[2], "allocated", detail={"shipment": shipment.number})

    def _first_sale_linked(self) -> datetime | None:
        with self.store.read() as conn:
            first = links.first_created_at(conn, self.source, SALE)
        return None if first is None else datetime.fromtimestamp(first, UTC)

    def _record(self, shipment: DoneShipment) -> InboxRecord | None:
        order = self._order_of(shipment)
        if order is None and not self._for_a_store(shipment):
            return None  # a sale keyed in the ERP: no store order to fulfil
        key = (
            ordering_key(order[0], ORDER, order[1])
            if order
            else ordering_key(self.source, SHIPMENT, shipment.id)
        )
        return InboxRecord(
            source=self.source,
            event_id=f"{SHIPMENT}:{shipment.id}",
            topic=TOPIC,
            entity_key=key,
            body=shipment.model_dump_json().encode(),
        )

    def _for_a_store(self, shipment: DoneShipment) -> bool:
        return any(
            ref is not None and ref.startswith(prefix)
            for ref in shipment.sales.values()
            for prefix in self.prefixes.values()
        )

    def _order_of(self, shipment: DoneShipment) -> tuple[str, str, str] | None:
        """(store system, order id, hub id) of the shipment's sale, if the hub linked it."""
        with self.store.read() as conn:
            for sale_id in shipment.sale_ids:
                sale = links.find(conn, self.source, SALE, str(sale_id))
                if sale is None:
                    continue
                for link in links.for_hub(conn, sale.hub_id):
                    if link.entity_type == ORDER and link.system in self.targets:
                        return link.system, link.external_id, link.hub_id
        return None

    # -- one shipment -----------------------------------------------------------
    def _load(self, event: StoredEvent) -> DoneShipment:
        try:
            return DoneShipment.model_validate_json(event.body)
        except ValidationError as exc:
            raise InvalidPayloadError(
                f"{event.topic} event {event.event_id}: not a shipment ({exc.error_count()} "
                f"problems, first: {exc.errors()[0]['msg']})"
            ) from None

    def validate_event(self, event: StoredEvent) -> object:
        """The ERP shipment as the flow reads it; nothing fulfilled."""
        return self._load(event)

    def on_event(self, event: StoredEvent) -> None:
        """Fulfil the store order with one done shipment, once."""
        shipment = self._load(event)
        with self.store.read() as conn:
            intent = links.find(conn, self.source, SHIPMENT, str(shipment.id))
        if intent is not None and not (intent.fingerprint or "").startswith(PENDING):
            return  # fulfilled already
        if len(shipment.sale_ids) > 1:
            raise PermanentError(
                f"shipment {shipment.number} holds lines of several sales "
                f"({', '.join(str(r) for r in shipment.sales.values())}): a store fulfilment "
                f"belongs to one order; split the shipment in the ERP"
            )
        found = self._order_of(shipment)
        if found is None:
            refs = ", ".join(str(r) for r in shipment.sales.values()) or "no sale"
            raise PermanentError(
                f"shipment {shipment.number} ({refs}) is for an order the hub does not know: "
                f"let orders-to-erp place it (or link it), then replay this job"
            )
        system, order_id, hub_id = found
        with self.store.read() as conn:
            by_channel = fulfilled_by_channel(read_summary(conn, hub_id))
        if by_channel:
            self._skip(shipment, hub_id)
            return
        channel = self.targets[system]
        state = channel.fulfillment_state(order_id)
        url = tracking_url(self.tracking_urls, shipment.carrier, shipment.tracking_number)
        earlier = reached_store(shipment, state, intent.fingerprint if intent else None)
        if earlier is not None:
            # An attempt that crashed before recording it got this far: record, not redo.
            complete = state.fully_fulfilled
            self._save(shipment, system, hub_id, earlier, complete, url)
            return
        plan = plan_fulfillment(shipment.lines, state, shipment.number)
        self._intend(shipment, hub_id, len(state.fulfillments))
        tracking = Tracking(shipment.carrier, shipment.tracking_number, url)
        created = channel.publish_fulfillment(
            plan.lines, tracking=tracking, notify_customer=self.notify_customer
        )
        self._save(shipment, system, hub_id, created, plan.complete, url)

    def _skip(self, shipment: DoneShipment, hub_id: str) -> None:
        """The channel shipped the order itself (Amazon FBA): the ERP's shipment, done at
        once by orders-to-erp, is confirmed to no one; its link makes a later job a no-op."""
        with self.store.transaction() as conn:
            self._link_shipment(conn, shipment, hub_id, BY_CHANNEL, done=True)
            timeline.record(
                conn,
                hub_id,
                "shipped",
                detail={"shipment": shipment.number, "fulfilled_by": "the channel"},
            )

    def _intend(self, shipment: DoneShipment, hub_id: str, fulfillments_before: int) -> None:
        """Note, before the store write, how many fulfillments the order had: a shipment
        without a tracking number is recognised after a crash as the one made after them."""
        with self.store.transaction() as conn:
            self._link_shipment(conn, shipment, hub_id, f"{PENDING}{fulfillments_before}")

    def _link_shipment(
        self,
        conn: Connection,
        shipment: DoneShipment,
        hub_id: str,
        fingerprint: str,
        *,
        done: bool = False,
    ) -> None:
        """The ERP shipment's link on the order: what became of it (`fingerprint`), and
        once `done`, the shipment's time (a later job of it is then a no-op)."""
        links.save(
            conn,
            hub_id=hub_id,
            system=self.source,
            entity_type=SHIPMENT,
            external_id=str(shipment.id),
            fingerprint=fingerprint,
            remote_updated_at=shipment.done_at.timestamp() if done else None,
        )

    def _save(
        self,
        shipment: DoneShipment,
        system: str,
        hub_id: str,
        fulfillment: PublishedFulfillment,
        complete: bool,
        url: str | None,
    ) -> None:
        """Shipment link, fulfillment link and the order's milestone in one transaction."""
        detail: dict[str, Any] = {
            "shipment": shipment.number,
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            "tracking_url": url,
            "fulfillment": fulfillment.id,
            "lines": {ln.sku: str(ln.quantity) for ln in shipment.lines},
        }
        with self.store.transaction() as conn:
            self._link_shipment(conn, shipment, hub_id, fulfillment.id, done=True)
            links.save(
                conn,
                hub_id=hub_id,
                system=system,
                entity_type=FULFILLMENT,
                external_id=fulfillment.id,
                fingerprint=shipment.number[:128],
            )
            timeline.record(
                conn, hub_id, "shipped" if complete else "partially_shipped", detail=detail
            )
            if self.mail is not None:  # one e-mail per shipment, with its tracking
                facts = {k: detail[k] for k in ("carrier", "tracking_number", "tracking_url")}
                lines = [{"sku": ln.sku, "quantity": str(ln.quantity)} for ln in shipment.lines]
                self.mail.send(
                    conn, hub_id, "shipped", occurrence=shipment.number,
                    facts=facts | {"lines": lines}, channel=system,
                )  # fmt: skip
