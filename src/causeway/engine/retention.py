"""Retention: forgetting what the hub no longer needs, a small batch at a time.

Each kind of row has its own rule (docs/privacy.md); what they share:
- a batch is one short transaction of at most `batch` rows, and the pruner pauses
  between batches, so on SQLite a webhook waiting for the write lock waits
  milliseconds, never for the whole pruning;
- nothing an unfinished job, or a parked job that may be replayed, still reads is
  touched: the inbox record a job was made from keeps its body while any job of its
  entity is queued, running or dead.

Inbox records are the dedupe record of a delivery (unique per source and event id)
and an order's event history, so pruning first drops only their body and headers
(`inbox_bodies`, where the personal data is) and keeps the small row; the row itself
goes much later (`inbox_records`), long after any sender could redeliver it.
Exactly-once placing does not rest on the inbox: it rests on links and the ERP's
own reference, which retention never touches.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from itertools import takewhile
from typing import Any

from sqlalchemy import Connection, delete, select, tuple_, update

from causeway.customers.record import EMPTY_RECORD
from causeway.engine.jobs import DEAD, DONE, QUEUED, RESOLVED, RUNNING
from causeway.engine.schema import customers, inbox, jobs, merge_log, web_events
from causeway.engine.store import Store, now

# A pause between batches: SQLite's busy handler polls, and a writer that takes the
# lock again at once could keep the ingress waiting.
PAUSE_SECONDS = 0.01
# Jobs in these states may still read their inbox record.
NEEDS_INPUT = (QUEUED, RUNNING, DEAD)
# One batch in the caller's transaction: (rows changed, whether there may be more).
Step = Callable[[Connection], tuple[int, bool]]


def _cutoff(older_than: float, at: float | None) -> float:
    """Rows from before this time are old enough; `at` stands for now (tests, reports)."""
    return (at if at is not None else now()) - older_than


def _in_batches(store: Store, step: Step, stop: threading.Event | None) -> int:
    """Run `step` in one short transaction after another, pausing in between, until it
    says it is done or the hub is stopping (the rest waits for the next pass)."""
    total = 0
    while True:
        with store.transaction() as conn:
            count, more = step(conn)
        total += count
        if not more:
            return total
        if stop is None:
            time.sleep(PAUSE_SECONDS)
        elif stop.wait(PAUSE_SECONDS):
            return total


def prune_jobs(
    store: Store,
    state: str,
    older_than: float,
    batch: int = 500,
    *,
    at: float | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Delete jobs in `state` (done, dead or resolved) that finished longer than
    `older_than` seconds ago; returns how many."""
    if state not in (DONE, DEAD, RESOLVED):
        raise ValueError(f"only finished jobs are pruned, not {state!r}")
    cutoff = _cutoff(older_than, at)

    def step(conn: Connection) -> tuple[int, bool]:
        ids = list(
            conn.execute(
                select(jobs.c.id)
                .where(jobs.c.state == state, jobs.c.finished_at < cutoff)
                .order_by(jobs.c.finished_at)
                .limit(batch)
            ).scalars()
        )
        if ids:
            # The state is checked again: a dead job replayed meanwhile is queued.
            conn.execute(delete(jobs).where(jobs.c.id.in_(ids), jobs.c.state == state))
        return len(ids), len(ids) == batch

    return _in_batches(store, step, stop)


def input_ids(store: Store) -> set[int]:
    """Inbox ids named by the payload of a job that may still run (or be replayed).
    It reads every such job's payload: a pruning pass reads it once for both inbox steps."""
    with store.read() as conn:
        payloads = conn.execute(select(jobs.c.payload).where(jobs.c.state.in_(NEEDS_INPUT)))
        found: set[int] = set()
        for (payload,) in payloads:
            data = json.loads(payload or "{}")
            for key in ("inbox_id", "inbox"):
                if isinstance(data.get(key), int):
                    found.add(data[key])
        return found


def _entities_in_use(conn: Connection, rows: Sequence[Any]) -> set[tuple[str, str]]:
    """(source, entity key) of these inbox rows that a job still needs; checked inside
    the pruning transaction, so a job created for the entity meanwhile (customers-to-crm
    reads an order's newest payload by its key) is seen."""
    keys: dict[str, tuple[str, str]] = {}
    for row in rows:
        # Jobs are keyed "<source>:<entity key>"; ERP shipments by their entity key alone.
        keys[f"{row.source}:{row.entity_key}"] = (row.source, row.entity_key)
        keys[row.entity_key] = (row.source, row.entity_key)
    in_use = conn.execute(
        select(jobs.c.ordering_key)
        .where(jobs.c.ordering_key.in_(sorted(keys)), jobs.c.state.in_(NEEDS_INPUT))
        .distinct()
    ).scalars()
    return {keys[key] for key in in_use}


def _prunable(conn: Connection, rows: Sequence[Any], protected: set[int]) -> list[int]:
    in_use = _entities_in_use(conn, rows)
    return [
        row.id
        for row in rows
        if row.id not in protected and (row.source, row.entity_key) not in in_use
    ]


def prune_inbox_bodies(
    store: Store,
    older_than: float,
    batch: int = 500,
    *,
    at: float | None = None,
    stop: threading.Event | None = None,
    protected: set[int] | None = None,
) -> int:
    """Drop the body and headers of inbox records received longer than `older_than`
    seconds ago that no job still needs; the rows stay. Returns how many. `protected`:
    input_ids(store), when the caller has read it already."""
    cutoff = _cutoff(older_than, at)
    protected = input_ids(store) if protected is None else protected
    after: list[tuple[float, int]] = []  # where the last batch ended

    def step(conn: Connection) -> tuple[int, bool]:
        # The partial index ix_inbox_unpruned holds exactly the rows still to look at;
        # those kept for a job are stepped over, not read again.
        query = (
            select(inbox.c.id, inbox.c.source, inbox.c.entity_key, inbox.c.received_at)
            .where(inbox.c.pruned_at.is_(None), inbox.c.received_at < cutoff)
            .order_by(inbox.c.received_at, inbox.c.id)
            .limit(batch)
        )
        if after:
            query = query.where(tuple_(inbox.c.received_at, inbox.c.id) > after[-1])
        rows = conn.execute(query).all()
        ids = _prunable(conn, rows, protected)
        if ids:
            conn.execute(
                update(inbox)
                .where(inbox.c.id.in_(ids))
                .values(body=b"", headers="{}", pruned_at=now())
            )
        if rows:
            after.append((rows[-1].received_at, rows[-1].id))
        return len(ids), len(rows) == batch

    return _in_batches(store, step, stop)


def prune_inbox_records(
    store: Store,
    older_than: float,
    batch: int = 500,
    *,
    at: float | None = None,
    stop: threading.Event | None = None,
    protected: set[int] | None = None,
) -> int:
    """Delete whole inbox records received longer than `older_than` seconds ago that no
    job still needs. Returns how many. `protected`: as for prune_inbox_bodies."""
    cutoff = _cutoff(older_than, at)
    protected = input_ids(store) if protected is None else protected
    after = [0]  # the last id looked at

    def step(conn: Connection) -> tuple[int, bool]:
        # By id, oldest first: ids grow with arrival, so the walk stops at the first
        # record young enough to keep instead of scanning the rest.
        rows = conn.execute(
            select(inbox.c.id, inbox.c.source, inbox.c.entity_key, inbox.c.received_at)
            .where(inbox.c.id > after[-1])
            .order_by(inbox.c.id)
            .limit(batch)
        ).all()
        old = list(takewhile(lambda row: row.received_at < cutoff, rows))
        ids = _prunable(conn, old, protected)
        if ids:
            conn.execute(delete(inbox).where(inbox.c.id.in_(ids)))
        if rows:
            after.append(rows[-1].id)
        return len(ids), len(old) == len(rows) == batch

    return _in_batches(store, step, stop)


def prune_merge_log(
    store: Store,
    older_than: float,
    batch: int = 500,
    *,
    at: float | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Delete merges recorded longer than `older_than` seconds ago; the merged-away
    record they kept for undo is emptied too (its values live on in the survivor).
    Returns how many merges."""
    cutoff = _cutoff(older_than, at)

    def step(conn: Connection) -> tuple[int, bool]:
        rows = conn.execute(
            select(merge_log.c.id, merge_log.c.merged_id)
            .where(merge_log.c.at < cutoff)
            .order_by(merge_log.c.id)
            .limit(batch)
        ).all()
        if rows:
            conn.execute(delete(merge_log).where(merge_log.c.id.in_([r.id for r in rows])))
            _empty_merged_records(conn, {row.merged_id for row in rows})
        return len(rows), len(rows) == batch

    return _in_batches(store, step, stop)


def _empty_merged_records(conn: Connection, customer_ids: Iterable[str]) -> None:
    """Records still merged away with no merge left to undo keep only their row (the
    merged_into chain that old links follow)."""
    still_logged = select(merge_log.c.merged_id).where(merge_log.c.undone_at.is_(None))
    conn.execute(
        update(customers)
        .where(
            customers.c.id.in_(sorted(customer_ids)),
            customers.c.merged_into.is_not(None),
            customers.c.id.not_in(still_logged),
        )
        .values(record=EMPTY_RECORD, version=customers.c.version + 1, updated_at=now())
    )


def prune_web_events(
    store: Store,
    system: str,
    older_than: float,
    batch: int = 500,
    *,
    at: float | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Delete a system's events that happened longer than `older_than` seconds ago (by
    the (system, occurred_at) index), a short transaction per batch; returns how many."""
    cutoff = _cutoff(older_than, at)

    def step(conn: Connection) -> tuple[int, bool]:
        ids = list(
            conn.execute(
                select(web_events.c.id)
                .where(web_events.c.system == system, web_events.c.occurred_at < cutoff)
                .order_by(web_events.c.occurred_at)
                .limit(batch)
            ).scalars()
        )
        if ids:
            conn.execute(delete(web_events).where(web_events.c.id.in_(ids)))
        return len(ids), len(ids) == batch

    return _in_batches(store, step, stop)
