"""Golden customer records and their blocking keys in the hub's database.

Writes are guarded by the record's version: two workers that read the same record
and both write it would lose one update, so the second write fails and its job is
retried against the fresh record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from causeway.customers.record import GoldenRecord
from causeway.engine import search
from causeway.engine.links import new_hub_id
from causeway.engine.schema import customer_keys, customers, links, merge_log
from causeway.engine.store import now
from causeway.errors import PermanentError, RetryableError

CUSTOMER = "customer"  # the links table's entity type for customers


@dataclass
class StoredCustomer:
    id: str
    record: GoldenRecord
    version: int
    merged_into: str | None


def load(conn: Connection, customer_id: str) -> StoredCustomer:
    row = conn.execute(select(customers).where(customers.c.id == customer_id)).first()
    if row is None:
        raise PermanentError(f"no golden customer record {customer_id}")
    return StoredCustomer(
        row.id, GoldenRecord.model_validate_json(row.record), row.version, row.merged_into
    )


def load_many(conn: Connection, customer_ids: set[str]) -> dict[str, StoredCustomer]:
    """The live (not merged-away) records among these ids."""
    if not customer_ids:
        return {}
    rows = conn.execute(
        select(customers).where(
            customers.c.id.in_(sorted(customer_ids)), customers.c.merged_into.is_(None)
        )
    )
    return {
        row.id: StoredCustomer(
            row.id, GoldenRecord.model_validate_json(row.record), row.version, None
        )
        for row in rows
    }


def create(conn: Connection, record: GoldenRecord) -> StoredCustomer:
    stamp = now()
    customer_id = new_hub_id()
    conn.execute(
        insert(customers).values(
            id=customer_id,
            record=record.model_dump_json(),
            version=1,
            merged_into=None,
            created_at=stamp,
            updated_at=stamp,
        )
    )
    search.note_customer(conn, customer_id, record, None)
    return StoredCustomer(customer_id, record, 1, None)


def save(conn: Connection, customer: StoredCustomer) -> None:
    """Write the record back, if nobody else has since it was read."""
    result = conn.execute(
        update(customers)
        .where(customers.c.id == customer.id, customers.c.version == customer.version)
        .values(
            record=customer.record.model_dump_json(),
            version=customer.version + 1,
            merged_into=customer.merged_into,
            updated_at=now(),
        )
    )
    if result.rowcount != 1:
        raise RetryableError(f"golden customer {customer.id} changed meanwhile; trying again")
    customer.version += 1
    # What the search box finds them by: exactly what the record holds now (merged: nothing).
    search.note_customer(conn, customer.id, customer.record, customer.merged_into)


def candidates(conn: Connection, keys: set[str]) -> set[str]:
    """Ids of the customers filed under any of these blocking keys."""
    if not keys:
        return set()
    rows = conn.execute(
        select(customer_keys.c.customer_id).where(customer_keys.c.key.in_(sorted(keys)))
    )
    return {row.customer_id for row in rows}


def file_keys(conn: Connection, customer_id: str, keys: set[str]) -> None:
    """Make `keys` exactly the blocking keys of this customer."""
    held = {
        row.key
        for row in conn.execute(
            select(customer_keys.c.key).where(customer_keys.c.customer_id == customer_id)
        )
    }
    gone, new = held - keys, keys - held
    if gone:
        conn.execute(
            delete(customer_keys).where(
                customer_keys.c.customer_id == customer_id, customer_keys.c.key.in_(sorted(gone))
            )
        )
    if new:
        conn.execute(
            insert(customer_keys), [{"key": k, "customer_id": customer_id} for k in sorted(new)]
        )


def live_id(conn: Connection, customer_id: str) -> str:
    """The record a customer id stands for now, following merges."""
    seen = {customer_id}
    while True:
        merged_into = conn.execute(
            select(customers.c.merged_into).where(customers.c.id == customer_id)
        ).scalar()
        if not merged_into or merged_into in seen:
            return customer_id
        seen.add(merged_into)
        customer_id = merged_into


def family(conn: Connection, customer_id: str) -> list[str]:
    """The record and every record merged into it (directly or through another)."""
    found = [customer_id]
    frontier = [customer_id]
    while frontier:
        rows = conn.execute(select(customers.c.id).where(customers.c.merged_into.in_(frontier)))
        frontier = [r.id for r in rows if r.id not in found]
        found.extend(frontier)
    return found


# -- the merge log (customers/merges.py) ----------------------------------------------
def customer_links(conn: Connection, customer_id: str) -> list[tuple[str, str]]:
    """(system, external id) of the systems' customers linked to this record."""
    rows = conn.execute(
        select(links.c.system, links.c.external_id)
        .where(links.c.hub_id == customer_id, links.c.entity_type == CUSTOMER)
        .order_by(links.c.id)
    )
    return [(row.system, row.external_id) for row in rows]


def move_customer_links(conn: Connection, from_id: str, to_id: str) -> None:
    conn.execute(
        update(links)
        .where(links.c.hub_id == from_id, links.c.entity_type == CUSTOMER)
        .values(hub_id=to_id, updated_at=now())
    )


@dataclass(frozen=True)
class MergeEntry:
    id: int
    survivor_id: str
    merged_id: str
    survivor_before: str  # the records' JSON as they were
    merged_before: str
    moved_links: list[tuple[str, str]]  # (system, external id)
    undone_at: float | None
    reason: str = ""
    at: float | None = None  # when it was merged


def log_merge(
    conn: Connection,
    *,
    survivor_id: str,
    merged_id: str,
    survivor_before: str,
    merged_before: str,
    moved_links: list[tuple[str, str]],
    reason: str,
) -> int:
    """Keep what a merge changed, for undo; returns the merge's id."""
    return int(
        conn.execute(
            insert(merge_log)
            .values(
                survivor_id=survivor_id,
                merged_id=merged_id,
                survivor_before=survivor_before,
                merged_before=merged_before,
                moved_links=json.dumps([list(link) for link in moved_links]),
                reason=reason,
                at=now(),
                undone_at=None,
            )
            .returning(merge_log.c.id)
        ).scalar_one()
    )


def merge_entry(conn: Connection, merge_id: int) -> MergeEntry | None:
    row = conn.execute(select(merge_log).where(merge_log.c.id == merge_id)).first()
    return None if row is None else _merge_entry(row)


def merges_into(conn: Connection, survivor_ids: list[str]) -> list[MergeEntry]:
    """Every merge (undone ones too) into any of these records, newest first: a
    customer's merge history for people (the console's customer page)."""
    if not survivor_ids:
        return []
    rows = conn.execute(
        select(merge_log)
        .where(merge_log.c.survivor_id.in_(sorted(survivor_ids)))
        .order_by(merge_log.c.id.desc())
    )
    return [_merge_entry(row) for row in rows]


def _merge_entry(row: Any) -> MergeEntry:
    return MergeEntry(
        row.id,
        row.survivor_id,
        row.merged_id,
        row.survivor_before,
        row.merged_before,
        [(system, external_id) for system, external_id in json.loads(row.moved_links)],
        row.undone_at,
        row.reason,
        row.at,
    )


def mark_undone(conn: Connection, merge_id: int) -> None:
    conn.execute(update(merge_log).where(merge_log.c.id == merge_id).values(undone_at=now()))
