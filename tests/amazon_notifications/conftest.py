"""Fixtures: one local SQS server per session, a fresh queue and inbox per test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue, NewJob, ordering_key
from causeway.engine.store import Store
from tests.amazon_notifications.local_sqs import LocalSqs, start_local_sqs


@pytest.fixture(scope="session")
def local_sqs() -> Iterator[LocalSqs]:
    local = start_local_sqs()
    yield local
    local.server.stop()


@dataclass
class RecordingRouter:
    """Starts one job per record, like a flow taking ORDER_CHANGE would."""

    routed: list[InboxRecord] = field(default_factory=list)

    def __call__(self, record: InboxRecord, inbox_id: int) -> list[NewJob]:
        self.routed.append(record)
        return [
            NewJob(
                "amazon-orders",
                ordering_key(record.source, record.entity_key),
                {"inbox_id": inbox_id},
            )
        ]


@pytest.fixture
def router() -> RecordingRouter:
    return RecordingRouter()


@pytest.fixture
def inbox(sqlite_store: Store, router: RecordingRouter) -> Inbox:
    return Inbox(sqlite_store, JobQueue(sqlite_store), router)
