"""Everything the store holds from one system, erased (Shopify's shop/redact, 48 hours
after a store uninstalled the app, or `causeway erase --system`).

What came from the system goes: its inbox records, the jobs keyed by its entities,
its links and cursors, the hub entities and timelines of its orders (with their
other links, such as the ERP sale's), customers-to-crm's count of its orders. A
golden customer known only through this system is emptied like an erased person; one
that other systems know too keeps their values and loses the system's. Jobs a worker
holds right now are left to finish (and counted), so run it once the system's flows
are stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, Table, delete, func, select, update

from causeway.customers.record import EMPTY_RECORD, GoldenRecord
from causeway.engine import search
from causeway.engine.jobs import RUNNING
from causeway.engine.personal_data import chunks
from causeway.engine.schema import (
    cursors,
    customer_keys,
    customers,
    entities,
    inbox,
    jobs,
    links,
    merge_log,
    monitoring,
    timeline,
)
from causeway.engine.store import Store, now

ORDER, CUSTOMER, CUSTOMER_ORDER = "order", "customer", "customer_order"
# The blocking keys a record is filed under (customers.matching.record_keys with the
# configured settings): the engine does not know the matching settings.
KeysFor = Callable[[GoldenRecord], set[str]]


def _delete_where(store: Store, table: Table, condition: Any, batch: int) -> int:
    """Delete in short transactions of `batch` rows (by primary key)."""
    key = list(table.primary_key.columns)
    removed = 0
    while True:
        with store.transaction() as conn:
            pks = conn.execute(select(*key).where(condition).limit(batch)).all()
            for pk in pks:
                conn.execute(delete(table).where(*(c == v for c, v in zip(key, pk, strict=True))))
        removed += len(pks)
        if len(pks) < batch:
            return removed


def erase_system(store: Store, system: str, keys_for: KeysFor, batch: int = 500) -> dict[str, int]:
    """Remove what `system` sent and what the hub made of it; rows per table."""
    changed: dict[str, int] = {}
    with store.read() as conn:
        system_links = conn.execute(
            select(links.c.hub_id, links.c.entity_type).where(links.c.system == system)
        ).all()
        running = conn.execute(
            select(func.count()).where(
                jobs.c.ordering_key.startswith(f"{system}:", autoescape=True),
                jobs.c.state == RUNNING,
            )
        ).scalar_one()
    order_hubs = sorted({r.hub_id for r in system_links if r.entity_type == ORDER})
    golden_ids = sorted({r.hub_id for r in system_links if r.entity_type == CUSTOMER})

    changed[inbox.name] = _delete_where(store, inbox, inbox.c.source == system, batch)
    changed[jobs.name] = _delete_where(
        store,
        jobs,
        (jobs.c.ordering_key.startswith(f"{system}:", autoescape=True)) & (jobs.c.state != RUNNING),
        batch,
    )
    changed["jobs still running (left to finish)"] = running
    for table in (entities, timeline):
        changed[table.name] = sum(
            _delete_where(store, table, table.c.hub_id.in_(chunk), batch)
            for chunk in chunks(order_hubs, batch)
        )
    # The search box's rows of those orders (the customer's name and e-mail among them).
    changed["search terms"] = 0
    for chunk in chunks(order_hubs, batch):
        with store.transaction() as conn:
            changed["search terms"] += search.forget(conn, ORDER, chunk)
    changed[links.name] = (
        sum(
            _delete_where(store, links, links.c.hub_id.in_(chunk), batch)
            for chunk in chunks(order_hubs, batch)
        )
        + _delete_where(store, links, links.c.system == system, batch)
        + _delete_where(
            store,
            links,
            (links.c.entity_type == CUSTOMER_ORDER)
            & links.c.external_id.startswith(f"{system}:", autoescape=True),
            batch,
        )
    )
    changed[customers.name] = 0
    for chunk in chunks(golden_ids, batch):
        with store.transaction() as conn:
            changed[customers.name] += _forget_system(conn, system, chunk, keys_for)
    changed[cursors.name] = _delete_where(store, cursors, cursors.c.system == system, batch)
    changed[monitoring.name] = _delete_where(
        store,
        monitoring,
        (monitoring.c.subject == f"webhooks:{system}")
        | monitoring.c.subject.startswith(f"webhook-disabled:{system}:", autoescape=True),
        batch,
    )
    return changed


def _forget_system(
    conn: Connection, system: str, customer_ids: Iterable[str], keys_for: KeysFor
) -> int:
    """Golden records the system's customers were linked to, without its values."""
    count = 0
    for row in conn.execute(select(customers).where(customers.c.id.in_(list(customer_ids)))):
        others = conn.execute(
            select(func.count()).where(links.c.hub_id == row.id, links.c.entity_type == CUSTOMER)
        ).scalar_one()
        record = GoldenRecord.model_validate_json(row.record)
        if others:
            kept = {f: v for f, v in record.fields.items() if v.source != system}
            # The lists do not say where a value came from: what survives is what the
            # remaining systems stated.
            record = GoldenRecord(fields=kept)
            record.remember({f: v.value for f, v in kept.items()})
        else:
            record = GoldenRecord()
            conn.execute(
                update(merge_log)
                .where((merge_log.c.survivor_id == row.id) | (merge_log.c.merged_id == row.id))
                .values(survivor_before=EMPTY_RECORD, merged_before=EMPTY_RECORD)
            )
        conn.execute(delete(customer_keys).where(customer_keys.c.customer_id == row.id))
        keys = keys_for(record) if record.fields else set()
        if keys:
            conn.execute(
                customer_keys.insert(), [{"key": k, "customer_id": row.id} for k in sorted(keys)]
            )
        conn.execute(
            update(customers)
            .where(customers.c.id == row.id)
            .values(record=record.model_dump_json(), version=row.version + 1, updated_at=now())
        )
        # Found from now on only by what the record still holds.
        search.note_customer(conn, row.id, record, row.merged_into)
        count += 1
    return count
