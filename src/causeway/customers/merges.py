"""Merging two golden records that turned out to be one person, and undoing it.

A merge keeps both records as they were, and which links moved, in merge_log: undo
puts both records and their links back exactly, so a wrong merge costs nothing but
the changes made to the surviving record after it (documented in docs/customers.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from causeway.config.customers import CustomerSettings
from causeway.customers import storage
from causeway.customers.matching import record_keys
from causeway.customers.record import GoldenRecord
from causeway.customers.survivorship import offer
from causeway.engine.schema import links, merge_log
from causeway.engine.store import now
from causeway.errors import PermanentError

CUSTOMER = "customer"  # the links table's entity type for customers


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
    survivor, merged = storage.load(conn, survivor_id), storage.load(conn, merged_id)
    for customer in (survivor, merged):
        if customer.merged_into:
            raise PermanentError(
                f"customer {customer.id} was already merged into {customer.merged_into}; "
                "undo that merge first"
            )
    survivor_before = survivor.record.model_dump_json()
    moved = [
        [row.system, row.external_id]
        for row in conn.execute(
            select(links.c.system, links.c.external_id)
            .where(links.c.hub_id == merged_id, links.c.entity_type == CUSTOMER)
            .order_by(links.c.id)
        )
    ]
    changed = offer(survivor.record, dict(merged.record.fields), settings)
    survivor.record.absorb(merged.record)
    conn.execute(
        update(links)
        .where(links.c.hub_id == merged_id, links.c.entity_type == CUSTOMER)
        .values(hub_id=survivor_id, updated_at=now())
    )
    merged.merged_into = survivor_id
    storage.save(conn, survivor)
    storage.save(conn, merged)
    storage.file_keys(conn, merged_id, set())
    storage.file_keys(conn, survivor_id, record_keys(survivor.record, settings))
    merge_id = conn.execute(
        insert(merge_log)
        .values(
            survivor_id=survivor_id,
            merged_id=merged_id,
            survivor_before=survivor_before,
            merged_before=merged.record.model_dump_json(),
            moved_links=json.dumps(moved),
            reason=reason,
            at=now(),
            undone_at=None,
        )
        .returning(merge_log.c.id)
    ).scalar_one()
    return Merged(merge_id, changed, frozenset(system for system, _ in moved))


def undo(conn: Connection, merge_id: int, settings: CustomerSettings) -> None:
    """Restore both records and the merged record's links as they were before."""
    row = conn.execute(select(merge_log).where(merge_log.c.id == merge_id)).first()
    if row is None:
        raise PermanentError(f"no merge {merge_id} in the merge log")
    if row.undone_at is not None:
        raise PermanentError(f"merge {merge_id} was already undone")
    survivor, merged = storage.load(conn, row.survivor_id), storage.load(conn, row.merged_id)
    if merged.merged_into != survivor.id or survivor.merged_into:
        raise PermanentError(
            f"merge {merge_id} cannot be undone: {survivor.id} was merged again since; "
            "undo the later merge first"
        )
    survivor.record = GoldenRecord.model_validate_json(row.survivor_before)
    merged.record = GoldenRecord.model_validate_json(row.merged_before)
    merged.merged_into = None
    storage.save(conn, survivor)
    storage.save(conn, merged)
    for system, external_id in json.loads(row.moved_links):
        conn.execute(
            update(links)
            .where(
                links.c.system == system,
                links.c.entity_type == CUSTOMER,
                links.c.external_id == external_id,
            )
            .values(hub_id=merged.id, updated_at=now())
        )
    storage.file_keys(conn, survivor.id, record_keys(survivor.record, settings))
    storage.file_keys(conn, merged.id, record_keys(merged.record, settings))
    conn.execute(update(merge_log).where(merge_log.c.id == merge_id).values(undone_at=now()))
