"""Inbox dedupe and group commit, links and cursors, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import wait
from datetime import UTC, datetime, timedelta

from causeway.engine import links
from causeway.engine.cursors import Cursor
from causeway.engine.inbox import Inbox, InboxRecord, InboxWriter
from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.store import Store


def make_inbox(store: Store) -> tuple[Inbox, JobQueue]:
    queue = JobQueue(store)
    inbox = Inbox(
        store,
        queue,
        lambda record, inbox_id: [
            NewJob("orders", f"shop:{record.entity_key}", {"inbox_id": inbox_id})
        ],
    )
    return inbox, queue


def record(event_id: str, order: int = 1) -> InboxRecord:
    return InboxRecord("shop", event_id, "orders/create", f"order:{order}", b'{"id": %d}' % order)


def test_a_redelivered_webhook_is_stored_and_queued_once(store: Store) -> None:
    inbox, queue = make_inbox(store)
    assert inbox.accept([record("evt-1")]) == [True]
    assert inbox.accept([record("evt-1")]) == [False]
    assert queue.unfinished() == 1


def test_the_same_event_twice_in_one_group_commit_counts_once(store: Store) -> None:
    inbox, queue = make_inbox(store)
    assert inbox.accept([record("evt-1"), record("evt-1"), record("evt-2", 2)]) == [
        True,
        False,
        True,
    ]
    assert queue.unfinished() == 2


def test_the_writer_commits_concurrent_deliveries_in_few_transactions(store: Store) -> None:
    inbox, _queue = make_inbox(store)
    writer = InboxWriter(inbox)
    futures = [writer.submit(record(f"evt-{i}", i)) for i in range(300)]
    futures.append(writer.submit(record("evt-5", 5)))  # a duplicate mixed in
    writer.start()
    wait(futures, timeout=30)
    writer.stop()
    results = [f.result() for f in futures]
    assert results.count(True) == 300 and results[-1] is False
    assert writer.batches < 10  # group commit: not one transaction per webhook
    stored = inbox.get(1)
    assert stored is not None and stored.body == b'{"id": 0}' and stored.topic == "orders/create"


def test_a_failed_commit_is_reported_to_every_waiting_request(sqlite_store: Store) -> None:
    inbox, _ = make_inbox(sqlite_store)
    writer = InboxWriter(inbox).start()
    sqlite_store.engine.dispose()
    with sqlite_store.transaction() as conn:
        conn.exec_driver_sql("DROP TABLE inbox")
    future = writer.submit(record("evt-1"))
    assert future.exception(timeout=10) is not None
    writer.stop()


def test_links_join_records_of_several_systems_into_one_entity(store: Store) -> None:
    with store.transaction() as conn:
        hub = links.new_hub_id()
        links.save(conn, hub_id=hub, system="shop", entity_type="order", external_id="450789469")
        links.save(
            conn,
            hub_id=hub,
            system="erp",
            entity_type="sale",
            external_id="17",
            fingerprint="confirmed",
        )
    with store.read() as conn:
        found = links.find(conn, "shop", "order", "450789469")
        assert found is not None and found.hub_id == hub
        assert {(link.system, link.external_id) for link in links.for_hub(conn, hub)} == {
            ("shop", "450789469"),
            ("erp", "17"),
        }
    with store.transaction() as conn:
        # Saving again updates rather than making a second link.
        links.save(
            conn,
            hub_id="ignored",
            system="erp",
            entity_type="sale",
            external_id="17",
            fingerprint="done",
        )
    with store.read() as conn:
        again = links.find(conn, "erp", "sale", "17")
        assert again is not None and again.hub_id == hub and again.fingerprint == "done"


def test_published_values_are_recorded_in_bulk(store: Store) -> None:
    with store.transaction() as conn:
        links.save_fingerprints(conn, "shop", "stock", {"A": ("sku:A", "5"), "B": ("sku:B", "0")})
    with store.transaction() as conn:
        links.save_fingerprints(conn, "shop", "stock", {"A": ("sku:A", "4")})
    with store.read() as conn:
        found = links.find_many(conn, "shop", "stock", ["A", "B", "C"])
    assert {k: v.fingerprint for k, v in found.items()} == {"A": "4", "B": "0"}


def test_links_are_read_by_state_and_by_entity_without_loading_the_rest(store: Store) -> None:
    with store.transaction() as conn:
        for n, state in enumerate(["awaiting", "received", "awaiting", "received"]):
            links.save(
                conn,
                hub_id=f"h{n}",
                system="erp",
                entity_type="return",
                external_id=str(n),
                fingerprint=state,
            )
    with store.read() as conn:
        awaiting = links.all_of_type(conn, "erp", "return", fingerprint="awaiting")
        by_hub = links.of_hubs(conn, "erp", "return", ["h1", "h3", "unknown"])
        assert links.of_hubs(conn, "erp", "return", []) == {}
    assert sorted(awaiting) == ["0", "2"]
    assert {hub: link.external_id for hub, link in by_hub.items()} == {"h1": "1", "h3": "3"}


def test_a_cursor_reads_back_with_overlap_and_never_moves_backwards(store: Store) -> None:
    cursor = Cursor(store, "erp", "stock-moves", timedelta(minutes=2))
    assert cursor.window_start() is None
    t1 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert cursor.advance(t1)
    assert cursor.window_start() == t1 - timedelta(minutes=2)
    assert not cursor.advance(t1 - timedelta(hours=1))
    assert cursor.value() == t1
    assert not cursor.advance(None)
    # A naive timestamp (Tryton writes UTC without a zone) is taken as UTC.
    assert cursor.advance(datetime(2026, 11, 22, 13, 0))
    assert cursor.value() == datetime(2026, 11, 22, 13, 0, tzinfo=UTC)
