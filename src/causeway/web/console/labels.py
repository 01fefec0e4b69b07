"""Where an order stands, in words: one mapping from the status codes the engine keeps
(the timeline's milestones and findings, engine/timeline.py, and the hub's own states
for an order not placed yet) to what a person reads.

The order page, the customer page and the search results all show an order's status
through `status_label` (the Jinja filter `status`), so the same code never reads two
ways on two pages.
"""

from __future__ import annotations

from causeway.engine import timeline

STATUS_LABELS: dict[str, str] = {
    "received": "received",
    "processing": "being sent on",  # a job is running for it now (web/order_view.py)
    "parked": "parked",
    "in_erp": "in the ERP",
    "allocated": "allocated",
    "partially_shipped": "partly shipped",
    "shipped": "shipped",
    "invoiced": "invoiced",
    "paid": "paid",
    "refunded": "refunded",
    "returned": "returned",
    "cancelled": "cancelled",
    timeline.AMOUNT_MISMATCH: "amounts differ",
    timeline.AMOUNTS_ACCEPTED: "amounts accepted",
}


def status_label(code: str | None) -> str:
    """A status code in words ("in_erp" -> "in the ERP"); '-' for none. A code this
    mapping does not know yet still reads as words, not as an identifier."""
    if not code:
        return "-"
    return STATUS_LABELS.get(code, code.replace("_", " "))


def step_label(code: str) -> str:
    """The same words as a heading ("In the ERP"), for the timeline's steps."""
    words = status_label(code)
    return words[:1].upper() + words[1:]
