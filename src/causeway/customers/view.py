"""One golden customer as the console's customer page shows it.

What the hub recorded (read_customer): each field's golden value with the system it came
from, the survivorship rule and why that value won, the other values seen for it; the
systems' customers linked to the record; its merges, and whether each can be undone; its
orders across every store, lifetime value and RFM segment (customers/orders.py standing(),
the same computation customers-to-crm writes to the CRM contact); its CRM contact and the
service cases linked to its orders. What the CRM says now is added by view_crm.py.

A merged-away id is not shown: the caller sends people to the survivor (Moved).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from causeway.config.customers import CustomerSettings, FieldRule
from causeway.config.flows import RfmThresholds
from causeway.config.systems import HubSpotSystem
from causeway.customers import merges
from causeway.customers.crm_contact import OrderFact
from causeway.customers.orders import Standing, contact_links, order_facts, standing
from causeway.customers.record import FIELDS, FieldValue, GoldenRecord
from causeway.engine import audit, entities, golden_records, links, timeline
from causeway.engine.golden_records import CUSTOMER, MergeEntry
from causeway.engine.store import Store
from causeway.errors import PermanentError
from causeway.flows.cases.case_state import TICKET
from causeway.orders.record import ORDER
from causeway.orders.status import ShipmentView, latest_shipment

if TYPE_CHECKING:
    from causeway.config.models import CausewayConfig


# -- where the customer's data lives, from causeway.yaml ---------------------------------
@dataclass(frozen=True)
class CustomerSources:
    settings: CustomerSettings
    crm: str | None = None  # customers-to-crm's CRM: the orders and contacts it counted
    rfm: RfmThresholds = field(default_factory=RfmThresholds)
    currency: str | None = None  # lifetime value's, as customers-to-crm adds it up
    cases_crm: str | None = None  # the cases flow's CRM: the tickets it linked
    portals: Mapping[str, int] = field(default_factory=dict)  # HubSpot system -> portal id

    @classmethod
    def of(cls, config: CausewayConfig) -> CustomerSources:
        to_crm = config.flows.settings("customers-to-crm")
        cases = config.flows.settings("cases")
        portals = {
            name: system.portal_id
            for name, system in config.systems.items()
            if isinstance(system, HubSpotSystem)
        }
        return cls(
            settings=config.customers,
            crm=getattr(to_crm, "target", None) if to_crm and to_crm.enabled else None,
            rfm=getattr(to_crm, "rfm", None) or RfmThresholds(),
            currency=getattr(to_crm, "currency", None),
            cases_crm=getattr(cases, "source", None) if cases and cases.enabled else None,
            portals=portals,
        )

    def crm_url(self, crm: str, object_type: str, record_id: str) -> str | None:
        """The record in the CRM's own screens (HubSpot: 0-1 contacts, 0-5 tickets)."""
        portal = self.portals.get(crm)
        kinds = {"contact": "0-1", "ticket": "0-5"}
        if portal is None or object_type not in kinds:
            return None
        return f"https://app.hubspot.com/contacts/{portal}/record/{kinds[object_type]}/{record_id}"


# -- what the page shows -----------------------------------------------------------------
@dataclass(frozen=True)
class SeenValue:
    source: str  # a system, "merged record <id>", or "seen before"
    value: Any
    at: datetime | None = None


@dataclass(frozen=True)
class FieldView:
    name: str
    value: Any  # None: no system has given it
    source: str | None
    at: datetime | None
    rule: str  # as causeway.yaml writes it: "source: crm", "newest", "fill_empty"
    why: str  # why this value is the golden one, for people
    others: tuple[SeenValue, ...] = ()


@dataclass(frozen=True)
class MergeView:
    id: int
    merged_id: str
    into_id: str
    reason: str
    at: datetime | None
    undone_at: datetime | None
    can_undo: bool


@dataclass(frozen=True)
class OrderRow:
    store: str
    order_id: str
    channel: str
    ordered_at: datetime
    total: Decimal
    currency: str | None
    number: str | None = None
    status: str | None = None  # the timeline's (received, in_erp, shipped...)
    erp_number: str | None = None
    hub_id: str | None = None  # the hub's order entity, once the order reached the hub
    # What a caller asks about first: has it shipped (with what, tracking where), and
    # where its invoice stands. None: not yet, or the hub has not heard.
    shipment: ShipmentView | None = None
    invoice_number: str | None = None
    invoice_state: str | None = None


@dataclass(frozen=True)
class CaseRow:
    ticket_id: str
    order: str  # "<store>:<order id>" the ticket names
    url: str | None
    subject: str | None = None
    stage: str | None = None
    open: bool | None = None  # None: the CRM was not asked, or did not answer


@dataclass(frozen=True)
class CustomerView:
    id: str
    fields: tuple[FieldView, ...]
    systems: tuple[tuple[str, str], ...]  # (system, its customer id) linked to the record
    merges: tuple[MergeView, ...]
    orders: tuple[OrderRow, ...]
    standing: Standing | None
    crm: str | None
    contact_id: str | None = None
    contact_url: str | None = None
    cases: tuple[CaseRow, ...] = ()
    crm_problem: str | None = None  # why the CRM's live values are missing

    @property
    def name(self) -> str:
        by_name = {f.name: f.value for f in self.fields}
        full = " ".join(str(by_name[k]) for k in ("first_name", "last_name") if by_name.get(k))
        return full or str(by_name.get("email") or self.id)

    @property
    def open_cases(self) -> tuple[CaseRow, ...]:
        """Open ones, and those whose state the CRM did not give (not known closed)."""
        return tuple(case for case in self.cases if case.open is not False)


@dataclass(frozen=True)
class Moved:
    """The id asked for was merged into `live_id`: show that one."""

    live_id: str


# -- reading -----------------------------------------------------------------------------
def rule_text(rule: FieldRule) -> str:
    return f"source: {rule.source}" if rule.rule == "source" else rule.rule


def why_it_won(rule: FieldRule, held: FieldValue | None) -> str:
    if held is None:
        return "no system has given a value"
    if rule.rule == "source" and held.source == rule.source:
        return f"{rule.source} owns this field: its value always wins"
    if rule.rule == "source":
        return (
            f"{rule.source} owns this field but has not given it: the newest value from "
            f"another system ({held.source}) stands in"
        )
    if rule.rule == "newest":
        return f"the newest value wins: {held.source}'s"
    return f"the first value stays: {held.source} gave it first; later ones only fill a gap"


def _when(at: float | None) -> datetime | None:
    return datetime.fromtimestamp(at, UTC) if at else None


def _others(
    name: str, record: GoldenRecord, merged: list[tuple[str, GoldenRecord]]
) -> list[SeenValue]:
    """The values of a field that did not win: those the merged records held, and the
    emails, phones and addresses the record keeps from every observation."""
    golden = record.value(name)
    found: list[SeenValue] = []
    for merged_id, before in merged:
        held = before.fields.get(name)
        if held is not None and held.value != golden:
            label = f"{held.source} (record {merged_id[:8]}, merged)"
            found.append(SeenValue(label, held.value, _when(held.at)))
    kept: dict[str, list[Any]] = {
        "email": record.emails,
        "phone": record.phones,
        "address": record.addresses,
    }
    for value in kept.get(name, []):
        if value != golden and all(value != seen.value for seen in found):
            found.append(SeenValue("seen before", value))
    return found


def field_views(
    record: GoldenRecord, settings: CustomerSettings, merged: list[tuple[str, GoldenRecord]]
) -> tuple[FieldView, ...]:
    views = []
    for name in FIELDS:
        held = record.fields.get(name)
        rule = settings.rule_for(name)
        views.append(
            FieldView(
                name=name,
                value=held.value if held else None,
                source=held.source if held else None,
                at=_when(held.at) if held else None,
                rule=rule_text(rule),
                why=why_it_won(rule, held),
                others=tuple(_others(name, record, merged)),
            )
        )
    return tuple(views)


def merge_views(entries: list[MergeEntry], customer_id: str) -> tuple[MergeView, ...]:
    """Only a merge into the record itself can be undone from its page, and only while
    nothing was merged into the merged-away record since (merges.undo checks it too)."""
    return tuple(
        MergeView(
            id=e.id,
            merged_id=e.merged_id,
            into_id=e.survivor_id,
            reason=e.reason,
            at=_when(e.at),
            undone_at=_when(e.undone_at),
            can_undo=e.undone_at is None and e.survivor_id == customer_id,
        )
        for e in entries
    )


def read_customer(
    store: Store, customer_id: str, sources: CustomerSources, *, today: datetime | None = None
) -> CustomerView | Moved | None:
    """What the hub recorded of a golden customer; None: no such record."""
    with store.read() as conn:
        try:
            customer = golden_records.load(conn, customer_id)
        except PermanentError:
            return None
        if customer.merged_into:
            return Moved(golden_records.live_id(conn, customer_id))
        members = golden_records.family(conn, customer_id)
        entries = golden_records.merges_into(conn, members)
        merged = [
            (e.merged_id, GoldenRecord.model_validate_json(e.merged_before))
            for e in entries
            if e.undone_at is None
        ]
        systems = tuple(
            (link.system, link.external_id)
            for link in links.for_hub(conn, customer_id)
            if link.entity_type == CUSTOMER
        )
        crm, found, contact_id = sources.crm, None, None
        orders: tuple[OrderRow, ...] = ()
        cases: list[CaseRow] = []
        if crm is not None:
            found = standing(
                conn,
                crm,
                members,
                currency=sources.currency,
                rfm=sources.rfm,
                today=today or datetime.now(UTC),
            )
            orders = tuple(_orders(conn, crm, members))
            contacts = contact_links(conn, crm, members)
            contact_id = contacts[0].external_id if contacts else None
        if sources.cases_crm is not None:
            cases = _recorded_cases(conn, sources, sources.cases_crm, orders)
    return CustomerView(
        id=customer_id,
        fields=field_views(customer.record, sources.settings, merged),
        systems=systems,
        merges=merge_views(entries, customer_id),
        orders=orders,
        standing=found,
        crm=crm,
        contact_id=contact_id,
        contact_url=sources.crm_url(crm, "contact", contact_id) if crm and contact_id else None,
        cases=tuple(cases),
    )


def _orders(conn: Any, crm: str, members: list[str]) -> list[OrderRow]:
    """The customer's orders counted by customers-to-crm, newest first, with where each
    stands now (the hub's order record and timeline, read for all orders at once)."""
    keyed: list[tuple[OrderFact, str, str]] = []  # (fact, store, the store's order id)
    for fact in order_facts(conn, crm, members):
        store_name, order_id = fact.order_key.split(":", 1)
        keyed.append((fact, store_name, order_id))
    hub_ids: dict[str, str] = {}  # order key -> the order's hub id
    for store_name in {store_name for _, store_name, _ in keyed}:
        wanted = [order_id for _, s, order_id in keyed if s == store_name]
        for order_id, link in links.find_many(conn, store_name, ORDER, wanted).items():
            hub_ids[f"{store_name}:{order_id}"] = link.hub_id
    records = entities.get_many(conn, hub_ids.values())
    milestones = timeline.read_many(conn, list(hub_ids.values()))
    rows = []
    for fact, store_name, order_id in keyed:
        hub_id = hub_ids.get(fact.order_key)
        entity = records.get(hub_id) if hub_id else None
        summary = entity.summary if entity else {}
        reached = milestones.get(hub_id, []) if hub_id else []
        status = timeline.status(reached) if hub_id else None
        rows.append(
            OrderRow(
                store=store_name,
                order_id=order_id,
                channel=fact.channel,
                ordered_at=fact.ordered_at,
                total=fact.total,
                currency=fact.currency,
                number=summary.get("number"),
                status=status or (entity.state if entity else None),
                erp_number=summary.get("erp_number"),
                hub_id=hub_id,
                shipment=latest_shipment(reached),
                invoice_number=summary.get("invoice_number"),
                invoice_state=summary.get("invoice_state"),
            )
        )
    return sorted(rows, key=lambda r: r.ordered_at, reverse=True)


def _recorded_cases(
    conn: Any, sources: CustomerSources, crm: str, orders: tuple[OrderRow, ...]
) -> list[CaseRow]:
    """The tickets the cases flow (of `crm`) linked to the customer's orders (the CRM's
    ticket links sit on the order's hub id)."""
    cases = []
    for order in orders:
        if order.hub_id is None:
            continue
        for ticket in links.for_hub(conn, order.hub_id):
            if ticket.system == crm and ticket.entity_type == TICKET:
                cases.append(
                    CaseRow(
                        ticket_id=ticket.external_id,
                        order=order.number or f"{order.store}:{order.order_id}",
                        url=sources.crm_url(crm, "ticket", ticket.external_id),
                    )
                )
    return cases


# -- undoing a merge -----------------------------------------------------------------------
def undo_merge(
    store: Store, merge_id: int, settings: CustomerSettings, *, actor: str
) -> MergeEntry:
    """Undo a merge and record in the audit log who did it, with both records before and
    after, in the transaction that undoes it. A merge that cannot be undone is a
    PermanentError saying why; nothing changes then."""
    with store.transaction() as conn:
        entry = golden_records.merge_entry(conn, merge_id)
        if entry is None:
            raise PermanentError(f"no merge {merge_id} in the merge log")
        before = _records(conn, entry)
        merges.undo(conn, merge_id, settings)
        audit.record(
            conn,
            actor=actor,
            action="customer.merge.undo",
            subject=f"customer:{entry.survivor_id}",
            before=before,
            after=_records(conn, entry),
            note=f"merge {merge_id}: {entry.merged_id} out of {entry.survivor_id}",
        )
    return entry


def _records(conn: Any, entry: MergeEntry) -> dict[str, Any]:
    """Both customers of a merge as the audit log keeps them."""
    kept = {}
    for customer_id in (entry.survivor_id, entry.merged_id):
        customer = golden_records.load(conn, customer_id)
        kept[customer_id] = {
            "merged_into": customer.merged_into,
            "record": json.loads(customer.record.model_dump_json()),
            "systems": [list(pair) for pair in golden_records.customer_links(conn, customer_id)],
        }
    return kept


__all__ = [
    "CustomerSources",
    "CustomerView",
    "Moved",
    "read_customer",
    "undo_merge",
]
