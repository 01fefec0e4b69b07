"""orders-to-erp: every store order becomes a confirmed ERP sales order, once.

Triggered by the store's order webhooks and by a reconciling poll that catches
anything a webhook missed; both land in the inbox first, so both take the same
path here. A batch of order jobs becomes one batched ERP call: that is where the
speed comes from. Exactly-once rests on two things: the ERP connector searches
`sale.reference` before it creates, and the link written afterwards makes every
later event for the same order no new sale: at most an edit of its lines
(order_edits.py). Every placed sale's amounts are checked against the order's
(amount_check.py).

Batches from different channels and customers run at once on every worker; what
two of them could both create, a new ERP customer, the ERP connector creates under
that customer's lock (docs/scaling.md).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from sqlalchemy import Connection

from causeway.engine import inbox as inbox_store
from causeway.engine import jobs as job_store
from causeway.engine import links
from causeway.engine.cursors import Cursor
from causeway.engine.inbox import Inbox, InboxRecord, StoredEvent
from causeway.engine.jobs import UNFINISHED, NewJob, ordering_key
from causeway.engine.links import Link
from causeway.engine.store import Store
from causeway.errors import PermanentError
from causeway.flows.base import FlowBase, Outcomes
from causeway.flows.events import json_object
from causeway.flows.orders_to_erp.amount_check import AmountCheck, record_mismatch
from causeway.flows.orders_to_erp.channel_fulfilled import by_terms
from causeway.flows.orders_to_erp.notified import (
    POLL_TOPIC,
    notified_order_id,
    polled_record,
    take_notified,
)
from causeway.flows.orders_to_erp.order_edits import (
    OrderEdits,
    is_edit,
    lines_fingerprint,
    same_second_change,
)
from causeway.model import Order
from causeway.model.ports.channel import OrderChannel
from causeway.model.ports.erp import ErpAmendments, ErpOrders, PlacedSale
from causeway.model.sale_terms import SaleTerms
from causeway.model.tax_map import TaxMap
from causeway.model.topics import ORDER_CHANGE, ORDER_CREATED, ORDER_PAID, ORDER_UPDATED
from causeway.notifications.order_mail import UNCONFIRMED, OrderMail, order_facts
from causeway.orders.record import (
    AWAITING_PAYMENT,
    CANCELLED,
    order_hub_id,
    record_awaiting_payment,
    record_cancelled_before_erp,
    record_placed,
    timestamp,
)

log = logging.getLogger("causeway.flows.orders_to_erp")

NAME = "orders-to-erp"
# The topics whose records hold an order (parse_event reads them).
ORDER_TOPICS = (ORDER_CREATED, ORDER_UPDATED, ORDER_PAID, POLL_TOPIC)
# What starts a job: those, and a notification naming an order to fetch (notified.py).
STARTED_BY = (*ORDER_TOPICS, ORDER_CHANGE)
ORDER = "order"
# Order-link fingerprints after which no event of the order is placed again.
SETTLED = ("in_erp", CANCELLED)


class SalesTarget(ErpOrders, ErpAmendments, Protocol):
    """The ERP places the orders and amends them when they are edited (order_edits.py)."""


def reference_for(prefix: str, order: Order) -> str:
    """The ERP's sale.reference: unique per store, readable by ERP users ("shop-1001")."""
    return sale_reference(prefix, order.number)


def sale_reference(prefix: str, number: str) -> str:
    return f"{prefix}{number.lstrip('#')}"


def order_job(source: str, record: InboxRecord, inbox_id: int) -> NewJob:
    return NewJob(NAME, ordering_key(source, record.entity_key), {"inbox_id": inbox_id})


def parse_event(event: StoredEvent, channel: OrderChannel) -> Order:
    """The order in a stored event, read by the channel that sent it."""
    if event.topic == POLL_TOPIC:
        return channel.order_from_polled(json_object(event))
    return channel.order_from_webhook(json_object(event))


class OrdersToErp(FlowBase[Order]):
    name = NAME
    # Batches run side by side on every worker: jobs of one order share an ordering key
    # (never two at once), and the ERP connector finds-or-creates each customer under
    # that customer's lock (model/ports/locks.py), so two batches make one new customer.
    exclusive = False
    # on_event fetches the order a notification names (an action), so edited records are
    # checked by validate_event, which only reads.
    on_event_only_reads = False

    def __init__(
        self,
        store: Store,
        inbox: Inbox,
        *,
        source: str,
        source_connector: OrderChannel,
        target: str,
        target_connector: SalesTarget,
        batch_size: int = 25,
        reference_prefix: str | None = None,
        reconcile_overlap: timedelta = timedelta(minutes=10),
        amount_check: AmountCheck | None = None,
        tax_map: TaxMap | None = None,
        terms: SaleTerms | None = None,
        mail: OrderMail | None = None,
        fulfilled_terms: SaleTerms | None = None,
    ) -> None:
        self.store = store
        self.mail = mail  # the confirmed e-mail, for channels that get e-mails
        self.inbox: Inbox = inbox
        self.source = source
        self.source_connector = source_connector
        self.target = target
        self.target_connector = target_connector
        self.batch_size = batch_size
        self.prefix = reference_prefix if reference_prefix is not None else f"{source}-"
        self.amount_check = amount_check or AmountCheck()
        self.tax_map = tax_map  # this store's taxes -> the ERP's (model/tax_map.py)
        self.terms = terms  # this store's price list, warehouse, ... (model/sale_terms.py)
        # Orders the channel fulfils itself (Amazon FBA): channel_fulfilled.py.
        self.fulfilled_terms = fulfilled_terms
        self.cursor = Cursor(store, source, "orders", reconcile_overlap, flow=NAME)
        self.edits = OrderEdits(store, source=source, target=target, connector=target_connector)

    # -- the job handler ------------------------------------------------------
    def on_run(self, payload: Mapping[str, Any]) -> None:
        self.reconcile()

    def on_event(self, event: StoredEvent) -> Order | None:
        if event.topic == ORDER_CHANGE:
            # Fetched and taken as a polled version: that record's own job places it.
            take_notified(event, self.source_connector, self.inbox)
            return None
        return parse_event(event, self.source_connector)

    def validate_event(self, event: StoredEvent) -> object:
        """on_event without its one action (a notification's fetch): reads only."""
        if event.topic == ORDER_CHANGE:
            return notified_order_id(event)
        return parse_event(event, self.source_connector)

    def on_batch(self, orders: dict[int, Order]) -> Outcomes:
        """The batch's orders: the new ones placed in one ERP call, later events of
        orders the ERP has handled one by one."""
        placed = self._already_placed([o.external_id for o in orders.values()])
        known = self.edits.known_fingerprints(placed)
        outcomes: Outcomes = {}
        to_place = {}
        for job_id, order in orders.items():
            link = placed.get(order.external_id)
            if link is not None and link.fingerprint == CANCELLED:
                outcomes[job_id] = None  # cancelled before it reached the ERP: done
            elif link is not None:
                fingerprint = known.get(order.external_id)
                outcomes[job_id] = self.guard(
                    job_id, partial(self._later_event, order, link, fingerprint)
                )
            elif order.cancelled_at:
                # First seen already cancelled: the ERP never gets it.
                outcomes[job_id] = self.guard(job_id, partial(self._record_cancelled, order))
            elif order.awaiting_payment:
                # Not paid yet: held, and placed once a paid version comes (the poll or
                # the channel's notification brings it).
                outcomes[job_id] = self.guard(job_id, partial(self._record_awaiting, order))
            else:
                to_place[job_id] = order
        if to_place:
            outcomes |= self._place(to_place)
        return outcomes

    def _already_placed(self, external_ids: list[str]) -> dict[str, Link]:
        """The orders the ERP already has: their later events are edits at most."""
        with self.store.read() as conn:
            found = links.find_many(conn, self.source, ORDER, external_ids)
        return {ext: link for ext, link in found.items() if link.fingerprint in SETTLED}

    def _later_event(self, order: Order, link: Link, known: str | None) -> None:
        if order.cancelled_at:
            # The cancellations flow carries it. The link keeps its older stamp, so that
            # should the orders/cancelled webhook be lost, the reconciling poll still
            # sees this version as new and hands it on.
            return
        stamp = timestamp(order.updated_at)
        if is_edit(order, stamp, link, known):
            self.edits.apply(order, stamp, link, reference_for(self.prefix, order))
        elif same_second_change(order, stamp, link, known):
            current = self._current_version(order)
            if current is not None and lines_fingerprint(current) != known:
                self.edits.apply(
                    current,
                    max(stamp, timestamp(current.updated_at)),
                    link,
                    reference_for(self.prefix, current),
                )
        else:
            self.edits.seen(order, stamp, link)

    def _current_version(self, order: Order) -> Order | None:
        """The order as the source holds it now; None when the source cannot say (a
        drop folder keeps no orders), and then the version the ERP has stays."""
        try:
            node = self.source_connector.order_node(order.external_id)
        except PermanentError as exc:
            log.info("order %s: no current version to compare with: %s", order.number, exc)
            return None
        return self.source_connector.order_from_polled(node)

    def _record_cancelled(self, order: Order) -> None:
        with self.store.transaction() as conn:
            record_cancelled_before_erp(
                conn,
                self.source,
                order.external_id,
                number=order.number,
                cancelled_at=order.cancelled_at,
                reason=None,
            )

    def _record_awaiting(self, order: Order) -> None:
        with self.store.transaction() as conn:
            record_awaiting_payment(conn, self.source, order)

    def _place(self, orders: dict[int, Order]) -> dict[int, BaseException | None]:
        """One ERP call per terms: the channel's, and those of orders it fulfils itself."""
        groups, refused = by_terms(orders, self.terms, self.fulfilled_terms, source=self.source)
        outcomes: dict[int, BaseException | None] = dict(refused)
        for terms, group in groups:
            outcomes |= self._place_on(group, terms)
        return outcomes

    def _place_on(
        self, orders: dict[int, Order], terms: SaleTerms | None
    ) -> dict[int, BaseException | None]:
        by_reference = {reference_for(self.prefix, o): (job_id, o) for job_id, o in orders.items()}
        # park: the connector leaves a quotation whose amounts differ unconfirmed.
        hold = self.amount_check.hold(self.source, self.target) if self.amount_check.parks else None
        try:
            results = self.target_connector.place_orders(
                [(ref, order) for ref, (_, order) in by_reference.items()],
                hold=hold,
                tax_map=self.tax_map,
                terms=terms,
            )
        except Exception as exc:  # the whole call failed: every job shares it
            return {job_id: exc for job_id in orders}
        outcomes: dict[int, BaseException | None] = {}
        placed: list[tuple[Order, str, PlacedSale]] = []
        for reference, (job_id, order) in by_reference.items():
            result = results.get(reference)
            if result is None:
                outcomes[job_id] = PermanentError(f"{self.target} gave no result for {reference}")
            elif isinstance(result, BaseException):
                outcomes[job_id] = result
            else:
                placed.append((order, reference, result))
                outcomes[job_id] = None
        self.record(placed)
        return outcomes

    def record(self, placed: Sequence[tuple[Order, str, PlacedSale]]) -> None:
        """Link each store order and its ERP sale to one hub entity: one transaction
        for the batch, so a batch costs one commit (one fsync), not one per order."""
        if not placed:
            return
        with self.store.transaction() as conn:
            for order, reference, sale in placed:
                self._record_in(conn, order, reference, sale)

    def _record_in(self, conn: Connection, order: Order, reference: str, sale: PlacedSale) -> None:
        hub_id = order_hub_id(conn, self.source, order.external_id)
        record_placed(
            conn,
            hub_id,
            order=order,
            source=self.source,
            source_type=ORDER,
            reference=reference,
            sale=sale,
            target=self.target,
            state="in_erp",
            received_at=timestamp(order.created_at),
            sale_fingerprint=sale.state,
            customer_group=self.terms.customer_group if self.terms else None,
            financial_status=str(order.financial_status),
            lines_fingerprint=lines_fingerprint(order),
            # fulfillments-to-channels confirms no shipment of such an order.
            **({"fulfilled_by_channel": True} if order.fulfilled_by_channel else {}),
        )
        if self.mail is not None and sale.state not in UNCONFIRMED:
            # In the transaction that records the sale: the e-mail exactly when the sale.
            self.mail.send(conn, hub_id, "confirmed", channel=self.source, facts=order_facts(order))
        mismatch = self.amount_check.of_sale(order, sale)
        if mismatch is not None:
            record_mismatch(
                conn,
                hub_id,
                mismatch,
                order=order.number,
                source=self.source,
                target=self.target,
                erp_number=sale.number,
                # In park mode the hub confirms no mismatching sale: a person did.
                accepted=self._decided_by_a_person(sale.state) if self.amount_check.parks else None,
            )

    def _decided_by_a_person(self, state: str) -> str:
        done = "cancelled" if state == "cancelled" else "confirmed"
        return (
            f"{done} in {self.target} by a person although its amounts differ from the "
            f"order's: accepted as the merchant's decision (on_amount_mismatch: park)"
        )

    # -- the reconciling poll -------------------------------------------------
    def _current(self, external_id: str, updated_at: datetime) -> bool:
        """The ERP has this order, or the hub holds it awaiting payment, from an event at
        least as new as `updated_at`."""
        with self.store.read() as conn:
            link = links.find(conn, self.source, ORDER, external_id)
        return (
            link is not None
            and (link.fingerprint in SETTLED or link.fingerprint == AWAITING_PAYMENT)
            and (link.remote_updated_at or 0) >= timestamp(updated_at)
        )

    def _queued(self, external_id: str, updated_at: datetime) -> bool:
        """The order waits in the queue at least as new as `updated_at`: an unfinished job
        of this flow for it, and a stored payload of that version (a webhook the hub has
        not worked off yet). That job places it; fetching it again would only slow the
        poll, and a slow poll holds up every batch while the hub is behind. Once the job
        is done the next poll looks at the order again, for the flows it starts."""
        key = ordering_key(self.source, ORDER, external_id)
        with self.store.read() as conn:
            payloads = job_store.payloads(conn, NAME, UNFINISHED, ordering_key=key)
            # By the jobs' own inbox ids: an index lookup, never a scan of the inbox.
            inbox_ids = [i for p in payloads if (i := p.get("inbox_id")) is not None]
            if not inbox_ids:
                return False
            bodies = inbox_store.bodies(conn, inbox_ids)
        # The channel reads its own payloads' stamp (a webhook's, or a polled node's).
        stamps = [self.source_connector.order_updated_at(body) for body in bodies]
        return any(stamp is not None and stamp >= updated_at for stamp in stamps)

    def reconcile(self) -> int:
        """Put every order changed since the watermark that the hub does not have
        into the inbox; returns how many were new to the inbox.

        Listing changes is cheap; only orders neither the ERP nor the queue has in
        that version are fetched in full, and they take the same inbox -> job path as
        webhooks.
        """
        seen: datetime | None = None
        fresh = 0
        for change in self.source_connector.order_changes_since(self.cursor.window_start()):
            seen = max(seen, change.updated_at) if seen else change.updated_at
            if self._current(change.external_id, change.updated_at) or self._queued(
                change.external_id, change.updated_at
            ):
                continue
            node = self.source_connector.order_node(change.external_id)
            record = polled_record(self.source, change.external_id, change.updated_at, node)
            fresh += sum(self.inbox.accept([record]))
        self.cursor.advance(seen)
        if fresh:
            log.info("reconcile found %d order events the webhooks had not delivered", fresh)
        return fresh
