"""Cases the hub opens by itself: an order a person must look at becomes a CRM ticket,
once per order and reason.

Today one reason: a store cancellation the ERP refused because goods had already left
the warehouse (flows/cancellations/ keeps the refusal as `cancel_refused` on the
order's summary). The cases refresh finds such orders and queues one job per order;
the job creates the ticket on the customer's contact. The ticket carries
`causeway_case_key` = "<order hub id>:<reason>", and HubSpot is searched by it before
creating, so a crash between the create and the hub's link makes no second ticket.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from causeway.engine import entities, links
from causeway.engine.jobs import NewJob, ordering_key
from causeway.orders.record import ORDER

HUB_CASE = "hub_case"  # link: (crm, hub_case, "<order hub id>:<reason>") -> ticket id
CANCEL_REFUSED = "cancel_refused"
SUBJECTS = {CANCEL_REFUSED: "Cancellation refused: order {number}"}
INTRO = {
    CANCEL_REFUSED: (
        "The customer cancelled order {number} in the store, but the ERP refused to cancel "
        "it: {reason}\nContact the customer about a return or refund."
    )
}


def case_key(order_hub_id: str, reason: str) -> str:
    return f"{order_hub_id}:{reason}"


def open_case_job(flow: str, crm: str, order_hub_id: str, reason: str) -> NewJob:
    key = case_key(order_hub_id, reason)
    return NewJob(
        flow,
        ordering_key(crm, HUB_CASE, key),
        {"open_case": order_hub_id, "reason": reason},
        dedupe_key=f"{flow}:open:{crm}:{key}",
    )


def orders_needing_a_case(conn: Connection, crm: str) -> list[tuple[str, str]]:
    """(order hub id, reason) of orders with a reason for a case and no case yet."""
    marker = json.dumps(CANCEL_REFUSED) + ": "  # a non-null refusal is followed by a string
    due = []
    for hub_id, summary in entities.containing(conn, ORDER, marker + '"'):
        if not summary.get(CANCEL_REFUSED):
            continue
        if links.find(conn, crm, HUB_CASE, case_key(hub_id, CANCEL_REFUSED)) is None:
            due.append((hub_id, CANCEL_REFUSED))
    return due


def ticket_properties(summary: dict[str, Any], order_hub_id: str, reason: str) -> dict[str, str]:
    number = str(summary.get("number") or order_hub_id)
    return {
        "subject": SUBJECTS[reason].format(number=number),
        "content": INTRO[reason].format(number=number, reason=summary.get(reason) or ""),
        "hs_pipeline": "0",
        "hs_pipeline_stage": "1",
        "hs_ticket_priority": "HIGH",
        "causeway_order_number": number,
        "causeway_case_key": case_key(order_hub_id, reason),
    }
