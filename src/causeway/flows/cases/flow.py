"""cases: service cases are CRM tickets linked to the customer and the order they name.

Triggered by the CRM's ticket webhooks (ticket.creation, and a change of the ticket
property naming the order) and by a scheduled refresh. A ticket job finds the order
the ticket names among the hub's orders, associates the ticket with the customer's
contact (through the golden customer customers-to-crm counted the order on, else by
the order's email), and writes the order's state onto the ticket. The ticket's link
(CRM, `ticket`, id) sits on the order's hub id with a fingerprint of what was written,
so a refresh writes only tickets whose order changed. A ticket naming an order the hub
does not know is parked with that reason; replay it once the order has arrived.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from typing import Any

from causeway.customers.orders import contact_links, customer_of_order, family
from causeway.engine import links
from causeway.engine.jobs import Job, JobQueue, NewJob, ordering_key
from causeway.engine.store import Store
from causeway.errors import PermanentError, RetryableError
from causeway.flows.base import FlowBase
from causeway.flows.cases.case_state import (
    TICKET,
    find_orders,
    link_ticket,
    order_external_id,
    ticket_properties,
)
from causeway.flows.cases.hub_cases import (
    HUB_CASE,
    case_key,
    open_case_job,
    orders_needing_a_case,
)
from causeway.flows.cases.hub_cases import ticket_properties as new_case_properties
from causeway.model.ports.crm import TICKET_FIELDS, CrmTickets
from causeway.orders.record import read_summary

log = logging.getLogger("causeway.flows.cases")

NAME = "cases"


def topics(order_property: str) -> tuple[str, ...]:
    return ("ticket.creation", f"ticket.propertyChange.{order_property}")


def ticket_job(crm: str, entity_key: str, *, refresh: bool = False) -> NewJob:
    """entity_key: `ticket:<id>` as the HubSpot ingress keys ticket events. A refresh's
    job is queued once however many runs find the same ticket due."""
    ticket_id = entity_key.split(":", 1)[-1]
    dedupe = f"{NAME}:refresh:{crm}:{ticket_id}" if refresh else None
    return NewJob(
        NAME, ordering_key(crm, TICKET, ticket_id), {"ticket": ticket_id}, dedupe_key=dedupe
    )


def _fingerprint(properties: Mapping[str, str]) -> str:
    raw = json.dumps(dict(properties), sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()[:40]


class Cases(FlowBase[None]):
    name = NAME
    batch_size = 20
    exclusive = False

    def __init__(
        self,
        store: Store,
        queue: JobQueue,
        *,
        source: str,
        source_connector: CrmTickets,
        stores: Mapping[str, str],
        order_property: str = "causeway_order_number",
    ) -> None:
        self.store = store
        self.queue = queue
        self.crm_system = source
        self.crm = source_connector
        # The stores whose orders tickets name -> the sale.reference prefix orders-to-erp
        # gives each one's orders ("EU-"), by which a ticket may name the store too.
        self.stores = dict(stores)
        self.order_property = order_property
        self._properties_ready = False

    def on_run(self, payload: Mapping[str, Any]) -> None:
        self.refresh()

    def on_job(self, job: Job) -> None:
        if job.payload.get("open_case"):
            self.open_case(str(job.payload["open_case"]), str(job.payload["reason"]))
        else:
            self.sync_ticket(str(job.payload["ticket"]))

    def _ensure_properties(self) -> None:
        if not self._properties_ready:
            self.crm.ensure_fields("tickets", TICKET_FIELDS)
            self._properties_ready = True

    # -- one ticket --------------------------------------------------------------------
    def sync_ticket(self, ticket_id: str) -> bool:
        """Associate the ticket with its customer and write its order's state; True if
        anything was written."""
        self._ensure_properties()
        read = self.crm.read_tickets([ticket_id], [self.order_property, "subject"])
        ticket = next((t for t in read.results if t.id == ticket_id), None)
        if ticket is None:
            raise PermanentError(f"HubSpot ticket {ticket_id} does not exist (deleted?)")
        reference = (ticket.get(self.order_property) or "").strip()
        if not reference:
            log.info("ticket %s names no order (%s is empty)", ticket_id, self.order_property)
            return False
        with self.store.read() as conn:
            hub_id = self._order_named(conn, ticket_id, reference)
            properties = ticket_properties(conn, hub_id)
            existing = links.find(conn, self.crm_system, TICKET, ticket_id)
            fingerprint = _fingerprint(properties)
            if existing and existing.hub_id == hub_id and existing.fingerprint == fingerprint:
                return False  # associated before, and the order has not changed since
            contact_id = self._contact_of(conn, hub_id)
        self.crm.associate("tickets", ticket_id, "contacts", contact_id)
        self.crm.update_ticket(ticket_id, properties)
        with self.store.transaction() as conn:
            link_ticket(conn, self.crm_system, ticket_id, hub_id, fingerprint)
        return True

    def _order_named(self, conn: Any, ticket_id: str, reference: str) -> str:
        """The hub id of the one order the ticket's reference names."""
        found = find_orders(conn, self.stores, reference)
        if not found:
            raise PermanentError(
                f"HubSpot ticket {ticket_id} names order {reference!r} in "
                f"{self.order_property}, but the hub has no {' or '.join(sorted(self.stores))} "
                "order with that number or id; check the number, or replay this job once the "
                "order has reached the hub"
            )
        if len({hub_id for _, hub_id in found}) > 1:
            named = ", ".join(
                f"{store}'s (write {self.stores[store]}{reference.lstrip('#')})"
                for store, _ in found
            )
            raise PermanentError(
                f"HubSpot ticket {ticket_id} names order {reference!r}, which is an order "
                f"number in several stores: {named}; put the store's prefix in "
                f"{self.order_property} and replay this job"
            )
        return found[0][1]

    def _contact_of(self, conn: Any, hub_id: str) -> str:
        store, order_id = next(
            (
                (store, order_id)
                for store in self.stores
                if (order_id := order_external_id(conn, store, hub_id)) is not None
            ),
            (None, None),
        )
        customer = (
            customer_of_order(conn, self.crm_system, store, order_id)
            if store is not None and order_id is not None
            else None
        )
        if customer is not None:
            contacts = contact_links(conn, self.crm_system, family(conn, customer))
            if contacts:
                return contacts[0].external_id
        email = read_summary(conn, hub_id).get("email")
        found = self.crm.find_contact_by_email(str(email)) if email else None
        if found is None:
            # customers-to-crm has not reached this customer yet: try again later.
            raise RetryableError(
                f"the CRM has no contact yet for the customer of order {order_id} "
                f"({email or 'no email'}); customers-to-crm creates it on its next run"
            )
        return found.id

    # -- the scheduled refresh ---------------------------------------------------------
    def refresh(self) -> int:
        """Queue a ticket job for every linked case whose order's state has changed, and
        an opening job for every order that needs a case the hub has not opened."""
        with self.store.read() as conn:
            tickets = links.all_of_type(conn, self.crm_system, TICKET)
            due = [
                ticket_id
                for ticket_id, link in tickets.items()
                if link.fingerprint != _fingerprint(ticket_properties(conn, link.hub_id))
            ]
            to_open = orders_needing_a_case(conn, self.crm_system)
        self.queue.enqueue(
            *(ticket_job(self.crm_system, f"{TICKET}:{t}", refresh=True) for t in due),
            *(open_case_job(NAME, self.crm_system, hub_id, why) for hub_id, why in to_open),
        )
        return len(due) + len(to_open)

    # -- cases the hub opens itself (hub_cases.py) -------------------------------
    def open_case(self, order_hub_id: str, reason: str) -> str:
        """The ticket for this order and reason, created once; returns its id."""
        self._ensure_properties()
        key = case_key(order_hub_id, reason)
        found = self.crm.search_tickets("causeway_case_key", key, ["causeway_case_key"])
        if found:
            ticket_id = found[0].id  # created before a crash that lost our link
        else:
            with self.store.read() as conn:
                summary = read_summary(conn, order_hub_id)
                contact_id = self._contact_of(conn, order_hub_id)
            properties = new_case_properties(summary, order_hub_id, reason)
            ticket_id = self.crm.create_ticket(properties, contact_id=contact_id).id
        with self.store.transaction() as conn:
            links.save(
                conn,
                hub_id=order_hub_id,
                system=self.crm_system,
                entity_type=HUB_CASE,
                external_id=key,
                fingerprint=ticket_id,
            )
        self.sync_ticket(ticket_id)
        return ticket_id
