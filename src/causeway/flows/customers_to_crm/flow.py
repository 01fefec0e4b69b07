"""customers-to-crm: every customer who orders appears once in the CRM, with their figures.

Triggered by orders reaching the ERP, not by the store's webhooks: a scheduled run
reads the order links orders-to-erp marked `in_erp` since its cursor and queues one
job per order not yet counted (ordered by the order's key, after orders-to-erp's).
That way an order that never reaches the ERP (parked, cancelled first) is never
counted, and the CRM is fed from one place however many ways an order arrived.

A job reads the order's newest payload from the inbox with the store's connector, hands
its customer to the golden record's resolve() (so the same person across orders and
channels is one customer), counts the order on that customer, then writes the
customer's contact: one batch upsert by email for new contacts, one update by id for
linked ones, and only when the written properties' fingerprint changed. The upsert
matches by email, so a crash between it and the link write makes no second contact.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from causeway.config.customers import CustomerSettings
from causeway.config.flows import RfmThresholds
from causeway.customers import crm_contact
from causeway.customers.orders import (
    CONTACT,
    CUSTOMER_ORDER,
    MERGED,
    contact_links,
    family,
    live_id,
    newest_order_event,
    order_fact_fingerprint,
    order_key,
    orders_in_erp_since,
    standing,
)
from causeway.customers.resolve import resolve
from causeway.engine import golden_records, links, order_facts
from causeway.engine.cursors import Cursor
from causeway.engine.jobs import Job, JobQueue, NewJob, ordering_key, system_of
from causeway.engine.store import Store
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.flows.base import FlowBase, Outcomes
from causeway.flows.orders_to_erp import ORDER, ORDER_TOPICS, parse_event
from causeway.model import Order
from causeway.model.ports.channel import OrderChannel
from causeway.model.ports.crm import CONTACT_FIELDS, CrmContacts
from causeway.orders.record import timestamp

log = logging.getLogger("causeway.flows.customers_to_crm")

NAME = "customers-to-crm"


def order_job(source: str, order_id: str) -> NewJob:
    return NewJob(
        NAME,
        ordering_key(source, ORDER, order_id),
        {"order": order_id},
        dedupe_key=f"{NAME}:{source}:{order_id}",
    )


def observed_customer(order: Order) -> dict[str, Any]:
    """What the order says about its customer, in the golden record's fields."""
    customer = order.customer
    address = order.billing_address or order.shipping_address
    phone = customer.phone or (address.phone if address else None)
    if not phone and order.shipping_address:
        phone = order.shipping_address.phone
    fields: dict[str, Any] = {
        "email": customer.email,
        "phone": phone,
        "first_name": customer.first_name or None,
        "last_name": customer.last_name or None,
        "company": address.company if address else None,
    }
    if address is not None:
        fields["address"] = {
            "street": address.street or None,
            "street2": address.street2,
            "city": address.city or None,
            "postal_code": address.postal_code or None,
            "region": address.region,
            "country_code": address.country_code,
        }
    return {k: v for k, v in fields.items() if v is not None}


def channel_of(source: str, order: Order) -> str:
    """The store system, and the sales channel within it when the store says (web, pos)."""
    name = order.attribution.source_name
    return f"{source}/{name}" if name else source


class CustomersToCrm(FlowBase[str]):
    name = NAME
    # resolve() finds-or-creates golden customers: two batches at once could both
    # create the same new person.
    exclusive = True

    def __init__(
        self,
        store: Store,
        queue: JobQueue,
        *,
        sources: Mapping[str, OrderChannel],
        target: str,
        target_connector: CrmContacts,
        customers: CustomerSettings,
        rfm: RfmThresholds,
        currency: str | None = None,
        batch_size: int = 50,
        overlap: timedelta = timedelta(minutes=10),
    ) -> None:
        if not sources:
            raise ValueError("customers-to-crm needs at least one store")
        self.store = store
        self.queue = queue
        # The stores whose orders' customers reach the CRM, each read with its own
        # connector; one golden customer however many stores they buy in.
        self.sources = dict(sources)
        self.target = target
        self.crm = target_connector
        self.customers = customers
        self.rfm = rfm
        self.currency = currency  # lifetime value's (crm_contact.figures)
        self.batch_size = batch_size
        self.cursors = {
            source: Cursor(store, target, f"{NAME}:{source}", overlap, flow=NAME)
            for source in self.sources
        }
        self._properties_ready = False

    def on_run(self, payload: Mapping[str, Any]) -> None:
        self.run()

    def on_job(self, job: Job) -> str | None:
        """Count the job's order on its customer; the customers whose contact is due are
        written together (on_batch)."""
        source = system_of(job.ordering_key)
        if source not in self.sources:
            raise PermanentError(
                f"customers-to-crm job {job.id} ({job.ordering_key}) is from {source!r}, "
                f"which is not one of its stores {sorted(self.sources)}"
            )
        return self._count_order(source, str(job.payload["order"]))

    def on_batch(self, customer_of_job: dict[int, str]) -> Outcomes:
        written = self._write_contacts(set(customer_of_job.values()))
        return {job_id: written.get(customer_id) for job_id, customer_id in customer_of_job.items()}

    # -- the scheduled run: orders that reached the ERP since the cursor ---------------
    def run(self) -> int:
        """Queue a job for every order the ERP has that this flow has not counted."""
        return sum(self._run_source(source) for source in self.sources)

    def _run_source(self, source: str) -> int:
        cursor = self.cursors[source]
        start = cursor.window_start()
        with self.store.transaction() as conn:
            found = orders_in_erp_since(conn, source, start)
            keys = [order_key(source, order_id) for order_id, _ in found]
            counted = links.find_many(conn, self.target, CUSTOMER_ORDER, keys)
            due = [oid for oid, _ in found if order_key(source, oid) not in counted]
            self.queue.enqueue_in(conn, [order_job(source, oid) for oid in due])
        latest = max((at for _, at in found), default=None)
        cursor.advance(datetime.fromtimestamp(latest, UTC) if latest is not None else None)
        return len(due)

    # -- one order: its customer, resolved and credited --------------------------------
    def _count_order(self, source: str, order_id: str) -> str | None:
        """The live golden customer the order now counts for (None: it has no customer)."""
        with self.store.read() as conn:
            event = newest_order_event(conn, source, order_id, ORDER_TOPICS)
        if event is None:
            raise PermanentError(
                f"{source} order {order_id}: no order payload in the hub's inbox to "
                "read its customer from"
            )
        order = parse_event(event, self.sources[source])
        fields = observed_customer(order)
        if not fields.get("email"):
            if not fields.get("phone") and not order.customer.external_id:
                log.info("%s order %s: a guest order, nothing for the CRM", source, order.number)
                return None
            raise InvalidPayloadError(
                f"{source} order {order.number} ({order_id}): its customer has no email; "
                "HubSpot contacts are created and matched by email"
            )
        external_id = order.customer.external_id or str(fields["email"]).lower()
        with self.store.transaction() as conn:
            resolution = resolve(
                conn,
                source,
                external_id,
                fields,
                timestamp(order.updated_at),
                self.customers,
            )
            links.save(
                conn,
                hub_id=resolution.customer_id,
                system=self.target,
                entity_type=CUSTOMER_ORDER,
                external_id=order_key(source, order_id),
                fingerprint=order_fact_fingerprint(
                    order.total, channel_of(source, order), order.currency
                ),
                remote_updated_at=timestamp(order.created_at),
            )
            customer_id = live_id(conn, resolution.customer_id)
            # The warehouse's facts of the order learn their customer (docs/order-facts.md).
            placed = links.find(conn, source, ORDER, order_id)
            if placed is not None:
                order_facts.set_customer(conn, placed.hub_id, customer_id)
            return customer_id

    # -- the contacts ------------------------------------------------------------------
    def _write_contacts(self, customer_ids: set[str]) -> dict[str, BaseException | None]:
        """Write each customer's contact if it changed; customer id -> outcome."""
        outcomes: dict[str, BaseException | None] = {}
        if not self._properties_ready:
            # HubSpot refuses values for properties it does not have.
            try:
                self.crm.ensure_fields("contacts", CONTACT_FIELDS)
            except Exception as exc:
                return {customer_id: exc for customer_id in customer_ids}
            self._properties_ready = True
        new: dict[str, dict[str, str | None]] = {}  # customer id -> properties
        for customer_id in sorted(customer_ids):
            try:
                plan = self._plan(customer_id)
            except Exception as exc:
                outcomes[customer_id] = exc
                continue
            if plan is None:
                outcomes[customer_id] = None
                continue
            contact_id, properties = plan
            if contact_id is None:
                new[customer_id] = properties
                continue
            try:
                self.crm.update_contact(contact_id, properties)
                self._link(customer_id, contact_id, properties)
                outcomes[customer_id] = None
            except Exception as exc:
                outcomes[customer_id] = exc
        if new:
            outcomes |= self._upsert(new)
        return outcomes

    def _plan(self, customer_id: str) -> tuple[str | None, dict[str, str | None]] | None:
        """(the contact to update or None for a new one, its properties); None: unchanged.

        After a merge the family can hold two contacts: the older is kept, the other is
        marked merged into it (its id stays on the link, for whoever cleans the CRM up).
        """
        with self.store.transaction() as conn:
            customer = golden_records.load(conn, customer_id)
            members = family(conn, customer_id)
            found = standing(
                conn,
                self.target,
                members,
                currency=self.currency,
                rfm=self.rfm,
                today=datetime.now(UTC),
            )
            contacts = contact_links(conn, self.target, members)
            for extra in contacts[1:]:
                links.save(
                    conn,
                    hub_id=customer_id,
                    system=self.target,
                    entity_type=CONTACT,
                    external_id=extra.external_id,
                    fingerprint=f"{MERGED}{contacts[0].external_id}",
                )
                log.info(
                    "customer %s: CRM contact %s kept, %s set aside (merged customers)",
                    customer_id,
                    contacts[0].external_id,
                    extra.external_id,
                )
        if found is None:
            return None
        properties = crm_contact.contact_properties(
            customer.record.plain(), found.figures, found.segment
        )
        kept = contacts[0] if contacts else None
        if kept is not None and kept.fingerprint == crm_contact.fingerprint(properties):
            return None
        if kept is None and not properties.get("email"):
            raise PermanentError(f"golden customer {customer_id} has no email for HubSpot")
        return (kept.external_id if kept else None), properties

    def _upsert(self, new: dict[str, dict[str, str | None]]) -> dict[str, BaseException | None]:
        try:
            result = self.crm.upsert_contacts(list(new.values()))
        except Exception as exc:  # the whole call failed: every customer shares it
            return {customer_id: exc for customer_id in new}
        by_email = {str(obj.get("email") or "").lower(): obj.id for obj in result.results if obj.id}
        outcomes: dict[str, BaseException | None] = {}
        for customer_id, properties in new.items():
            contact_id = by_email.get(str(properties["email"]).lower())
            if contact_id is None:
                problems = "; ".join(e.message for e in result.errors) or "no result"
                outcomes[customer_id] = PermanentError(
                    f"HubSpot did not upsert the contact {properties['email']}: {problems}"
                )
                continue
            self._link(customer_id, contact_id, properties)
            outcomes[customer_id] = None
        return outcomes

    def _link(self, customer_id: str, contact_id: str, properties: dict[str, str | None]) -> None:
        with self.store.transaction() as conn:
            links.save(
                conn,
                hub_id=customer_id,
                system=self.target,
                entity_type=CONTACT,
                external_id=contact_id,
                fingerprint=crm_contact.fingerprint(properties),
            )
