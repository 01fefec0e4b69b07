"""What the hub itself knows of a portal company's orders, for its history pages
(web/portal/pages/orders.py): its checkouts (the portal's own record of each order,
also before or without an ERP sale: waiting for approval, refused, failed) and the
timeline of the order behind an ERP sale. Reads only; the checkout owns its rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from causeway.engine import timeline
from causeway.engine.schema import links, portal_checkouts
from causeway.engine.store import Store
from causeway.engine.timeline import Milestone

SALE = "sale"  # the ERP sale's link on an order's hub id (orders/record.py)


@dataclass(frozen=True)
class CheckoutRecord:
    checkout_id: int
    reference: str  # the ERP sale's reference: portal.reference_prefix + its number
    state: str
    po_number: str | None
    currency: str
    total: Decimal
    created_at: float
    sale_id: int | None
    erp_number: str | None
    hold_reason: str | None


def company_checkouts(store: Store, company_id: int, limit: int = 200) -> list[CheckoutRecord]:
    """The company's checkouts, newest first."""
    with store.read() as conn:
        rows = conn.execute(
            select(portal_checkouts)
            .where(portal_checkouts.c.company_id == company_id)
            .order_by(portal_checkouts.c.created_at.desc(), portal_checkouts.c.id.desc())
            .limit(limit)
        ).all()
    return [
        CheckoutRecord(
            checkout_id=r.id,
            reference=r.reference,
            state=r.state,
            po_number=r.po_number,
            currency=r.currency,
            total=Decimal(r.total),
            created_at=r.created_at,
            sale_id=r.sale_id,
            erp_number=r.erp_number,
            hold_reason=r.hold_reason,
        )
        for r in rows
    ]


def sale_timelines(store: Store, erp: str, sale_ids: Sequence[int]) -> dict[int, list[Milestone]]:
    """ERP sale id -> the milestones of the hub's order of it (sales the hub has no order
    of are left out), in two queries."""
    if not sale_ids:
        return {}
    with store.read() as conn:
        rows = conn.execute(
            select(links.c.external_id, links.c.hub_id).where(
                links.c.system == erp,
                links.c.entity_type == SALE,
                links.c.external_id.in_([str(i) for i in sale_ids]),
            )
        ).all()
        hub_of = {int(r.external_id): r.hub_id for r in rows}
        reached = timeline.read_many(conn, sorted(set(hub_of.values())))
    return {sale_id: reached.get(hub_id, []) for sale_id, hub_id in hub_of.items()}
