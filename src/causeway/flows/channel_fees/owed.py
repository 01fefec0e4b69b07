"""Refunds still owed: an order whose refund the ERP could not book is asked about again.

A refund that fails when it is first booked (the order's fees booked late, after the
refunds poll had passed the refund) would otherwise never be asked about again: the
order's fees link exists, so it is not pending, and the poll does not name it again. So
a failure leaves a marker, a link of its own type in the ERP system on the order's hub id
(external id: the order's reference; fingerprint: which refunds are owed, by kind:
"refund 2; claim 1"). Every run
reads the markers in one query and books those orders' refunds again; the marker goes in
the transaction after the refunds are all booked. The warehouse reads only the fees and
fees-refund links, so a marker changes no figure.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from causeway.engine import links
from causeway.engine.links import Link
from causeway.model.ports.fees import FeeRefund

# Link type: an order with a refund of fees the ERP has not booked yet.
REFUND_OWED = "fees-refund-owed"
# What is owed when the ERP could not even say which refunds it has booked.
UNKNOWN = "refunds not read"


def describe(refunds: Sequence[FeeRefund]) -> str:
    """The marker's fingerprint, per kind: "refund 2", "refunds 2, 3", "refund 2; claim 1"
    (it fits the 128 characters)."""
    if not refunds:
        return UNKNOWN
    numbers: dict[str, list[int]] = {}
    for refund in refunds:
        numbers.setdefault(refund.kind, []).append(refund.number)
    parts = [
        f"{kind if len(each) == 1 else kind + 's'} {', '.join(map(str, each))}"
        for kind, each in numbers.items()
    ]
    return "; ".join(parts)[:128]


def mark(conn: Connection, *, target: str, hub_id: str, reference: str, owed: str) -> None:
    links.save(
        conn,
        hub_id=hub_id,
        system=target,
        entity_type=REFUND_OWED,
        external_id=reference,
        fingerprint=owed,
    )


def clear(conn: Connection, *, target: str, reference: str) -> None:
    links.remove(conn, target, REFUND_OWED, reference)


def marked(conn: Connection, target: str) -> dict[str, Link]:
    """hub id -> its marker: every order with a refund still owed (few: failures)."""
    return {link.hub_id: link for link in links.all_of_type(conn, target, REFUND_OWED).values()}
