"""What the warehouse build reads from the hub's tables (docs/warehouse.md), page by page.

Only the engine touches its tables (the import contract "engine-owns-its-tables"), so the
build (warehouse/build.py) reads through here. Every read returns plain dicts, page by
page, in keyset order: a page never holds the whole table in memory, and a row written
while the build reads is either in a later page or in the next build.

Watermarks are times: a read returns the rows changed at or after `since`. The build
passes its last watermark minus an overlap (a row stamped just before the watermark but
committed after the last build read must not be missed); re-reading a row is harmless,
since the build replaces rows by their key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, not_, or_, select

from causeway.engine.flow_stats import RUN_KEY
from causeway.engine.golden_records import CUSTOMER
from causeway.engine.jobs import DEAD, DONE, RESOLVED
from causeway.engine.schema import (
    carts,
    customers,
    entities,
    jobs,
    links,
    order_changes,
    order_fact_lines,
    order_facts,
    stock_snapshots,
    web_events,
)
from causeway.engine.store import Store

PAGE = 5000
# The link a channel-fees flow writes when the ERP has booked an order's fees; its
# fingerprint is "<total> <currency>" (flows/channel_fees).
BOOKED_FEES = "fees"
# The link it writes for each refund's fee changes the ERP booked (a supplier credit
# note), fingerprint "<total> <currency>", negative for a credit.
BOOKED_FEE_REFUNDS = "fees-refund"
# The link it writes for each settlement period whose account fees the ERP booked
# (external id: the period's id, fingerprint "<total> <currency>"), with an entity of the
# same type on its hub id: the period's channel and dates (flows/channel_fees/account_fees.py).
BOOKED_ACCOUNT_FEES = "account-fees"
Row = dict[str, Any]


def _pages(
    store: Store,
    table: Table,
    stamp: str,
    key: str,
    since: float,
    *,
    columns: Sequence[Any] | None = None,
    where: ColumnElement[bool] | None = None,
    page: int | None = None,
) -> Iterator[list[Row]]:
    """Rows of `table` with `stamp` >= since, in (stamp, key) order, `page` at a time."""
    stamp_col, key_col = table.c[stamp], table.c[key]
    page = page or PAGE  # read when called: a test may make pages small
    after: tuple[Any, Any] | None = None
    while True:
        query: Select[Any] = select(*(columns or [table])).where(stamp_col >= since)
        if where is not None:
            query = query.where(where)
        if after is not None:
            query = query.where(
                or_(stamp_col > after[0], and_(stamp_col == after[0], key_col > after[1]))
            )
        query = query.order_by(stamp_col, key_col).limit(page)
        with store.read() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        if not rows:
            return
        yield rows
        after = (rows[-1][stamp], rows[-1][key])
        if len(rows) < page:
            return


def order_facts_since(
    store: Store, since: float, *, page: int | None = None
) -> Iterator[list[Row]]:
    """Order facts changed at or after `since`, each with its goods lines (`lines`, by
    line_no), the fees the ERP booked for it (`booked_fees`: "<total> <currency>", or
    None) and the refunds of fees it booked since (`booked_fee_refunds`: a list of
    "<total> <currency>", totals negative for credits), in pages of `page` orders."""
    for headers in _pages(store, order_facts, "changed_at", "hub_id", since, page=page):
        ids = [h["hub_id"] for h in headers]
        lines: dict[str, list[Row]] = {i: [] for i in ids}
        with store.read() as conn:
            found = conn.execute(
                select(order_fact_lines)
                .where(order_fact_lines.c.hub_id.in_(ids))
                .order_by(order_fact_lines.c.hub_id, order_fact_lines.c.line_no)
            )
            for line in found:
                lines[line.hub_id].append(dict(line._mapping))
            booked: dict[str, str | None] = {}
            refunds: dict[str, list[str]] = {i: [] for i in ids}
            found = conn.execute(
                select(links.c.hub_id, links.c.entity_type, links.c.fingerprint)
                .where(
                    links.c.entity_type.in_((BOOKED_FEES, BOOKED_FEE_REFUNDS)),
                    links.c.hub_id.in_(ids),
                )
                .order_by(links.c.id)
            )
            for hub_id, entity_type, fingerprint in found:
                if entity_type == BOOKED_FEES:
                    booked[hub_id] = fingerprint
                elif fingerprint:
                    refunds[hub_id].append(fingerprint)
        yield [
            {
                **h,
                "lines": lines[h["hub_id"]],
                "booked_fees": booked.get(h["hub_id"]),
                "booked_fee_refunds": refunds[h["hub_id"]],
            }
            for h in headers
        ]


def booked_account_fees(store: Store, erp: str | None) -> list[Row]:
    """Every settlement period whose account fees the ERP `erp` booked (None: any
    system's), by link id: period_id, booked ("<total> <currency>"), booked_at and the
    period's record (`record`: channel, period_start, period_end as ISO text; {} for a
    period booked before the hub kept it). Read whole: one row per channel a fortnight."""
    where = links.c.entity_type == BOOKED_ACCOUNT_FEES
    if erp is not None:  # the index on (system, entity_type) finds them
        where = and_(links.c.system == erp, where)
    query = (
        select(
            links.c.external_id.label("period_id"),
            links.c.fingerprint.label("booked"),
            links.c.remote_updated_at.label("booked_at"),
            entities.c.summary,
        )
        .select_from(links.outerjoin(entities, entities.c.hub_id == links.c.hub_id))
        .where(where)
        .order_by(links.c.id)
    )
    with store.read() as conn:
        found = [dict(row._mapping) for row in conn.execute(query)]
    return [{**row, "record": _json_object(row.pop("summary"))} for row in found]


def _json_object(text: str | None) -> dict[str, Any]:
    try:
        found = json.loads(text or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def currencies(store: Store) -> list[str]:
    """Every currency an order fact is in."""
    with store.read() as conn:
        return sorted(c for (c,) in conn.execute(select(order_facts.c.currency).distinct()))


def carts_all(store: Store, *, page: int | None = None) -> Iterator[list[Row]]:
    """Every cart, by id. Carts change state with stamps from the past (a cart counts as
    abandoned at its last change + the wait), which no watermark would see: the build
    reads them whole, a page at a time."""
    yield from _pages(store, carts, "id", "id", 0, page=page)


def web_events_since(store: Store, since: float, *, page: int | None = None) -> Iterator[list[Row]]:
    """Storefront events received at or after `since` (they never change once stored)."""
    yield from _pages(store, web_events, "received_at", "id", since, page=page)


def stock_snapshots_since(
    store: Store, since: float, *, page: int | None = None
) -> Iterator[list[Row]]:
    """Snapshot rows taken at or after `since`. A day's rows of a system and kind are
    replaced together with one `taken_at`, so a read sees each replaced day whole."""
    yield from _pages(store, stock_snapshots, "taken_at", "id", since, page=page)


def order_changes_since(
    store: Store, since: float, *, page: int | None = None
) -> Iterator[list[Row]]:
    """Edits, cancellations and refunds recorded at or after `since`, before/after parsed."""
    for rows in _pages(store, order_changes, "recorded_at", "id", since, page=page):
        yield [
            {**row, "before": json.loads(row["before"]), "after": json.loads(row["after"])}
            for row in rows
        ]


def customers_since(store: Store, since: float, *, page: int | None = None) -> Iterator[list[Row]]:
    """Golden customers changed at or after `since`: id, their fields (field -> value),
    the record they were merged into (or None) and updated_at."""
    for rows in _pages(store, customers, "updated_at", "id", since, page=page):
        yield [
            {
                "id": row["id"],
                "fields": _plain(row["record"]),
                "merged_into": row["merged_into"],
                "updated_at": row["updated_at"],
            }
            for row in rows
        ]


def _plain(record: str) -> dict[str, Any]:
    """A golden record's fields as values (customers/record.py: GoldenRecord.plain)."""
    try:
        fields = json.loads(record).get("fields", {})
    except (ValueError, AttributeError):
        return {}
    return {name: (held or {}).get("value") for name, held in fields.items()}


FINISHED = (DONE, DEAD, RESOLVED)


def finished_jobs_since(
    store: Store, since: float, *, page: int | None = None
) -> Iterator[list[Row]]:
    """Jobs that finished (done, parked or resolved) at or after `since`, a flow's own
    scheduled runs left out (they are no record): flow, state, finished_at and the
    times the job was parked (error_history's `at`s), and when it was created (with its
    id, what tells it from a later job SQLite gave the same id once retention removed it)."""
    columns = [
        jobs.c.id,
        jobs.c.created_at,
        jobs.c.flow,
        jobs.c.state,
        jobs.c.finished_at,
        jobs.c.error_history,
    ]
    where = and_(jobs.c.state.in_(FINISHED), not_(jobs.c.ordering_key.like(RUN_KEY)))
    for rows in _pages(store, jobs, "finished_at", "id", since, columns=columns, where=where):
        yield [{**row, "parked_at": _parkings(row.pop("error_history"))} for row in rows]


def _parkings(history: str | None) -> list[float]:
    try:
        entries = json.loads(history or "[]")
    except ValueError:
        return []
    return [float(e["at"]) for e in entries if isinstance(e, dict) and e.get("at") is not None]


# The links a CRM's records have (the flows' entity types): customers-to-crm's contact
# of a golden customer (customers/orders.py: CONTACT; "merged:<kept>" when set aside by a
# merge), a golden customer's source record (golden_records.CUSTOMER: the contact of a
# deal's order), quotes-to-erp's deal, and the ERP sale on the deal's hub id
# (orders/record.py: SALE).
CONTACT_LINK, DEAL_LINK, SALE_LINK = "contact", "deal", "sale"


def crm_links(store: Store, crm: str, *, page: int | None = None) -> Iterator[list[Row]]:
    """The hub's links of the CRM system `crm`'s contacts and deals, by link id:
    id, entity_type (contact, customer or deal), external_id (the CRM's id), hub_id
    (the golden customer; the deal's order) and fingerprint; a deal's row also has
    `sale_id`: the external id of the sale linked on its hub id (None: none)."""
    columns = [links.c.id, links.c.entity_type, links.c.external_id, links.c.hub_id]
    where = and_(
        links.c.system == crm,
        links.c.entity_type.in_((CONTACT_LINK, CUSTOMER, DEAL_LINK)),
    )
    columns.append(links.c.fingerprint)
    for rows in _pages(store, links, "id", "id", 0, columns=columns, where=where, page=page):
        hubs = [r["hub_id"] for r in rows if r["entity_type"] == DEAL_LINK]
        sales: dict[str, str] = {}
        if hubs:
            with store.read() as conn:
                found = conn.execute(
                    select(links.c.hub_id, links.c.external_id)
                    .where(links.c.entity_type == SALE_LINK, links.c.hub_id.in_(hubs))
                    .order_by(links.c.id)
                )
                for hub_id, external_id in found:
                    sales.setdefault(hub_id, external_id)
        yield [
            {**row, "sale_id": sales.get(row["hub_id"])} if row["entity_type"] == DEAL_LINK
            else row
            for row in rows
        ]  # fmt: skip
