"""ORDER_CHANGE notifications from a real SQS-compatible queue (moto's server, over HTTP)
into the inbox: stored once, deleted only after the inbox committed, malformed messages
kept as rejected, a batch of 25 all stored, SQS failures retried with backoff."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sqlalchemy import select

from causeway.connectors.amazon_notifications import (
    REJECTED_TOPIC,
    TOPIC,
    NotificationReader,
    drain,
)
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue
from causeway.engine.schema import inbox as inbox_table
from causeway.engine.schema import jobs as jobs_table
from causeway.engine.store import Store
from causeway.errors import PermanentError, RetryableError
from tests import essential
from tests.amazon_notifications import local_sqs as local
from tests.amazon_notifications.conftest import RecordingRouter
from tests.amazon_notifications.local_sqs import LocalSqs, notification

SOURCE = "amazon-eu"


def send(local: LocalSqs, queue_url: str, *bodies: dict[str, Any] | str) -> None:
    client = local.client()
    for body in bodies:
        text = body if isinstance(body, str) else json.dumps(body)
        client.send_message(QueueUrl=queue_url, MessageBody=text)


def stored(store: Store) -> list[Any]:
    with store.read() as conn:
        return list(conn.execute(select(inbox_table).order_by(inbox_table.c.id)))


def job_count(store: Store) -> int:
    with store.read() as conn:
        return len(list(conn.execute(select(jobs_table.c.id))))


def test_notifications_land_in_the_inbox_once_and_leave_the_queue(
    local_sqs: LocalSqs, inbox: Inbox, sqlite_store: Store, router: RecordingRouter
) -> None:
    queue_url = local_sqs.new_queue()
    first = notification("nid-1", "111-0000001-0000001", status="Pending")
    second = notification("nid-2", "111-0000001-0000001", status="Unshipped")
    third = notification("nid-3", "111-0000003-0000003", status="Canceled")
    # Amazon delivering nid-1 twice: two SQS messages, one notification.
    send(local_sqs, queue_url, first, second, third, first)

    counts = drain(local_sqs.settings(queue_url), inbox, SOURCE)

    rows = stored(sqlite_store)
    assert [(r.source, r.event_id, r.topic, r.entity_key) for r in rows] == [
        (SOURCE, "nid-1", TOPIC, "order:111-0000001-0000001"),
        (SOURCE, "nid-2", TOPIC, "order:111-0000001-0000001"),
        (SOURCE, "nid-3", TOPIC, "order:111-0000003-0000003"),
    ]
    assert json.loads(rows[0].body) == first  # the raw body, as Amazon sent it
    assert json.loads(rows[2].headers)["x-amazon-order-status"] == "Canceled"
    assert (counts.received, counts.stored, counts.duplicates, counts.deleted) == (4, 3, 1, 4)
    assert local_sqs.depth(queue_url) == 0
    assert job_count(sqlite_store) == 3 and len(router.routed) == 3

    # A redelivery long after (the same notification again): nothing new anywhere.
    send(local_sqs, queue_url, second)
    again = drain(local_sqs.settings(queue_url), inbox, SOURCE)
    assert (again.stored, again.duplicates, again.deleted) == (0, 1, 1)
    assert len(stored(sqlite_store)) == 3 and job_count(sqlite_store) == 3
    assert local_sqs.depth(queue_url) == 0


class FailingOnce(Inbox):
    """An inbox whose first write fails, as a lost database connection would."""

    failures = 0

    def accept(self, records: Sequence[InboxRecord]) -> list[bool]:
        if not self.failures:
            self.failures += 1
            raise RuntimeError("database went away")
        return super().accept(records)


def test_a_failed_inbox_write_deletes_nothing_and_the_message_comes_back(
    local_sqs: LocalSqs, sqlite_store: Store, router: RecordingRouter
) -> None:
    queue_url = local_sqs.new_queue(visibility_timeout=1)
    send(local_sqs, queue_url, notification("nid-f", "222-0000001-0000001"))
    inbox = FailingOnce(sqlite_store, JobQueue(sqlite_store), router)
    # The long poll outlasts the visibility timeout: it is what waits for the redelivery.
    reader = NotificationReader(local_sqs.settings(queue_url, wait_seconds=5), inbox, SOURCE)

    with pytest.raises(RuntimeError, match="database went away"):
        reader.drain_once()
    assert stored(sqlite_store) == []
    assert local_sqs.depth(queue_url) == 1  # in flight, not deleted

    counts = reader.drain_once()

    (row,) = stored(sqlite_store)
    assert (row.event_id, counts.stored, counts.deleted) == ("nid-f", 1, 1)
    assert json.loads(row.headers)["x-sqs-approximate-receive-count"] == "2"
    assert local_sqs.depth(queue_url) == 0


class DeleteLost:
    """An SQS client whose first delete never arrives: a crash after the inbox commit."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.lost = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def delete_message_batch(self, **request: Any) -> Any:
        if not self.lost:
            self.lost += 1
            raise ClientError({"Error": {"Code": "AccessDenied"}}, "DeleteMessageBatch")
        return self.client.delete_message_batch(**request)


def test_a_crash_between_commit_and_delete_is_absorbed_by_the_dedupe(
    local_sqs: LocalSqs, inbox: Inbox, sqlite_store: Store
) -> None:
    queue_url = local_sqs.new_queue(visibility_timeout=1)
    send(local_sqs, queue_url, notification("nid-c", "333-0000001-0000001"), "{broken")
    client = DeleteLost(local_sqs.client())
    reader = NotificationReader(
        local_sqs.settings(queue_url, wait_seconds=5), inbox, SOURCE, client=client
    )

    first = reader.drain_once()
    assert (first.stored, first.rejected, first.deleted, first.delete_failures) == (1, 1, 0, 2)
    second = reader.drain_once()  # both come back after the visibility timeout

    assert (second.received, second.stored, second.duplicates, second.deleted) == (2, 0, 2, 2)
    assert sorted(r.topic for r in stored(sqlite_store)) == [TOPIC, REJECTED_TOPIC]
    assert local_sqs.depth(queue_url) == 0


def test_malformed_messages_are_kept_as_rejected_with_the_reason_and_not_retried(
    local_sqs: LocalSqs, inbox: Inbox, sqlite_store: Store, router: RecordingRouter
) -> None:
    queue_url = local_sqs.new_queue()
    no_order = notification("nid-x", "")
    other_type = notification("nid-y", "444-0000001-0000001") | {
        "NotificationType": "ANY_OFFER_CHANGED"
    }
    send(local_sqs, queue_url, "not json at all", no_order, other_type)
    send(local_sqs, queue_url, notification("nid-ok", "444-0000002-0000002"))

    counts = drain(local_sqs.settings(queue_url), inbox, SOURCE)

    rows = stored(sqlite_store)
    rejected = [r for r in rows if r.topic == REJECTED_TOPIC]
    assert (counts.stored, counts.rejected, counts.deleted) == (1, 3, 4)
    assert [r.event_id for r in rows if r.topic == TOPIC] == ["nid-ok"]
    assert {r.body for r in rejected} == {
        b"not json at all",
        json.dumps(no_order).encode(),
        json.dumps(other_type).encode(),
    }
    reasons = sorted(json.loads(r.headers)["x-rejected-reason"] for r in rejected)
    assert any("Invalid JSON" in reason for reason in reasons)
    assert any("AmazonOrderId" in reason for reason in reasons)
    assert any("ANY_OFFER_CHANGED" in reason for reason in reasons)
    for row in rejected:
        assert row.event_id.startswith("sqs:") and row.entity_key.startswith("rejected:")
    assert local_sqs.depth(queue_url) == 0


def test_a_batch_of_25_is_stored_whole(
    local_sqs: LocalSqs, inbox: Inbox, sqlite_store: Store
) -> None:
    queue_url = local_sqs.new_queue()
    client = local_sqs.client()
    bodies = [notification(f"nid-{i:02}", f"555-0000000-00000{i:02}") for i in range(25)]
    for start in range(0, 25, 10):  # SQS takes at most 10 per batch send
        chunk = bodies[start : start + 10]
        client.send_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "MessageBody": json.dumps(b)} for i, b in enumerate(chunk)],
        )

    counts = drain(local_sqs.settings(queue_url), inbox, SOURCE)

    assert sorted(r.event_id for r in stored(sqlite_store)) == [f"nid-{i:02}" for i in range(25)]
    assert (counts.received, counts.stored, counts.deleted) == (25, 25, 25)
    assert counts.batches >= 4  # at most 10 a receive, and one empty receive to finish
    assert local_sqs.depth(queue_url) == 0


class Throttling:
    """An SQS client that answers the first `times` receives with throttling."""

    def __init__(self, client: Any, times: int, code: str = "ThrottlingException") -> None:
        self.client, self.times, self.code = client, times, code

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def receive_message(self, **request: Any) -> Any:
        if self.times:
            self.times -= 1
            error = {"Error": {"Code": self.code}, "ResponseMetadata": {"HTTPStatusCode": 400}}
            raise ClientError(error, "ReceiveMessage")
        return self.client.receive_message(**request)


def test_throttling_is_waited_out_with_growing_backoff(
    local_sqs: LocalSqs, inbox: Inbox, sqlite_store: Store
) -> None:
    queue_url = local_sqs.new_queue()
    send(local_sqs, queue_url, notification("nid-t", "666-0000001-0000001"))
    waits: list[float] = []
    reader = NotificationReader(
        local_sqs.settings(queue_url),
        inbox,
        SOURCE,
        client=Throttling(local_sqs.client(), times=3),
        sleep=waits.append,
    )

    counts = reader.drain_once()

    assert counts.stored == 1 and reader.transient_retries == 3
    assert len(waits) == 3
    # 0.5, 1, 2 s of exponential backoff, each with up to 1 s of jitter.
    assert [0.5 <= waits[0] <= 1.5, 1 <= waits[1] <= 2, 2 <= waits[2] <= 3] == [True] * 3


def test_a_queue_that_keeps_failing_becomes_a_retryable_error_and_a_refusal_permanent(
    local_sqs: LocalSqs, inbox: Inbox
) -> None:
    queue_url = local_sqs.new_queue()
    waits: list[float] = []
    storm = NotificationReader(
        local_sqs.settings(queue_url),
        inbox,
        SOURCE,
        client=Throttling(local_sqs.client(), times=100),
        sleep=waits.append,
    )
    with pytest.raises(RetryableError, match="SQS ReceiveMessage unavailable after 6 attempts"):
        storm.drain_once()
    assert len(waits) == 5

    missing = NotificationReader(
        local_sqs.settings(queue_url.rsplit("/", 1)[0] + "/no-such-queue"),
        inbox,
        SOURCE,
        sleep=waits.append,
    )
    with pytest.raises(PermanentError, match="check the queue URL"):
        missing.drain_once()
    assert len(waits) == 5  # a refusal is not retried


def test_the_local_server_failing_to_start_fails_the_tests_under_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under CI=true a missing local SQS is a failure, never a silent skip."""
    monkeypatch.setattr(essential, "IN_CI", True)
    monkeypatch.setattr(local, "START_TIMEOUT", 1.0)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(pytest.fail.Exception, match="CI=true"):
            local.start_local_sqs(port=port)


def test_the_reader_thread_keeps_reading_through_a_failure_and_stops_when_told(
    local_sqs: LocalSqs, sqlite_store: Store, router: RecordingRouter
) -> None:
    """run(stop) is what the hub spawns: a failed round backs off, then reading goes on."""
    queue_url = local_sqs.new_queue(visibility_timeout=1)
    inbox = FailingOnce(sqlite_store, JobQueue(sqlite_store), router)
    reader = NotificationReader(local_sqs.settings(queue_url), inbox, SOURCE)
    stop = threading.Event()
    thread = threading.Thread(target=reader.run, args=(stop,), daemon=True)
    thread.start()
    send(local_sqs, queue_url, *(notification(f"nid-r{i}", f"777-000000{i}") for i in range(3)))

    deadline = time.monotonic() + 20
    while len(stored(sqlite_store)) < 3 and time.monotonic() < deadline:
        stop.wait(0.1)
    stop.set()
    thread.join(timeout=10)

    assert not thread.is_alive()
    assert inbox.failures == 1
    assert sorted(r.event_id for r in stored(sqlite_store)) == ["nid-r0", "nid-r1", "nid-r2"]
    assert local_sqs.depth(queue_url) == 0
