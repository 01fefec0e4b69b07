"""Retention on SQLite and PostgreSQL: old work and old payloads go, in small batches,
and nothing an unfinished job (or a parked one that may be replayed) needs is touched."""

from __future__ import annotations

import re
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, select, update

from causeway.config.customers import CustomerSettings
from causeway.customers import merges
from causeway.customers.record import GoldenRecord
from causeway.customers.resolve import resolve
from causeway.engine import golden_records
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import DEAD, DONE, JobQueue, NewJob
from causeway.engine.retention import (
    prune_inbox_bodies,
    prune_inbox_records,
    prune_jobs,
    prune_merge_log,
)
from causeway.engine.schema import customers, jobs, merge_log, metadata
from causeway.engine.schema import inbox as inbox_rows
from causeway.engine.store import Store

DAY = 86400.0
MONTH = 30 * DAY


def make_inbox(store: Store) -> tuple[Inbox, JobQueue]:
    queue = JobQueue(store)
    return Inbox(
        store,
        queue,
        lambda record, inbox_id: [
            NewJob("orders-to-erp", f"{record.source}:{record.entity_key}", {"inbox_id": inbox_id})
        ],
    ), queue


def receive(inbox: Inbox, event_id: str, order: int, *, days_ago: float) -> int:
    """An order webhook received `days_ago` days ago; returns its inbox id."""
    body = b'{"id": %d, "email": "ada@example.com"}' % order
    inbox.accept([InboxRecord("shop", event_id, "orders/create", f"order:{order}", body)])
    with inbox.store.transaction() as conn:
        conn.execute(
            update(inbox_rows)
            .where(inbox_rows.c.event_id == event_id)
            .values(received_at=time.time() - days_ago * DAY)
        )
        return conn.execute(
            select(inbox_rows.c.id).where(inbox_rows.c.event_id == event_id)
        ).scalar_one()


def finish_jobs(store: Store, ordering_key: str, state: str, *, days_ago: float) -> None:
    with store.transaction() as conn:
        conn.execute(
            update(jobs)
            .where(jobs.c.ordering_key == ordering_key)
            .values(state=state, finished_at=time.time() - days_ago * DAY, dedupe_key=None)
        )


def receive_done(inbox: Inbox, event_id: str, order: int, *, days_ago: float, done: float) -> None:
    """An order webhook received `days_ago` days ago whose job finished `done` days ago."""
    receive(inbox, event_id, order, days_ago=days_ago)
    finish_jobs(inbox.store, f"shop:order:{order}", DONE, days_ago=done)


def job_states(store: Store) -> dict[str, str]:
    with store.read() as conn:
        return {r.ordering_key: r.state for r in conn.execute(select(jobs))}


def bodies(store: Store) -> dict[str, tuple[bytes, str, bool]]:
    """event id -> (body, headers, pruned?)"""
    with store.read() as conn:
        return {
            r.event_id: (bytes(r.body), r.headers, r.pruned_at is not None)
            for r in conn.execute(select(inbox_rows))
        }


def test_migration_0007_matches_what_schema_py_describes(store: Store) -> None:
    with store.read() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if re.search(r"\b(inbox|jobs)\b", str(d))] == []


def test_old_done_and_dead_jobs_go_recent_and_unfinished_ones_stay(store: Store) -> None:
    queue = JobQueue(store)
    for key in ("old-done", "new-done", "old-dead", "new-dead", "queued", "running"):
        queue.enqueue(NewJob("orders-to-erp", key))
    finish_jobs(store, "old-done", DONE, days_ago=31)
    finish_jobs(store, "new-done", DONE, days_ago=29)
    finish_jobs(store, "old-dead", DEAD, days_ago=91)
    finish_jobs(store, "new-dead", DEAD, days_ago=89)
    with store.transaction() as conn:  # unfinished jobs older than any period
        conn.execute(update(jobs).where(jobs.c.ordering_key == "running").values(state="running"))
        conn.execute(update(jobs).values(created_at=time.time() - 400 * DAY))

    assert prune_jobs(store, DONE, MONTH) == 1
    assert prune_jobs(store, DEAD, 90 * DAY) == 1
    assert job_states(store) == {
        "new-done": DONE,
        "new-dead": DEAD,
        "queued": "queued",
        "running": "running",
    }


def test_old_bodies_are_dropped_but_the_delivery_is_still_recognised(store: Store) -> None:
    inbox, queue = make_inbox(store)
    receive_done(inbox, "evt-old", 1, days_ago=31, done=0)
    receive_done(inbox, "evt-new", 2, days_ago=1, done=0)

    assert prune_inbox_bodies(store, MONTH) == 1
    kept = bodies(store)
    assert kept["evt-old"] == (b"", "{}", True)
    assert kept["evt-new"][0].startswith(b'{"id": 2') and not kept["evt-new"][2]
    # The row is the dedupe record: Shopify redelivering the old event changes nothing.
    redelivered = InboxRecord("shop", "evt-old", "orders/create", "order:1", b'{"id": 1}')
    assert inbox.accept([redelivered]) == [False]
    assert queue.unfinished() == 0
    assert prune_inbox_bodies(store, MONTH) == 0  # idempotent


def test_a_body_that_a_job_may_still_read_is_kept(store: Store) -> None:
    inbox, _queue = make_inbox(store)
    receive(inbox, "evt-queued", 1, days_ago=60)  # its job is still queued
    receive(inbox, "evt-dead", 2, days_ago=60)  # its job is parked: replay reads it
    receive_done(inbox, "evt-done", 3, days_ago=60, done=60)
    receive_done(inbox, "evt-done-too", 4, days_ago=60, done=60)
    finish_jobs(store, "shop:order:2", DEAD, days_ago=60)
    # A job that reads order 4's newest payload by its key, not by inbox id (as
    # customers-to-crm does), queued after the webhook's own job finished.
    JobQueue(store).enqueue(NewJob("customers-to-crm", "shop:order:4", {"order": "4"}))

    assert prune_inbox_bodies(store, MONTH) == 1
    assert {event: pruned for event, (_, _, pruned) in bodies(store).items()} == {
        "evt-queued": False,
        "evt-dead": False,
        "evt-done": True,
        "evt-done-too": False,
    }
    assert prune_inbox_records(store, MONTH) == 1
    assert set(bodies(store)) == {"evt-queued", "evt-dead", "evt-done-too"}


def test_pruning_works_in_short_transactions(store: Store) -> None:
    inbox, _queue = make_inbox(store)
    for n in range(7):
        receive_done(inbox, f"evt-{n}", n, days_ago=40, done=40)
    transactions: list[float] = []
    event.listen(store.engine, "begin", lambda _conn: transactions.append(time.time()))

    assert prune_inbox_bodies(store, MONTH, batch=3) == 7
    assert len(transactions) >= 3  # 3 + 3 + 1: the write lock is let go in between
    assert prune_jobs(store, DONE, MONTH, batch=2) == 7
    assert prune_inbox_records(store, MONTH, batch=2) == 7
    assert bodies(store) == {}


def test_inbox_records_young_enough_are_kept(store: Store) -> None:
    inbox, _queue = make_inbox(store)
    receive_done(inbox, "evt-old", 1, days_ago=400, done=300)
    receive_done(inbox, "evt-young", 2, days_ago=300, done=300)
    assert prune_inbox_records(store, 365 * DAY) == 1
    assert set(bodies(store)) == {"evt-young"}


@pytest.mark.parametrize("undone", [False, True])
def test_an_old_merge_goes_and_the_record_kept_for_its_undo_is_emptied(
    store: Store, undone: bool
) -> None:
    settings = CustomerSettings()
    with store.transaction() as conn:
        first = resolve(conn, "shop", "c1", {"email": "ada@example.com"}, 100, settings)
        second = resolve(conn, "erp", "p1", {"phone": "+1 613 555 0199"}, 100, settings)
        # The CRM knows both: one person.
        resolve(
            conn,
            "crm",
            "k1",
            {"email": "ada@example.com", "phone": "+1 613 555 0199"},
            100,
            settings,
        )
    with store.read() as conn:
        (merge,) = conn.execute(select(merge_log)).all()
    if undone:
        with store.transaction() as conn:
            merges.undo(conn, merge.id, settings)
    with store.transaction() as conn:
        conn.execute(update(merge_log).values(at=time.time() - 400 * DAY))

    assert prune_merge_log(store, 365 * DAY) == 1
    with store.read() as conn:
        assert conn.execute(select(merge_log)).all() == []
        merged = golden_records.load(conn, merge.merged_id)
        survivor = golden_records.load(conn, merge.survivor_id)
    assert {first.customer_id, second.customer_id} == {merge.merged_id, merge.survivor_id}
    if undone:  # the undo gave the record its life back: it is kept as it is
        assert merged.record.plain() and merged.merged_into is None
    else:
        assert merged.record == GoldenRecord() and merged.merged_into == survivor.id
    assert survivor.record.plain()


def test_a_replayed_dead_job_is_not_pruned_as_dead(store: Store) -> None:
    queue = JobQueue(store)
    queue.enqueue(NewJob("orders-to-erp", "parked"))
    finish_jobs(store, "parked", DEAD, days_ago=100)
    queue.replay(flow="orders-to-erp")
    assert prune_jobs(store, DEAD, 90 * DAY) == 0
    with store.read() as conn:
        assert conn.execute(select(customers)).all() == []
        assert conn.execute(select(jobs.c.state)).scalars().all() == ["queued"]
