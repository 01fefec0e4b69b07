"""A company's order history as its portal pages list it: the ERP's sales of its party
(the source of truth: state, number, amounts) beside the hub's checkouts that have no
sale yet (waiting for an approver, refused, failing), newest first, with filters.
Pure: the pages read the ERP (ErpPortalHistory) and the store (engine/portal_history.py)
and hand both here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from causeway.engine.portal_checkouts import Checkout
from causeway.engine.timeline import Milestone, status
from causeway.model.ports.portal import PartySale

# The ERP's sale states in the words a customer reads.
STATE_LABELS = {
    "draft": "Draft",
    "quotation": "Quotation",
    "confirmed": "Confirmed",
    "processing": "Processing",
    "done": "Done",
    "cancelled": "Cancelled",
}
# The hub's checkout states before the ERP has a sale (the checkout's own words).
CHECKOUT_LABELS = {
    "awaiting_approval": "Awaiting approval",
    "approved": "Approved",
    "placing": "Being placed",
    "refused": "Refused",
    "rejected": "Refused",
    "failed": "Failed",
}


@dataclass(frozen=True)
class OrderRow:
    """One line of the orders list."""

    sale_id: int | None  # None: the ERP has no sale of it (yet)
    number: str | None  # the ERP's sale number
    reference: str
    po_number: str | None
    date: dt.date | None
    state: str  # the ERP's sale state, or the checkout's before there is a sale
    state_label: str
    progress: str | None  # the hub's timeline status (shipped, invoiced, ...)
    total: Decimal
    currency: str
    is_return: bool = False
    note: str | None = None  # why a checkout waits or failed
    checkout_id: int | None = None  # the portal's checkout page, before there is a sale


def order_rows(
    sales: Sequence[PartySale],
    checkouts: Sequence[Checkout],
    timelines: Mapping[int, list[Milestone]],
) -> list[OrderRow]:
    """The ERP's sales and the checkouts the ERP has no sale of, newest first."""
    rows = [
        OrderRow(
            sale_id=sale.sale_id,
            number=sale.number,
            reference=sale.reference,
            po_number=sale.po_number,
            date=sale.sale_date,
            state=sale.state,
            state_label=STATE_LABELS.get(sale.state, sale.state.replace("_", " ").capitalize()),
            progress=status(timelines.get(sale.sale_id, [])),
            total=sale.total_amount,
            currency=sale.currency or "",
            is_return=sale.returns_sale_id is not None,
        )
        for sale in sales
    ]
    in_erp = {sale.reference for sale in sales} | {s.sale_id for s in sales}
    for checkout in checkouts:
        if checkout.reference in in_erp or checkout.sale_id in in_erp:
            continue
        rows.append(
            OrderRow(
                sale_id=None,
                number=checkout.erp_number,
                reference=checkout.reference,
                po_number=checkout.po_number,
                date=dt.datetime.fromtimestamp(checkout.created_at, dt.UTC).date(),
                state=checkout.state,
                state_label=CHECKOUT_LABELS.get(
                    checkout.state, checkout.state.replace("_", " ").capitalize()
                ),
                progress=None,
                total=checkout.total,
                currency=checkout.currency,
                note=checkout.hold_reason,
                checkout_id=checkout.id,
            )
        )
    rows.sort(key=lambda r: (r.date or dt.date.min, r.sale_id or 0), reverse=True)
    return rows


def filter_rows(rows: Sequence[OrderRow], *, state: str = "", po: str = "") -> list[OrderRow]:
    """Rows in `state` (exactly; "" for all) whose PO number contains `po` (any case)."""
    wanted = po.strip().casefold()
    return [
        r
        for r in rows
        if (not state or r.state == state)
        and (not wanted or wanted in (r.po_number or "").casefold())
    ]


def state_choices(rows: Sequence[OrderRow]) -> list[tuple[str, str]]:
    """(state, label) of the states the rows are in, for the filter."""
    seen: dict[str, str] = {}
    for row in rows:
        seen.setdefault(row.state, row.state_label)
    return sorted(seen.items(), key=lambda item: item[1])
