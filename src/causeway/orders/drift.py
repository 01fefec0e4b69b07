"""Drift: where an order as a system holds it now differs from the hub's copy of it.

The console's "refresh from the systems" reads the order live from its channel, its
sale from the ERP and its customer's contact from the CRM, then asks these functions
what differs from what the hub holds: the stored order (the channel's last event), the
order's summary and links (what the flows recorded of the sale, its invoices and
shipments) and its timeline (the tracking numbers it shipped with). Each difference is
one `Drift`, values as a person reads them. Nothing here reads a system or the store.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from causeway.model import Order
from causeway.model.ports.erp import SaleRead

# Invoice states from the least advanced: a sale's invoice state is its least advanced
# invoice's, as the payments flow records it (ErpInvoices.sale_invoices).
INVOICE_PROGRESS = ("draft", "validated", "posted", "paid")
SHIPPED = ("partially_shipped", "shipped")


@dataclass(frozen=True)
class Drift:
    what: str  # "status", "total", "line WID-001", "tracking"...
    hub: str  # the hub's copy, "-" for none
    live: str  # the system's now, "-" for none


def _text(value: Any) -> str:
    if value is None or value == "" or value == set() or value == ():
        return "-"
    if isinstance(value, (set, frozenset, list, tuple)):
        return ", ".join(sorted(str(v) for v in value))
    return str(value)


def _money_differs(hub: Any, live: Any) -> bool:
    try:
        return Decimal(str(hub)) != Decimal(str(live))
    except (InvalidOperation, ValueError):
        return str(hub) != str(live)


def _quantities(order: Order | None) -> dict[str, int]:
    found: dict[str, int] = {}
    for line in order.lines if order else ():
        key = line.sku or line.title
        found[key] = found.get(key, 0) + line.quantity
    return found


def channel_drift(
    stored: Order | None,
    live: Order,
    *,
    hub_tracking: Collection[str] = (),
    live_tracking: Collection[str] | None = None,
) -> list[Drift]:
    """The channel's order now against the hub's stored copy (and the tracking numbers
    the hub shipped with against those the channel's fulfilments carry, when read)."""
    found: list[Drift] = []
    if stored is None:
        found.append(Drift("order", "-", f"{live.number} (the hub has no stored copy)"))
    else:
        for what, hub, now in (
            ("payment status", stored.financial_status.value, live.financial_status.value),
            ("fulfilment status", stored.fulfillment_status, live.fulfillment_status),
            ("cancelled", stored.cancelled_at, live.cancelled_at),
            ("currency", stored.currency, live.currency),
        ):
            if (hub or None) != (now or None):
                found.append(Drift(what, _text(hub), _text(now)))
        if stored.total != live.total:
            found.append(Drift("total", _text(stored.total), _text(live.total)))
        found.extend(_line_drift(_quantities(stored), _quantities(live)))
    if live_tracking is not None and set(hub_tracking) != set(live_tracking):
        found.append(Drift("tracking", _text(set(hub_tracking)), _text(set(live_tracking))))
    return found


def _line_drift(hub: Mapping[str, Any], live: Mapping[str, Any]) -> list[Drift]:
    return [
        Drift(f"line {key}", _text(hub.get(key)), _text(live.get(key)))
        for key in [*hub, *(k for k in live if k not in hub)]
        if _text(hub.get(key)) != _text(live.get(key))
    ]


def invoice_state(sale: SaleRead) -> str | None:
    """The least advanced invoice's state (cancelled ones left out), as the hub keeps it."""
    states = [i.state for i in sale.invoices if i.state != "cancelled"]
    known = [s for s in states if s in INVOICE_PROGRESS]
    if not states:
        return None
    return min(known, key=INVOICE_PROGRESS.index) if known else states[0]


def erp_drift(
    summary: Mapping[str, Any],
    sale_id: str | None,
    live: SaleRead | None,
    *,
    hub_tracking: Collection[str] = (),
    stored: Order | None = None,
) -> list[Drift]:
    """The ERP's sale now against what the hub recorded of it (summary: erp_number,
    erp_state, erp_total, invoice_state; the sale link's id; the tracking it shipped
    with), and its goods lines against the stored order's."""
    if live is None:
        if sale_id is not None:
            return [Drift("sale", f"{summary.get('erp_number') or sale_id}", "- (not found)")]
        return []
    if sale_id is None:
        return [Drift("sale", "- (not in the ERP, as the hub knows)", _text(live.number))]
    found: list[Drift] = []
    if sale_id != str(live.sale_id):
        found.append(Drift("sale id", sale_id, str(live.sale_id)))
    for what, hub, now in (
        ("number", summary.get("erp_number"), live.number),
        ("state", summary.get("erp_state"), live.state),
        ("invoice state", summary.get("invoice_state"), invoice_state(live)),
    ):
        if what == "invoice state" and hub is None and now is None:
            continue
        if _text(hub) != _text(now):
            found.append(Drift(what, _text(hub), _text(now)))
    if summary.get("erp_total") is not None and _money_differs(
        summary["erp_total"], live.total_amount
    ):
        found.append(Drift("total", _text(summary["erp_total"]), _text(live.total_amount)))
    shipped = {s.tracking_number for s in live.shipments if s.state == "done" and s.tracking_number}
    if set(hub_tracking) != shipped:
        found.append(Drift("tracking", _text(set(hub_tracking)), _text(shipped)))
    if stored is not None:
        goods: dict[str, Any] = {}
        for line in live.lines:
            if line.service:
                continue
            key = line.sku or line.description
            goods[key] = goods.get(key, Decimal(0)) + line.quantity
        ordered = {k: Decimal(v) for k, v in _quantities(stored).items()}
        found.extend(
            _line_drift(
                {k: _normal(v) for k, v in ordered.items()},
                {k: _normal(v) for k, v in goods.items()},
            )
        )
    return found


def _normal(quantity: Decimal) -> str:
    return format(quantity.normalize(), "f")


def crm_drift(hub_contact: str | None, live_contact: str | None, email: str | None) -> list[Drift]:
    """The CRM's contact for the order's e-mail against the contact the hub linked."""
    if hub_contact == live_contact:
        return []
    if live_contact is None:
        return [Drift("contact", _text(hub_contact), f"- (none for {email or 'no e-mail'})")]
    return [Drift("contact", _text(hub_contact), live_contact)]


def hub_tracking(timeline: list[Mapping[str, Any]]) -> set[str]:
    """The tracking numbers the hub recorded the order shipped with (its timeline)."""
    return {
        str(m["detail"]["tracking_number"])
        for m in timeline
        if m.get("milestone") in SHIPPED and (m.get("detail") or {}).get("tracking_number")
    }
