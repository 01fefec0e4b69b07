"""What the hub itself knows of the orders behind a portal company's ERP sales, for its
history pages (web/portal/pages/orders.py): their timelines. (Its checkouts, also those
without a sale, are engine/portal_checkouts.py's of_company().)
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from causeway.engine import timeline
from causeway.engine.schema import links
from causeway.engine.store import Store
from causeway.engine.timeline import Milestone

SALE = "sale"  # the ERP sale's link on an order's hub id (orders/record.py)


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
