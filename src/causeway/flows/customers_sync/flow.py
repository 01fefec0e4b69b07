"""customers-sync: the golden customer record kept in step with the CRM and the ERP.

Two inputs, one per job, both through resolve() so the survivorship rules decide:
- a HubSpot contact.propertyChange webhook of a contact the hub knows (the one
  customers-to-crm linked): the changed property, observed at HubSpot's occurredAt;
- a scheduled run reads the ERP's parties created or written since its cursor and
  queues one job per party: its email, phone and payment term, observed at the
  party's write_date. Only parties of a golden customer are kept (linked before, or
  sharing an email with one), so suppliers and staff never become customers.

After each job the systems are told: the ERP party gets the golden email and phone
(contact mechanisms), the CRM contact the golden payment terms and credit limit, plus
whatever resolve() says a system must be told because its value lost. Each write
compares with what the system holds first, so a redelivered webhook, a retried job or
a crash between the hub's commit and the write converges without a second change.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection

from causeway.config.customers import CustomerSettings
from causeway.customers.matching import blocking_keys, profile
from causeway.customers.merges import CUSTOMER
from causeway.customers.orders import CONTACT, contact_links, family, live_id
from causeway.customers.resolve import Resolution, resolve
from causeway.customers.system_fields import (
    CRM_PROPERTY,
    contact_change,
    crm_writes,
    fields_for,
)
from causeway.engine import golden_records, links
from causeway.engine.cursors import Cursor
from causeway.engine.inbox import Inbox, InboxRecord, StoredEvent
from causeway.engine.jobs import Job, JobQueue, NewJob, ordering_key
from causeway.engine.store import Store
from causeway.errors import InvalidPayloadError
from causeway.flows.base import FlowBase
from causeway.flows.events import json_object
from causeway.model.ports.crm import CUSTOMER_SYNC_FIELDS, CrmContacts
from causeway.model.ports.erp import ErpCustomers, PartyCustomer

log = logging.getLogger("causeway.flows.customers_sync")

NAME = "customers-sync"
PARTY = "party"


def contact_job(crm: str, record: InboxRecord, inbox_id: int) -> NewJob:
    """One contact.propertyChange event; ordered by its contact (`contact:<id>`)."""
    return NewJob(
        NAME,
        ordering_key(crm, record.entity_key),
        {"inbox": inbox_id},
        dedupe_key=f"{NAME}:{crm}:{record.event_id}",
    )


def party_job(erp: str, party: PartyCustomer) -> NewJob:
    stamp = party.changed_at.isoformat()
    return NewJob(
        NAME,
        ordering_key(erp, PARTY, party.id),
        {"party": party.model_dump(mode="json")},
        dedupe_key=f"{NAME}:{erp}:{party.id}:{stamp}",
    )


class CustomersSync(FlowBase[None]):
    name = NAME
    # resolve() finds-or-creates golden customers: one batch at a time.
    exclusive = True
    batch_size = 20

    def __init__(
        self,
        store: Store,
        inbox: Inbox,
        queue: JobQueue,
        *,
        erp: str,
        erp_connector: ErpCustomers,
        crm: str,
        crm_connector: CrmContacts,
        customers: CustomerSettings,
        overlap: timedelta = timedelta(minutes=10),
    ) -> None:
        self.store = store
        self.inbox: Inbox = inbox
        self.queue = queue
        self.erp_name = erp
        self.erp = erp_connector
        self.crm_name = crm
        self.crm = crm_connector
        self.customers = customers
        self.cursor = Cursor(store, erp, f"{NAME}:parties", overlap, flow=NAME)
        self._properties_ready = False

    def on_run(self, payload: Mapping[str, Any]) -> None:
        self.run()

    def on_job(self, job: Job) -> None:
        if "party" not in job.payload:
            raise InvalidPayloadError(f"{NAME} job {job.id} names neither a party nor an event")
        self._party(job.payload["party"])

    # -- the scheduled run: parties the ERP wrote since the cursor ---------------------
    def run(self) -> int:
        parties, latest = self.erp.customers_since(self.cursor.window_start())
        queued = self.queue.enqueue(*(party_job(self.erp_name, p) for p in parties))
        self.cursor.advance(latest)
        return queued

    # -- ERP -> golden -> CRM ----------------------------------------------------------
    def _party(self, raw: Mapping[str, Any]) -> None:
        try:
            party = PartyCustomer.model_validate(raw)
        except Exception as error:
            raise InvalidPayloadError(f"{self.erp_name} party job: {error}") from None
        external_id = str(party.id)
        with self.store.transaction() as conn:
            if not self._knows_party(conn, external_id, party):
                log.info("%s party %s is no customer the hub knows", self.erp_name, party.id)
                return
            resolution = resolve(
                conn,
                self.erp_name,
                external_id,
                party.observed(),
                party.changed_at.timestamp(),
                self.customers,
            )
        self._tell(resolution)

    def _knows_party(self, conn: Connection, external_id: str, party: PartyCustomer) -> bool:
        if links.find(conn, self.erp_name, CUSTOMER, external_id) is not None:
            return True
        mine = profile(party.observed(), self.customers)
        by_email = {key for key in blocking_keys(mine) if key.startswith("e:")}
        return bool(golden_records.candidates(conn, by_email))

    # -- CRM -> golden -> ERP ----------------------------------------------------------
    def validate_event(self, event: StoredEvent) -> object:
        """The CRM property change as the flow reads it; no golden record touched."""
        return contact_change(self.crm.property_change(json_object(event)))

    def on_event(self, event: StoredEvent) -> None:
        """A contact.propertyChange webhook of a contact the hub knows."""
        change = self.crm.property_change(json_object(event))
        contact_id, field, value, observed_at = contact_change(change)
        if value is None:
            log.info("contact %s: %s cleared in the CRM; no rule clears a field", contact_id, field)
            return
        with self.store.transaction() as conn:
            customer_id = self._customer_of_contact(conn, contact_id)
            if customer_id is None:
                log.info("%s contact %s is no customer the hub knows", self.crm_name, contact_id)
                return
            resolution = resolve(
                conn, self.crm_name, contact_id, {field: value}, observed_at, self.customers
            )
        self._tell(resolution)

    def _customer_of_contact(self, conn: Connection, contact_id: str) -> str | None:
        """The golden customer of a contact: linked as a customer, else as the contact
        customers-to-crm wrote (linked as a customer from now on, so resolve() finds it)."""
        known = links.find(conn, self.crm_name, CUSTOMER, contact_id)
        if known is not None:
            return known.hub_id
        written = links.find(conn, self.crm_name, CONTACT, contact_id)
        if written is None:
            return None
        customer_id = live_id(conn, written.hub_id)
        links.save(
            conn,
            hub_id=customer_id,
            system=self.crm_name,
            entity_type=CUSTOMER,
            external_id=contact_id,
        )
        return customer_id

    # -- golden -> systems -------------------------------------------------------------
    def _tell(self, resolution: Resolution) -> None:
        with self.store.read() as conn:
            customer = golden_records.load(conn, resolution.customer_id)
            linked = links.for_hub(conn, customer.id)
            kept = contact_links(conn, self.crm_name, family(conn, customer.id))
        golden = customer.record.plain()
        parties = [
            int(link.external_id)
            for link in linked
            if link.system == self.erp_name and link.entity_type == CUSTOMER
        ]
        contacts = [kept[0].external_id] if kept else []
        contacts += [
            link.external_id
            for link in linked
            if link.system == self.crm_name
            and link.entity_type == CUSTOMER
            and link.external_id not in contacts
        ]
        to_erp = fields_for(self.erp_name, self.erp_name, self.crm_name, resolution.updates)
        values = {f: golden[f] for f in to_erp if golden.get(f) is not None}
        for party_id in parties:
            written = self.erp.update_party_contact(party_id, values, self.customers.default_region)
            if written:
                log.info("%s party %s: wrote %s", self.erp_name, party_id, ", ".join(written))
        if contacts:
            to_crm = fields_for(self.crm_name, self.erp_name, self.crm_name, resolution.updates)
            self._write_contacts(contacts, golden, to_crm)

    def _write_contacts(self, ids: list[str], golden: dict[str, Any], fields: set[str]) -> None:
        if not self._properties_ready:
            # HubSpot refuses values for properties it does not have.
            self.crm.ensure_fields("contacts", CUSTOMER_SYNC_FIELDS)
            self._properties_ready = True
        props = sorted({CRM_PROPERTY[f] for f in fields if f in CRM_PROPERTY})
        held = {obj.id: obj.properties for obj in self.crm.read_contacts(ids, props).results}
        for contact_id in ids:
            if contact_id not in held:
                log.warning("%s contact %s is gone; not written", self.crm_name, contact_id)
                continue
            writes = crm_writes(golden, fields, held[contact_id], self.customers.default_region)
            if writes:
                self.crm.update_contact(contact_id, dict(writes))
                log.info("%s contact %s: wrote %s", self.crm_name, contact_id, sorted(writes))
