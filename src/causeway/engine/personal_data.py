"""One person's data in the store: finding it, exporting it, erasing it.

Finding starts from what identifies them (an email, a phone, a customer id in a
system, a golden customer id, an order id) and follows the hub's own references:
golden records (with every record merged into them), their links, the payloads
received about them or their orders, the orders' hub entities and the jobs keyed by
those orders and customers. Whatever a found record adds (another email on the
golden record, the phone on an order) is looked for in turn.

Erasing then walks every table in engine/schema.py's metadata, so a table added
later is covered too: rows that are the person's lose their personal fields and
details, and any other text that mentions one of their identifiers loses that
identifier (privacy/person.py decides what changes in a value). Rows are rewritten,
not deleted, where a flow still needs them: an order's hub entity, its links and
its jobs stay, so a later event of that order is still recognised and never placed
twice. Golden records are emptied (the row stays for the links and merges that name
it) and their matching keys deleted. Writes go in short transactions of `batch` rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    LargeBinary,
    String,
    Table,
    Text,
    and_,
    delete,
    false,
    func,
    or_,
    select,
    update,
)

from causeway.customers.record import EMPTY_RECORD
from causeway.engine.jobs import ordering_key
from causeway.engine.schema import (
    customer_keys,
    customers,
    entities,
    inbox,
    jobs,
    links,
    merge_log,
    metadata,
    search_entries,
    search_terms,
    timeline,
)
from causeway.engine.store import Store, now
from causeway.privacy.person import Person

CUSTOMER, ORDER, CUSTOMER_ORDER = "customer", "order", "customer_order"
CHUNK = 500  # ids per IN (...) list
ROUNDS = 4
# Tables that only index others (the search box's): their rows about the person go.
INDEXES = (
    search_terms,
    search_entries,
)  # a found record may name another identifier; the search stops when none does


@dataclass
class Footprint:
    """The rows that are the person's (beyond those that merely mention them)."""

    golden_ids: set[str] = field(default_factory=set)
    inbox_ids: set[int] = field(default_factory=set)
    order_hubs: set[str] = field(default_factory=set)
    ordering_keys: set[str] = field(default_factory=set)
    merge_ids: set[int] = field(default_factory=set)

    def _owned(self, table: Table) -> tuple[Column[Any], set[Any]] | None:
        """The column whose value makes a row of this table theirs, and those values."""
        owned: dict[str, tuple[Column[Any], set[Any]]] = {
            inbox.name: (inbox.c.id, self.inbox_ids),
            jobs.name: (jobs.c.ordering_key, self.ordering_keys),
            entities.name: (entities.c.hub_id, self.order_hubs),
            timeline.name: (timeline.c.hub_id, self.order_hubs),
            customers.name: (customers.c.id, self.golden_ids),
            merge_log.name: (merge_log.c.id, self.merge_ids),
            # The search index's rows of their records and orders (names included).
            search_terms.name: (search_terms.c.key, self.golden_ids | self.order_hubs),
            search_entries.name: (search_entries.c.key, self.golden_ids | self.order_hubs),
        }
        return owned.get(table.name)

    def owns(self, table: Table) -> list[ColumnElement[bool]]:
        """Conditions (in chunks) that select this table's rows that are theirs."""
        owned = self._owned(table)
        if owned is None:
            return []
        column, values = owned
        return [column.in_(chunk) for chunk in chunks(sorted(values))]

    def owns_row(self, table: Table, row: Any) -> bool:
        """Whether a row of this table is theirs; a job also by the inbox record its
        payload names."""
        owned = self._owned(table)
        if owned is not None and getattr(row, owned[0].name) in owned[1]:
            return True
        if table is jobs:
            payload = _decoded(row.payload)
            if isinstance(payload, dict):
                return payload.get("inbox_id", payload.get("inbox")) in self.inbox_ids
        return False


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _texts(table: Table) -> list[Column[Any]]:
    return [c for c in table.columns if isinstance(c.type, String | Text | LargeBinary)]


def _contains(column: Column[Any], term: str, dialect: str) -> ColumnElement[bool]:
    """column holds term, ignoring case (ASCII); bytes are searched as text."""
    value: ColumnElement[Any] = column
    if isinstance(column.type, LargeBinary):
        # PostgreSQL's bytea has no lower(); its escape form keeps ASCII as it is.
        value = func.encode(column, "escape", type_=Text) if dialect == "postgresql" else column
    return func.lower(value, type_=Text).contains(term.lower(), autoescape=True)


def _mentioning(table: Table, person: Person, dialect: str) -> ColumnElement[bool]:
    terms = person.search_terms()
    if not terms:
        return false()
    return or_(*(_contains(c, t, dialect) for c in _texts(table) for t in terms))


def _decoded(value: Any) -> Any:
    """A stored text or body as JSON when it is JSON, else as text."""
    if isinstance(value, bytes | memoryview):
        value = bytes(value).decode("utf-8", errors="surrogateescape")
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            pass
    return value


# -- finding --------------------------------------------------------------------------
def find(store: Store, person: Person) -> Footprint:
    footprint = Footprint()
    with store.read() as conn:
        for _ in range(ROUNDS):
            known = (person.identifiers, len(person.customers), len(person.orders))
            _golden_records(conn, person, footprint)
            _received(conn, person, footprint)
            _orders(conn, person, footprint)
            if known == (person.identifiers, len(person.customers), len(person.orders)):
                break
        for chunk in chunks(sorted(footprint.golden_ids)):
            footprint.merge_ids |= set(
                conn.execute(
                    select(merge_log.c.id).where(
                        or_(merge_log.c.survivor_id.in_(chunk), merge_log.c.merged_id.in_(chunk))
                    )
                ).scalars()
            )
    footprint.ordering_keys |= {
        ordering_key(system, kind, external_id)
        for system, external_id in person.customers
        if system is not None
        for kind in (CUSTOMER, "party", "contact")
    }
    footprint.ordering_keys |= {
        ordering_key(system, ORDER, external_id) for system, external_id in person.orders if system
    }
    return footprint


def _golden_records(conn: Connection, person: Person, footprint: Footprint) -> None:
    ids = set(person.golden_ids)
    for system, external_id in person.customers:
        query = select(links.c.hub_id).where(
            links.c.entity_type == CUSTOMER, links.c.external_id == external_id
        )
        if system is not None:
            query = query.where(links.c.system == system)
        ids |= set(conn.execute(query).scalars())
    keys = [f"e:{email}" for email in person.emails] + [
        f"p:+{digits}" for digits in person.identifiers[1]
    ]
    ids |= set(
        conn.execute(
            select(customer_keys.c.customer_id).where(customer_keys.c.key.in_(keys))
        ).scalars()
    )
    dialect = conn.dialect.name
    for row in conn.execute(
        select(customers.c.id, customers.c.record).where(_mentioning(customers, person, dialect))
    ):
        if person.mentions(row.record):
            ids.add(row.id)
    ids = _with_families(conn, ids)
    for row in conn.execute(
        select(customers.c.id, customers.c.record).where(
            customers.c.id.in_(sorted(ids - footprint.golden_ids))
        )
    ):
        person.learn_record(json.loads(row.record))
    footprint.golden_ids |= ids
    person.golden_ids |= ids
    for link in conn.execute(
        select(links.c.system, links.c.entity_type, links.c.external_id).where(
            links.c.hub_id.in_(sorted(ids)), links.c.entity_type.in_((CUSTOMER, CUSTOMER_ORDER))
        )
    ):
        if link.entity_type == CUSTOMER:
            person.customers.add((link.system, link.external_id))
        else:  # customers-to-crm's "<store>:<order id>" of each of their orders
            store_system, _, order_id = link.external_id.partition(":")
            person.orders.add((store_system, order_id))


def _with_families(conn: Connection, ids: set[str]) -> set[str]:
    """The records these were merged into, and every record merged into those."""
    found = set(ids)
    frontier = set(ids)
    while frontier:
        rows = conn.execute(
            select(customers.c.id, customers.c.merged_into).where(
                or_(
                    customers.c.id.in_(sorted(frontier)),
                    customers.c.merged_into.in_(sorted(frontier)),
                )
            )
        ).all()
        related = {r.id for r in rows} | {r.merged_into for r in rows if r.merged_into}
        frontier = related - found
        found |= related
    return found


def _received(conn: Connection, person: Person, footprint: Footprint) -> None:
    """Inbox records about them: mentioning an identifier, about one of their orders or
    customers, or an order whose customer they are."""
    keys = {f"{ORDER}:{oid}" for _, oid in person.orders}
    keys |= {f"{CUSTOMER}:{cid}" for _, cid in person.customers}
    ids = {cid for _, cid in person.customers if cid.isdigit()}
    wanted = [
        _mentioning(inbox, person, conn.dialect.name),
        *(inbox.c.entity_key.in_(chunk) for chunk in chunks(sorted(keys))),
        *(_contains(inbox.c.body, cid, conn.dialect.name) for cid in sorted(ids)),
    ]
    rows = conn.execute(
        select(inbox.c.id, inbox.c.source, inbox.c.entity_key, inbox.c.body).where(or_(*wanted))
    )
    for row in rows:
        kind, _, external_id = row.entity_key.partition(":")
        pairs = {(row.source, external_id), (None, external_id)}
        doc = _decoded(row.body)
        theirs = (
            (kind == ORDER and bool(pairs & person.orders))
            or (kind == CUSTOMER and bool(pairs & person.customers))
            or person.is_about(doc)
            or person.is_their_customer_in(doc, row.source)
        )
        if not theirs:
            continue
        footprint.inbox_ids.add(row.id)
        footprint.ordering_keys |= {f"{row.source}:{row.entity_key}", row.entity_key}
        person.learn_document(doc, row.source)
        if kind == ORDER:
            person.orders.add((row.source, external_id))
        elif kind == CUSTOMER:
            person.customers.add((row.source, external_id))


def _orders(conn: Connection, person: Person, footprint: Footprint) -> None:
    """Their orders' hub entities (and every link of those: the ERP sale, invoices)."""
    hubs: set[str] = set()
    by_id: dict[str, set[str | None]] = {}
    for system, order_id in person.orders:
        by_id.setdefault(order_id, set()).add(system)
    for chunk in chunks(sorted(by_id)):
        for row in conn.execute(
            select(links.c.hub_id, links.c.system, links.c.external_id).where(
                links.c.entity_type == ORDER, links.c.external_id.in_(chunk)
            )
        ):
            systems = by_id[row.external_id]
            if None in systems or row.system in systems:
                hubs.add(row.hub_id)
    for entity in conn.execute(
        select(entities.c.hub_id, entities.c.summary).where(
            _mentioning(entities, person, conn.dialect.name)
        )
    ):
        if person.is_about(_decoded(entity.summary)):
            hubs.add(entity.hub_id)
    footprint.order_hubs |= hubs
    for chunk in chunks(sorted(hubs)):
        for row in conn.execute(select(links).where(links.c.hub_id.in_(chunk))):
            footprint.ordering_keys.add(f"{row.system}:{row.entity_type}:{row.external_id}")
            if row.entity_type == ORDER:
                person.orders.add((row.system, row.external_id))


# -- reading and rewriting every table --------------------------------------------------
def _candidates(conn: Connection, table: Table, person: Person, footprint: Footprint) -> list[Any]:
    """Primary keys of this table's rows that are theirs or mention them."""
    key = list(table.primary_key.columns)
    conditions = [*footprint.owns(table), _mentioning(table, person, conn.dialect.name)]
    found: dict[tuple[Any, ...], None] = {}
    for condition in conditions:
        for row in conn.execute(select(*key).where(condition)):
            found[tuple(row)] = None
    return list(found)


def _row(table: Table, pk: tuple[Any, ...]) -> ColumnElement[bool]:
    return and_(
        *(column == value for column, value in zip(table.primary_key.columns, pk, strict=True))
    )


def _redacted(table: Table, column: Column[Any], value: Any, person: Person, theirs: bool) -> Any:
    """The value without their data; the same object when nothing changes."""
    if value is None:
        return None
    if theirs and (table is customers and column.name == "record"):
        return EMPTY_RECORD
    if theirs and table is merge_log and column.name in ("survivor_before", "merged_before"):
        return EMPTY_RECORD
    as_bytes = isinstance(value, bytes | memoryview)
    decoded = _decoded(value)
    # Short columns hold keys, names of states and systems, never a person's details
    # (a surname may be a state's name): only identifiers are taken out of them.
    theirs = theirs and isinstance(column.type, Text | LargeBinary)
    if isinstance(decoded, str):
        new = person.redact_text(decoded, thorough=theirs or person.mentions(decoded))
        if new == decoded:
            return value
        return new.encode("utf-8", errors="surrogateescape") if as_bytes else new
    new_doc = person.redact_json(decoded, owned=theirs)
    if new_doc == decoded:
        return value
    text = json.dumps(new_doc, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", errors="surrogateescape") if as_bytes else text


def erase(store: Store, person: Person, footprint: Footprint, batch: int = 200) -> dict[str, int]:
    """Rewrite every row that is theirs or mentions them; returns rows changed per
    table (and matching keys deleted). Running it again changes nothing."""
    changed: dict[str, int] = {}
    if footprint.golden_ids:
        with store.transaction() as conn:
            removed = 0
            for chunk in chunks(sorted(footprint.golden_ids)):
                removed += conn.execute(
                    delete(customer_keys).where(customer_keys.c.customer_id.in_(chunk))
                ).rowcount
            changed[customer_keys.name] = removed
    for table in metadata.sorted_tables:
        if table is customer_keys:
            continue
        with store.read() as conn:
            keys = _candidates(conn, table, person, footprint)
        count = 0
        for chunk in chunks(keys, batch):
            with store.transaction() as conn:
                if table in INDEXES:  # derived from other rows: deleted, never rewritten
                    count += sum(
                        conn.execute(delete(table).where(_row(table, pk))).rowcount for pk in chunk
                    )
                else:
                    count += _rewrite(conn, table, chunk, person, footprint)
        changed[table.name] = count
    return changed


def _rewrite(
    conn: Connection, table: Table, pks: Sequence[tuple[Any, ...]], person: Person, fp: Footprint
) -> int:
    count = 0
    texts = _texts(table)
    for pk in pks:
        row = conn.execute(select(table).where(_row(table, pk))).first()
        if row is None:  # gone meanwhile (pruned, finished and removed)
            continue
        theirs = fp.owns_row(table, row)
        values = {}
        for column in texts:
            old = getattr(row, column.name)
            new = _redacted(table, column, old, person, theirs)
            if new is not old and new != old:
                values[column.name] = new
        if table is customers and values:
            values["version"] = row.version + 1
            values["updated_at"] = now()
        if values:
            conn.execute(update(table).where(_row(table, pk)).values(**values))
            count += 1
    return count


def export(store: Store, person: Person, footprint: Footprint) -> dict[str, list[dict[str, Any]]]:
    """Per table, the rows that are theirs (whole, JSON decoded) and, of rows that only
    mention them, the primary key and the parts that do: someone else's data stays out."""
    result: dict[str, list[dict[str, Any]]] = {}
    with store.read() as conn:
        for table in metadata.sorted_tables:
            keys = _candidates(conn, table, person, footprint)
            if table is customer_keys:
                keys += [
                    tuple(r)
                    for chunk in chunks(sorted(footprint.golden_ids))
                    for r in conn.execute(
                        select(*table.primary_key.columns).where(
                            customer_keys.c.customer_id.in_(chunk)
                        )
                    )
                ]
            rows = []
            for pk in dict.fromkeys(keys):
                row = conn.execute(select(table).where(_row(table, pk))).first()
                if row is not None:
                    rows.append(_exported(table, row, person, footprint))
            if rows:
                result[table.name] = rows
    return result


def _exported(table: Table, row: Any, person: Person, footprint: Footprint) -> dict[str, Any]:
    values = {k: _decoded(v) for k, v in row._mapping.items()}
    if table is customer_keys or footprint.owns_row(table, row):
        return values
    kept = {c.name: values[c.name] for c in table.primary_key.columns}
    for column in _texts(table):
        part = person.extract(values[column.name])
        if part is not None:
            kept[column.name] = part
    return kept
