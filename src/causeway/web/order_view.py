"""The hub's view of one order: its id in every system and where it stands."""

from __future__ import annotations

from typing import Any

from causeway.engine import entities, inbox, links, timeline
from causeway.engine.jobs import JobQueue, ordering_key
from causeway.engine.store import Store
from causeway.flows.orders_to_erp import ORDER
from causeway.flows.quotes_to_erp import DEAL

ORDER_KINDS = (ORDER, DEAL)


def order_view(
    store: Store, jobs: JobQueue, system: str, external_id: str
) -> dict[str, Any] | None:
    with store.read() as conn:
        # An order is a store order, or a CRM deal that became an ERP sale.
        kind, link = ORDER, None
        for candidate in ORDER_KINDS:
            link = links.find(conn, system, candidate, external_id)
            if link is not None:
                kind = candidate
                break
        related = links.for_hub(conn, link.hub_id) if link else []
        entity = entities.get(conn, link.hub_id) if link else None
        milestones = timeline.read(conn, link.hub_id) if link else []
        events = inbox.deliveries(conn, system, f"{kind}:{external_id}")
    history = jobs.for_key(ordering_key(system, kind, external_id))
    if link is None and not history and not events:
        return None
    dead = next((j["last_error"] for j in reversed(history) if j["state"] == "dead"), None)
    if entity is not None:
        state = entity.state
    elif any(j["state"] == "running" for j in history):
        state = "processing"
    elif dead:
        state = "parked"
    else:
        state = "received"
    status = timeline.status(milestones) or ("parked" if state == "parked" else "received")
    amounts = _amounts(milestones)
    problem = dead if state == "parked" else None
    if status == timeline.AMOUNT_MISMATCH and amounts is not None:
        problem = amounts["reason"]
    return {
        "system": system,
        "external_id": external_id,
        "hub_id": link.hub_id if link else None,
        "state": state,
        # Where the order stands in its lifecycle (received ... shipped, paid, returned),
        # and when it reached each milestone; amount_mismatch above all of them while
        # nobody has accepted the difference.
        "status": status,
        "timeline": [m.as_dict() for m in milestones],
        "problem": problem,
        # Set when the ERP sale's amounts differ from the channel's
        # (flows/orders_to_erp/amount_check.py).
        "amounts": amounts,
        # The order's own record in each system (the first linked: the order, the sale);
        # every link, invoices included, is under "links".
        "ids": {
            link.system: {
                "entity_type": link.entity_type,
                "id": link.external_id,
                "state": link.fingerprint,
            }
            for link in reversed(related)
        },
        "links": [
            {
                "system": link.system,
                "entity_type": link.entity_type,
                "id": link.external_id,
                "state": link.fingerprint,
            }
            for link in related
        ],
        "summary": entity.summary if entity is not None else {},
        "events": [
            {"event_id": e.event_id, "topic": e.topic, "received_at": e.received_at} for e in events
        ],
        "jobs": history,
    }


def _amounts(milestones: list[timeline.Milestone]) -> dict[str, Any] | None:
    """Both breakdowns of an order found to differ, and who accepted that, if anyone."""
    entries = {m.milestone: m for m in milestones}
    found = entries.get(timeline.AMOUNT_MISMATCH)
    if found is None:
        return None
    accepted = entries.get(timeline.AMOUNTS_ACCEPTED)
    return {
        **found.detail,
        "found_at": found.at,
        "accepted": {"at": accepted.at, **accepted.detail} if accepted else None,
    }
