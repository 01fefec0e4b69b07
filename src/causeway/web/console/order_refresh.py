"""The order page's "refresh from the systems": the order as its channel, its ERP and
its customer's CRM hold it now, read live through the ports, and where each differs
from the hub's copy (orders/drift.py). It only reads, so a viewer may press it.

The systems are read side by side within `deadline` seconds (observability/live.py,
as the customer and product pages read theirs): a system that fails or does not answer
in time is shown as such (its reason, cleaned of secrets), and the others still show.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from causeway.config.systems import CRM
from causeway.customers.orders import contact_links, customer_of_order
from causeway.flows.orders_to_erp import NAME as ORDERS_TO_ERP
from causeway.flows.orders_to_erp import sale_reference
from causeway.flows.orders_to_erp.declaration import OrdersToErpFlow, reference_prefix
from causeway.hub import Hub
from causeway.model import Order
from causeway.model.ports import CrmContacts, ErpSaleReading, FulfillmentChannel, OrderChannel
from causeway.model.ports.crm import CONTACT_FIELDS
from causeway.model.ports.erp import SaleRead
from causeway.observability import live
from causeway.observability.live import ask_all
from causeway.orders.drift import Drift, channel_drift, crm_drift, erp_drift, hub_tracking
from causeway.orders.side_by_side import SideBySide, compare_live
from causeway.web.console.order_detail import OrderDetail, record_url

DEADLINE = live.DEADLINE  # seconds the systems have to answer, together
CONTACT_PROPERTIES = ("email", "firstname", "lastname", *(f.name for f in CONTACT_FIELDS))


@dataclass(frozen=True)
class SystemReading:
    """One system's answer: what it holds now and how that differs from the hub's copy."""

    system: str
    role: str  # "channel", "ERP", "CRM"
    answered: bool
    error: str | None = None  # why there is no answer
    record: str | None = None  # the record read ("sale SO17", "contact 51"); None: none
    url: str | None = None
    facts: tuple[tuple[str, str], ...] = ()
    drift: tuple[Drift, ...] = ()


@dataclass(frozen=True)
class Refresh:
    at: float
    readings: tuple[SystemReading, ...]
    # The live channel order beside the live ERP sale (None: neither side was read).
    side_by_side: SideBySide | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def drifted(self) -> bool:
        return any(r.drift for r in self.readings)


def refresh(hub: Hub, detail: OrderDetail, *, deadline: float | None = None) -> Refresh:
    """Read the order live from every system that holds it, side by side (each within
    `deadline` seconds, DEADLINE when None)."""
    reads: dict[str, tuple[str, Callable[[], Any]]] = {}
    channel = hub.connectors.get(detail.system)
    if isinstance(channel, OrderChannel) and detail.kind == "order":
        reads[detail.system] = ("channel", lambda: _read_channel(channel, detail))
    erp_system = _erp_of(hub, detail)
    erp = hub.connectors.get(erp_system) if erp_system else None
    reference = _reference(hub, detail)
    if erp_system and isinstance(erp, ErpSaleReading) and reference:
        reads[erp_system] = ("ERP", lambda: erp.read_sales([reference]).get(reference))
    email = _email(detail)
    for name, settings in hub.config.systems.items():
        crm = hub.connectors.get(name)
        if settings.kind == CRM and isinstance(crm, CrmContacts) and email:
            reads[name] = ("CRM", _contact_reader(crm, email))
    answers = ask_all(
        {name: read for name, (_, read) in reads.items()},
        deadline=DEADLINE if deadline is None else deadline,
        clean=hub.redact,
    )
    readings: list[SystemReading] = []
    live_order: Order | None = None
    live_sale: SaleRead | None = None
    read_sale = False
    for name, (role, _) in reads.items():
        answer = answers[name]
        outcome = answer.value
        if not answer.answered:
            readings.append(SystemReading(name, role, answered=False, error=answer.problem))
        elif role == "channel":
            live_order, tracking = cast(tuple[Order, set[str] | None], outcome)
            readings.append(_channel_reading(hub, detail, name, live_order, tracking))
        elif role == "ERP":
            live_sale, read_sale = outcome, True
            readings.append(_erp_reading(hub, detail, name, reference, live_sale))
        else:
            readings.append(_crm_reading(hub, detail, name, email, outcome))
    notes = []
    if erp_system is None:
        notes.append("No ERP takes this order's system's orders: nothing to read there.")
    elif reference is None:
        notes.append(f"The hub knows no sale reference for this order: {erp_system} not read.")
    side = (
        compare_live(live_order or detail.stored or detail.held_lines, live_sale)
        if read_sale or live_order is not None
        else None
    )
    return Refresh(time.time(), tuple(readings), side, tuple(notes))


def _read_channel(channel: OrderChannel, detail: OrderDetail) -> tuple[Order, set[str] | None]:
    live = channel.order_from_polled(channel.order_node(detail.external_id))
    tracking = None
    if isinstance(channel, FulfillmentChannel):
        tracking = channel.fulfillment_state(detail.external_id).tracking_numbers
    return live, tracking


def _contact_reader(crm: CrmContacts, email: str) -> Callable[[], Any]:
    return lambda: crm.find_contact_by_email(email, CONTACT_PROPERTIES)


def _erp_of(hub: Hub, detail: OrderDetail) -> str | None:
    """The ERP that holds (or would hold) the order's sale."""
    if detail.erp_record is not None:
        return detail.erp_record.system
    settings = hub.config.flows.settings(ORDERS_TO_ERP)
    if isinstance(settings, OrdersToErpFlow) and settings.channel(detail.system) is not None:
        return settings.target
    return None


def _reference(hub: Hub, detail: OrderDetail) -> str | None:
    """The sale's reference: as recorded, else the one orders-to-erp would give it."""
    recorded = detail.view["summary"].get("reference")
    if recorded:
        return str(recorded)
    prefix = reference_prefix(hub.config.flows, detail.system)
    number = detail.stored.number if detail.stored else detail.view["summary"].get("number")
    return sale_reference(prefix, str(number)) if prefix is not None and number else None


def _email(detail: OrderDetail) -> str | None:
    email = detail.view["summary"].get("email") or (
        detail.stored.customer.email if detail.stored else None
    )
    return str(email).strip().lower() if email else None


def _channel_reading(
    hub: Hub, detail: OrderDetail, name: str, live: Order, tracking: set[str] | None
) -> SystemReading:
    facts = (
        ("number", live.number),
        ("payment", live.financial_status.value),
        ("fulfilment", live.fulfillment_status or "-"),
        ("total", f"{live.total} {live.currency}"),
        ("cancelled", "yes" if live.cancelled_at else "no"),
        ("tracking", ", ".join(sorted(tracking)) if tracking else "-"),
    )
    drift = channel_drift(
        detail.stored,
        live,
        hub_tracking=hub_tracking(detail.view["timeline"]),
        live_tracking=tracking,
    )
    return SystemReading(
        name,
        "channel",
        answered=True,
        record=f"order {live.number}",
        url=record_url(hub, name, "order", detail.external_id),
        facts=facts,
        drift=tuple(drift),
    )


def _erp_reading(
    hub: Hub, detail: OrderDetail, name: str, reference: str | None, sale: SaleRead | None
) -> SystemReading:
    erp = detail.erp_record
    drift = erp_drift(
        detail.view["summary"],
        erp.external_id if erp else None,
        sale,
        hub_tracking=hub_tracking(detail.view["timeline"]),
        stored=detail.stored,
    )
    if sale is None:
        return SystemReading(
            name,
            "ERP",
            answered=True,
            record=None,
            facts=(("reference", reference or "-"),),
            drift=tuple(drift),
        )
    shipped = [
        f"{s.number or s.shipment_id} {s.state}"
        + (f" ({s.carrier or 'carrier?'} {s.tracking_number})" if s.tracking_number else "")
        for s in sale.shipments
    ]
    facts = (
        ("reference", sale.reference),
        ("state", sale.state),
        ("total", f"{sale.total_amount} {sale.currency or ''}".strip()),
        ("shipments", "; ".join(shipped) or "-"),
        (
            "invoices",
            "; ".join(f"{i.number or i.invoice_id} {i.state}" for i in sale.invoices) or "-",
        ),
    )
    return SystemReading(
        name,
        "ERP",
        answered=True,
        record=f"sale {sale.number or sale.sale_id}",
        url=record_url(hub, name, "sale", str(sale.sale_id)),
        facts=facts,
        drift=tuple(drift),
    )


def _crm_reading(
    hub: Hub, detail: OrderDetail, name: str, email: str | None, contact: Any
) -> SystemReading:
    with hub.store.read() as conn:
        customer = customer_of_order(conn, name, detail.system, detail.external_id)
        linked = contact_links(conn, name, [customer]) if customer else []
    hub_contact = linked[0].external_id if linked else None
    live_id = str(contact.id) if contact is not None else None
    # A contact the hub never linked is not drift when the hub never counted the order
    # for the CRM (customers-to-crm off, or not yet): only a difference from a link is.
    drift = crm_drift(hub_contact, live_id, email) if customer is not None else []
    if contact is None:
        return SystemReading(
            name, "CRM", answered=True, facts=(("e-mail", email or "-"),), drift=tuple(drift)
        )
    facts = tuple(
        (prop, str(contact.get(prop))) for prop in CONTACT_PROPERTIES if contact.get(prop)
    )
    return SystemReading(
        name,
        "CRM",
        answered=True,
        record=f"contact {live_id}",
        url=record_url(hub, name, "contact", str(live_id)),
        facts=facts,
        drift=tuple(drift),
    )
