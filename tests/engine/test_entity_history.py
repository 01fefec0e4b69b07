"""An order's whole traffic for the console: what its store sent (bodies included) and
every job it started (payloads, attempts, errors), on SQLite and PostgreSQL."""

from __future__ import annotations

from causeway.engine import entity_history
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue, NewJob, ordering_key
from causeway.engine.store import Store


def test_an_orders_deliveries_and_jobs_come_back_whole_and_cleaned(store: Store) -> None:
    queue = JobQueue(store, clean_text=lambda text: text.replace("s3cret", "***"))
    inbox = Inbox(
        store,
        queue,
        lambda record, inbox_id: [
            NewJob(
                "orders-to-erp",
                ordering_key("shop", record.entity_key),
                {"inbox_id": inbox_id, "token": "s3cret"},
            )
        ],
    )
    inbox.accept([InboxRecord("shop", "e1", "orders/create", "order:7", b'{"id": 7}')])
    inbox.accept([InboxRecord("shop", "e2", "orders/updated", "order:7", b'{"id": 7, "n": 2}')])
    inbox.accept([InboxRecord("shop", "e3", "orders/create", "order:8", b'{"id": 8}')])
    (job,) = queue.claim("w", ["orders-to-erp"])
    queue.retry(job, "w", "Tryton unreachable with s3cret")

    with store.read() as conn:
        received = entity_history.received(conn, "shop", "order:7")
        jobs = entity_history.queued(
            conn, ordering_key("shop", "order", "7"), clean=queue.clean_text
        )
        newest = entity_history.received(conn, "shop", "order:7", limit=1)

    assert [(r.event_id, r.topic, r.body) for r in received] == [
        ("e1", "orders/create", b'{"id": 7}'),
        ("e2", "orders/updated", b'{"id": 7, "n": 2}'),
    ]
    assert [r.event_id for r in newest] == ["e2"]  # capped: the newest are kept
    assert [(j.flow, j.state, j.attempts) for j in jobs] == [
        ("orders-to-erp", "queued", 1),
        ("orders-to-erp", "queued", 0),
    ]
    assert jobs[0].last_error == "Tryton unreachable with ***"
    assert jobs[0].payload == {"inbox_id": received[0].inbox_id, "token": "***"}
    assert jobs[1].last_error is None
