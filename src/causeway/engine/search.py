"""The search box's index, kept as the engine writes, and the search itself.

Every write that gives an order, a customer or a product something to be found by calls
a `note_*` function below in its own transaction (engine/entities.py for order
summaries, engine/links.py for ids in each system, engine/timeline.py for tracking and
invoice numbers, engine/golden_records.py for customers), so the index is never behind
the store. Terms only accumulate for orders (an order keeps being found by the email it
was placed with); a customer's terms are replaced on every save, and a customer merged
into another leaves the index (its emails and phones are the survivor's now).

`search()` looks each reading of the query up twice, exactly and as a prefix, both
through the primary key of `search_terms` (a range, never LIKE: no wildcard to escape
and on both databases the same plan, see engine/schema.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, and_, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from causeway.customers.record import GoldenRecord
from causeway.engine.schema import (
    customers,
    entities,
    links,
    search_entries,
    search_terms,
    timeline,
)
from causeway.engine.search_terms import (
    CUSTOMER,
    DOCUMENT,
    ORDER,
    PRODUCT,
    Term,
    customer_label,
    customer_terms,
    milestone_terms,
    order_label,
    order_terms,
    product_terms,
    query_terms,
    term,
    with_shown,
)
from causeway.engine.store import Store, now

# Link entity types (engine/links.py) that the index reads: the order's own record in
# its channel (a store order, or a CRM deal that became a sale), a system's customer,
# and the SKUs stock-to-channels and catalog-to-channels publish.
ORDER_LINKS = ("order", "deal")
CUSTOMER_LINKS = ("customer",)
PRODUCT_LINKS = ("stock", "catalog")
# Results: exact matches first, then by kind in this order.
KIND_ORDER = {CUSTOMER: 0, ORDER: 1, DOCUMENT: 2, PRODUCT: 3}
MAX_LIMIT = 100


@dataclass(frozen=True)
class Hit:
    kind: str  # order, customer, product or document (a document opens its order)
    key: str
    label: str
    url: str
    exact: bool
    field: str  # which of its values matched: email, number, tracking, invoice, SKU...
    shown: str  # that value as written
    system: str | None = None  # an order's channel


# -- keeping the index ------------------------------------------------------------------
def _insert(conn: Connection) -> Any:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


def add_terms(conn: Connection, found: Iterable[Term]) -> None:
    """Insert these terms; those already there stay as they are."""
    rows = [t.__dict__ for t in sorted(set(found))]
    if rows:
        statement = _insert(conn)(search_terms).on_conflict_do_nothing(
            index_elements=["term", "kind", "key", "field"]
        )
        conn.execute(statement, rows)


def _entry(
    conn: Connection,
    kind: str,
    key: str,
    *,
    label: str | None = None,
    system: str | None = None,
    external_id: str | None = None,
) -> None:
    """Create the entry, or set its label, or its page when it has none yet."""
    insert = _insert(conn)(search_entries).values(
        kind=kind,
        key=key,
        label=label or "",
        system=system,
        external_id=external_id,
        updated_at=now(),
    )
    if label is not None:
        statement = insert.on_conflict_do_update(
            index_elements=["kind", "key"],
            set_={"label": insert.excluded.label, "updated_at": insert.excluded.updated_at},
        )
    elif system is not None:
        statement = insert.on_conflict_do_update(
            index_elements=["kind", "key"],
            set_={"system": insert.excluded.system, "external_id": insert.excluded.external_id},
            where=search_entries.c.system.is_(None),
        )
    else:
        statement = insert.on_conflict_do_nothing(index_elements=["kind", "key"])
    conn.execute(statement)


def note_order(conn: Connection, hub_id: str, summary: Mapping[str, Any]) -> None:
    """An order's summary was written (engine/entities.py)."""
    add_terms(conn, order_terms(hub_id, summary))
    _entry(conn, ORDER, hub_id, label=order_label(summary))


def note_milestone(
    conn: Connection, hub_id: str, milestone: str, detail: Mapping[str, Any]
) -> None:
    """An order reached a milestone (engine/timeline.py): its tracking, invoice numbers."""
    add_terms(conn, milestone_terms(hub_id, milestone, detail))


def note_link(
    conn: Connection, hub_id: str, system: str, entity_type: str, external_id: str
) -> None:
    """A new link (engine/links.py): an order's or a customer's id in a system, a SKU."""
    if entity_type in ORDER_LINKS + CUSTOMER_LINKS:
        kind = ORDER if entity_type in ORDER_LINKS else CUSTOMER
        if found := with_shown(term(external_id, kind, hub_id, "id"), f"{external_id} in {system}"):
            add_terms(conn, [found])
        if kind == ORDER:
            _entry(conn, ORDER, hub_id, system=system, external_id=external_id)
    elif entity_type in PRODUCT_LINKS:
        note_products(conn, [external_id])


def note_products(conn: Connection, skus: Iterable[str]) -> None:
    """SKUs the hub has seen (published, sold): each opens its product page."""
    wanted = sorted({s[:255] for s in skus if s and term(s, PRODUCT, s, "SKU")})
    if not wanted:
        return
    add_terms(conn, product_terms(wanted))
    # One statement for all: an order placed names SKUs the index mostly has already.
    entry = {"kind": PRODUCT, "system": None, "external_id": None, "updated_at": now()}
    rows = [{**entry, "key": sku, "label": sku} for sku in wanted]
    statement = _insert(conn)(search_entries).values(rows)
    conn.execute(statement.on_conflict_do_nothing(index_elements=["kind", "key"]))


def note_customer(
    conn: Connection, customer_id: str, record: GoldenRecord, merged_into: str | None
) -> None:
    """A golden record was saved (engine/golden_records.py): its terms become exactly
    what it holds now; a record merged into another leaves the index."""
    if merged_into:
        forget(conn, CUSTOMER, [customer_id])
        return
    ids = conn.execute(
        select(links.c.system, links.c.external_id).where(
            links.c.hub_id == customer_id, links.c.entity_type.in_(CUSTOMER_LINKS)
        )
    ).all()
    wanted = set(customer_terms(customer_id, record, [(r.system, r.external_id) for r in ids]))
    held = {
        Term(r.term, r.kind, r.key, r.field, r.shown)
        for r in conn.execute(
            select(search_terms).where(
                search_terms.c.kind == CUSTOMER, search_terms.c.key == customer_id
            )
        )
    }
    for gone in held - wanted:
        conn.execute(
            delete(search_terms).where(
                search_terms.c.term == gone.term,
                search_terms.c.kind == gone.kind,
                search_terms.c.key == gone.key,
                search_terms.c.field == gone.field,
            )
        )
    add_terms(conn, wanted - held)
    _entry(conn, CUSTOMER, customer_id, label=customer_label(record))


def forget(conn: Connection, kind: str, keys: Iterable[str]) -> int:
    """Take these records out of the index (a merged-away customer, an erased person's
    orders and records); returns the terms removed."""
    keys = sorted(set(keys))
    if not keys:
        return 0
    kinds = (ORDER, DOCUMENT) if kind == ORDER else (kind,)
    removed = 0
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        removed += conn.execute(
            delete(search_terms).where(
                search_terms.c.kind.in_(kinds), search_terms.c.key.in_(chunk)
            )
        ).rowcount
        conn.execute(
            delete(search_entries).where(
                search_entries.c.kind == kind, search_entries.c.key.in_(chunk)
            )
        )
    return removed


# -- filling the index from what the store holds (migration 0014) --------------------------
def backfill(conn: Connection, batch: int = 5000) -> int:
    """Index every order, customer and product the store already holds; returns the
    number of orders and customers indexed. Reads in batches by key, so a store of a
    million orders is never held in memory at once."""
    count = 0
    after = ""
    while rows := conn.execute(
        select(entities.c.hub_id, entities.c.summary)
        .where(entities.c.entity_type == ORDER, entities.c.hub_id > after)
        .order_by(entities.c.hub_id)
        .limit(batch)
    ).all():
        _backfill_orders(conn, {r.hub_id: _json(r.summary) for r in rows})
        count += len(rows)
        after = rows[-1].hub_id
    last_id = 0
    while rows := conn.execute(
        select(links.c.id, links.c.hub_id, links.c.system, links.c.entity_type)
        .add_columns(links.c.external_id)
        .where(links.c.id > last_id, links.c.entity_type.in_(CUSTOMER_LINKS + PRODUCT_LINKS))
        .order_by(links.c.id)
        .limit(batch)
    ).all():
        _backfill_links(conn, rows)
        last_id = rows[-1].id
    after = ""
    while golden := conn.execute(
        select(customers.c.id, customers.c.record, customers.c.merged_into)
        .where(customers.c.id > after)
        .order_by(customers.c.id)
        .limit(batch)
    ).all():
        _backfill_customers(conn, golden)
        count += len(golden)
        after = golden[-1].id
    return count


def _backfill_orders(conn: Connection, summaries: dict[str, dict[str, Any]]) -> None:
    """One batch of orders: their summaries, milestones and ids in their channel."""
    hub_ids = sorted(summaries)
    found = [t for hub_id, summary in summaries.items() for t in order_terms(hub_id, summary)]
    for r in conn.execute(
        select(timeline.c.hub_id, timeline.c.milestone, timeline.c.detail).where(
            timeline.c.hub_id.in_(hub_ids)
        )
    ):
        found += milestone_terms(r.hub_id, r.milestone, _json(r.detail))
    pages: dict[str, tuple[str, str]] = {}
    for r in conn.execute(
        select(links.c.hub_id, links.c.system, links.c.external_id)
        .where(links.c.hub_id.in_(hub_ids), links.c.entity_type.in_(ORDER_LINKS))
        .order_by(links.c.id)
    ):
        pages.setdefault(r.hub_id, (r.system, r.external_id))
        if id_term := with_shown(
            term(r.external_id, ORDER, r.hub_id, "id"), f"{r.external_id} in {r.system}"
        ):
            found.append(id_term)
    add_terms(conn, found)
    stamp = now()
    rows = [
        {
            "kind": ORDER,
            "key": hub_id,
            "label": order_label(summaries[hub_id]),
            "system": pages.get(hub_id, (None, None))[0],
            "external_id": pages.get(hub_id, (None, None))[1],
            "updated_at": stamp,
        }
        for hub_id in hub_ids
    ]
    statement = _insert(conn)(search_entries).on_conflict_do_nothing(index_elements=["kind", "key"])
    conn.execute(statement, rows)


def _backfill_links(conn: Connection, rows: Sequence[Any]) -> None:
    """One batch of customer and product links, as note_link() would index each, in two
    statements rather than one per link."""
    found = []
    for r in rows:
        if r.entity_type in CUSTOMER_LINKS and (
            id_term := with_shown(
                term(r.external_id, CUSTOMER, r.hub_id, "id"), f"{r.external_id} in {r.system}"
            )
        ):
            found.append(id_term)
    add_terms(conn, found)
    note_products(conn, [r.external_id for r in rows if r.entity_type in PRODUCT_LINKS])


def _backfill_customers(conn: Connection, rows: Sequence[Any]) -> None:
    """One batch of golden records, as note_customer() would index each into an empty
    index: their ids in every system read in one query, their terms and entries written
    in one statement each. Records merged into another stay out."""
    live = {r.id: GoldenRecord.model_validate_json(r.record) for r in rows if not r.merged_into}
    if not live:
        return
    ids: dict[str, list[tuple[str, str]]] = {}
    for r in conn.execute(
        select(links.c.hub_id, links.c.system, links.c.external_id).where(
            links.c.hub_id.in_(sorted(live)), links.c.entity_type.in_(CUSTOMER_LINKS)
        )
    ):
        ids.setdefault(r.hub_id, []).append((r.system, r.external_id))
    add_terms(
        conn,
        [t for key, record in live.items() for t in customer_terms(key, record, ids.get(key, []))],
    )
    stamp = now()
    entries = [
        {
            "kind": CUSTOMER,
            "key": key,
            "label": customer_label(record),
            "system": None,
            "external_id": None,
            "updated_at": stamp,
        }
        for key, record in live.items()
    ]
    insert = _insert(conn)(search_entries)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=["kind", "key"],
            set_={"label": insert.excluded.label, "updated_at": insert.excluded.updated_at},
        ),
        entries,
    )


def _json(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# -- searching --------------------------------------------------------------------------
def _after(prefix: str) -> str | None:
    """The first string after every string that starts with `prefix` (code point order)."""
    while prefix:
        following = ord(prefix[-1]) + 1
        if 0xD800 <= following <= 0xDFFF:
            following = 0xE000
        if following <= 0x10FFFF:
            return prefix[:-1] + chr(following)
        prefix = prefix[:-1]
    return None


def _lookup(conn: Connection, wanted: str, exact: bool, limit: int) -> list[Any]:
    query = select(search_terms)
    if exact:
        query = query.where(search_terms.c.term == wanted)
    else:
        bound = _after(wanted)
        query = query.where(search_terms.c.term > wanted)
        if bound is not None:
            query = query.where(search_terms.c.term < bound)
        query = query.order_by(search_terms.c.term)
    return list(conn.execute(query.limit(limit)).all())


def search(store: Store, text: object, limit: int = 20) -> list[Hit]:
    """The records `text` finds, exact matches first: [] for a query that finds
    nothing or says nothing (empty, control characters, punctuation only)."""
    readings = query_terms(text)
    limit = max(1, min(int(limit), MAX_LIMIT))
    if not readings:
        return []
    best: dict[tuple[str, str], tuple[tuple[int, int, int, int, str], Any, bool]] = {}
    with store.read() as conn:
        for exact in (True, False):
            for n, wanted in enumerate(readings):
                for row in _lookup(conn, wanted, exact, limit * 3):
                    rank = (
                        0 if exact else 1,
                        KIND_ORDER.get(row.kind, 9),
                        n,
                        len(row.term),
                        row.term,
                    )
                    target = (row.kind, row.key)
                    if target not in best or rank < best[target][0]:
                        best[target] = (rank, row, exact)
            if sum(1 for r, _, _ in best.values() if r[0] == 0) >= limit:
                break  # enough exact matches: no prefix lookup needed
        chosen = sorted(best.values(), key=lambda item: item[0])[:limit]
        shown = _entries(conn, [(row.kind, row.key) for _, row, _ in chosen])
    hits = []
    for _, row, exact in chosen:
        entry_kind = ORDER if row.kind == DOCUMENT else row.kind
        entry = shown.get((entry_kind, row.key))
        url = _url(entry_kind, row.key, entry)
        if url is None:
            continue
        label = entry.label if entry is not None and entry.label else row.shown
        hits.append(
            Hit(
                row.kind,
                row.key,
                label,
                url,
                exact,
                row.field,
                row.shown,
                system=entry.system if entry is not None else None,
            )
        )
    return hits


def _entries(conn: Connection, targets: list[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    by_kind: dict[str, set[str]] = {}
    for kind, key in targets:
        by_kind.setdefault(ORDER if kind == DOCUMENT else kind, set()).add(key)
    found = {}
    for kind, keys in by_kind.items():
        rows = conn.execute(
            select(search_entries).where(
                and_(search_entries.c.kind == kind, search_entries.c.key.in_(sorted(keys)))
            )
        )
        found.update({(r.kind, r.key): r for r in rows})
    return found


def _url(kind: str, key: str, entry: Any) -> str | None:
    """Where a result opens; None for an order the index has no page for (yet)."""
    if kind == ORDER:
        if entry is None or not entry.system or not entry.external_id:
            return None
        return f"/console/orders/{quote(entry.system, safe='')}/{quote(entry.external_id, safe='')}"
    if kind == CUSTOMER:
        return f"/console/customers/{quote(key, safe='')}"
    return f"/console/products/{quote(key, safe='')}"
