"""Golden records and their blocking keys in the hub's database.

Writes are guarded by the record's version: two workers that read the same record
and both write it would lose one update, so the second write fails and its job is
retried against the fresh record.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from causeway.customers.record import GoldenRecord
from causeway.engine.links import new_hub_id
from causeway.engine.schema import customer_keys, customers
from causeway.engine.store import now
from causeway.errors import PermanentError, RetryableError


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
