"""Stock held by the portal's own checkouts that the ERP does not have as a sale yet.

A checkout awaiting its approver, approved, or being placed is an order taken: its
units come off what the catalogue shows as available until its sale is confirmed in the
ERP (then the ERP's forecast counts them). A checkout placed, rejected or failed holds
nothing. Its `lines` are JSON: a list of objects with at least "sku" and "quantity"
(engine/portal_checkouts.py CheckoutLine.as_json).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from causeway.engine.portal_checkouts import APPROVED, AWAITING_APPROVAL, PLACING
from causeway.engine.schema import portal_checkouts
from causeway.engine.store import Store

# Placed: the ERP's forecast counts it. Rejected, failed: nothing is ordered (a failed one
# placed again by a replay holds again from then on).
HOLDING_STATES = (AWAITING_APPROVAL, APPROVED, PLACING)


def held_by_checkouts(store: Store) -> dict[str, Decimal]:
    """SKU -> units of the portal's checkouts not yet sales in the ERP, every company's."""
    with store.read() as conn:
        rows = conn.execute(
            select(portal_checkouts.c.lines).where(portal_checkouts.c.state.in_(HOLDING_STATES))
        ).all()
    held: dict[str, Decimal] = {}
    for row in rows:
        try:
            lines = json.loads(row.lines)
        except ValueError:
            continue
        for line in lines if isinstance(lines, list) else []:
            if not isinstance(line, dict) or not line.get("sku"):
                continue
            try:
                quantity = Decimal(str(line.get("quantity")))
            except InvalidOperation:
                continue
            sku = str(line["sku"])
            held[sku] = held.get(sku, Decimal(0)) + quantity
    return held
