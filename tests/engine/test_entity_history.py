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


def test_a_job_replayed_keeps_the_errors_of_its_earlier_parkings(store: Store) -> None:
    queue = JobQueue(store, clean_text=lambda text: text.replace("s3cret", "***"))
    queue.enqueue(NewJob("orders-to-erp", ordering_key("shop", "order:7"), {"inbox_id": 1}))
    key = ordering_key("shop", "order", "7")

    def jobs() -> list[entity_history.JobRecord]:
        with store.read() as conn:
            return entity_history.queued(conn, key, clean=queue.clean_text)

    (job,) = queue.claim("w", ["orders-to-erp"])
    queue.kill(job, "w", "unknown product: no SKU WID-001 (s3cret)")
    (parked,) = jobs()
    # Parked once: the error is its last error, not an earlier one too.
    assert [e.error for e in parked.errors] == ["unknown product: no SKU WID-001 (***)"]
    assert parked.earlier_errors == ()

    queue.replay(job.id)
    (job,) = queue.claim("w", ["orders-to-erp"])
    queue.kill(job, "w", "rejected: the ERP refused the sale")
    (again,) = jobs()
    assert again.last_error == "rejected: the ERP refused the sale"
    assert [e.error for e in again.earlier_errors] == ["unknown product: no SKU WID-001 (***)"]

    queue.replay(job.id)
    (job,) = queue.claim("w", ["orders-to-erp"])
    queue.complete(job, "w")
    (done,) = jobs()
    assert (done.state, done.last_error) == ("done", None)
    # Done at last: both errors it had on the way are still there, newest first.
    assert [e.error for e in done.earlier_errors] == [
        "rejected: the ERP refused the sale",
        "unknown product: no SKU WID-001 (***)",
    ]
    assert done.earlier_errors[0].at >= done.earlier_errors[1].at
