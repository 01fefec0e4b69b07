"""Merging two golden records that turned out to be one person, and undoing it.

A merge keeps both records as they were, and which links moved, in merge_log: undo
puts both records and their links back exactly, so a wrong merge costs nothing but
the changes made to the surviving record after it (documented in docs/customers.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from causeway.config.customers import CustomerSettings
from causeway.customers.matching import record_keys
from causeway.customers.record import GoldenRecord
from causeway.customers.survivorship import offer
from causeway.engine import golden_records, links
from causeway.engine.golden_records import CUSTOMER
from causeway.errors import PermanentError

__all__ = ["CUSTOMER", "Merged", "merge", "undo"]


@dataclass(frozen=True)
class Merged:
    merge_id: int
    changed: dict[str, Any]  # survivor fields whose value the merge changed
    moved_systems: frozenset[str]  # systems whose customer now belongs to the survivor


def merge(
    conn: Connection, survivor_id: str, merged_id: str, reason: str, settings: CustomerSettings
) -> Merged:
    """Fold `merged_id` into `survivor_id`: its values compete under the survivorship
    rules, its addresses and links move over, and its row stays, marked, for undo."""
    if survivor_id == merged_id:
        raise PermanentError(f"cannot merge customer {survivor_id} with itself")
    survivor, merged = golden_records.load(conn, survivor_id), golden_records.load(conn, merged_id)
    for customer in (survivor, merged):
        if customer.merged_into:
            raise PermanentError(
                f"customer {customer.id} was already merged into {customer.merged_into}; "
                "undo that merge first"
            )
    survivor_before = survivor.record.model_dump_json()
    moved = golden_records.customer_links(conn, merged_id)
    changed = offer(survivor.record, dict(merged.record.fields), settings)
    survivor.record.absorb(merged.record)
    golden_records.move_customer_links(conn, merged_id, survivor_id)
    merged.merged_into = survivor_id
    golden_records.save(conn, survivor)
    golden_records.save(conn, merged)
    golden_records.file_keys(conn, merged_id, set())
    golden_records.file_keys(conn, survivor_id, record_keys(survivor.record, settings))
    merge_id = golden_records.log_merge(
        conn,
        survivor_id=survivor_id,
        merged_id=merged_id,
        survivor_before=survivor_before,
        merged_before=merged.record.model_dump_json(),
        moved_links=moved,
        reason=reason,
    )
    return Merged(merge_id, changed, frozenset(system for system, _ in moved))


def undo(conn: Connection, merge_id: int, settings: CustomerSettings) -> None:
    """Restore both records and the merged record's links as they were before."""
    row = golden_records.merge_entry(conn, merge_id)
    if row is None:
        raise PermanentError(f"no merge {merge_id} in the merge log")
    if row.undone_at is not None:
        raise PermanentError(f"merge {merge_id} was already undone")
    survivor, merged = (
        golden_records.load(conn, row.survivor_id),
        golden_records.load(conn, row.merged_id),
    )
    if merged.merged_into != survivor.id or survivor.merged_into:
        raise PermanentError(
            f"merge {merge_id} cannot be undone: {survivor.id} was merged again since; "
            "undo the later merge first"
        )
    survivor.record = GoldenRecord.model_validate_json(row.survivor_before)
    merged.record = GoldenRecord.model_validate_json(row.merged_before)
    merged.merged_into = None
    golden_records.save(conn, survivor)
    golden_records.save(conn, merged)
    for system, external_id in row.moved_links:
        links.relink(conn, system, CUSTOMER, external_id, merged.id)
    golden_records.file_keys(conn, survivor.id, record_keys(survivor.record, settings))
    golden_records.file_keys(conn, merged.id, record_keys(merged.record, settings))
    golden_records.mark_undone(conn, merge_id)
