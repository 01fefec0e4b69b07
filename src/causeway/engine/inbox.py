"""The inbox: every change received is on disk before the sender hears "OK".

A webhook is written raw (body bytes and headers), together with the job that
will process it, in one transaction; only then is it acknowledged. The source's
event id is unique per source, so a redelivered webhook is acknowledged again
but stored and processed once.

Durable commits are the expensive part of ingress. `InboxWriter` batches the
records of concurrent requests into one transaction (group commit): every
request still waits for its own record to be committed, but a burst of 500
webhooks costs a handful of fsyncs instead of 500.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.schema import inbox
from causeway.engine.store import Store, now


@dataclass(frozen=True)
class InboxRecord:
    source: str
    event_id: str
    topic: str
    entity_key: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


# Keys a sender chose (event id, topic, the entity id in a body) go into the inbox's
# columns (engine/schema.py) and, after the system's name, into a job's ordering key
# (255 characters): past these lengths, or with a NUL (PostgreSQL text cannot hold
# one), the insert would fail, and with it every record group-committed alongside.
MAX_EVENT_ID = 128
MAX_TOPIC = 128
MAX_ENTITY_KEY = 160


def unstorable(record: InboxRecord) -> str | None:
    """Why the inbox cannot take this record as it is, or None when it can."""
    for what, value, limit in (
        ("event id", record.event_id, MAX_EVENT_ID),
        ("topic", record.topic, MAX_TOPIC),
        ("entity key", record.entity_key, MAX_ENTITY_KEY),
    ):
        if len(value) > limit:
            return f"the {what} is {len(value)} characters long; at most {limit} are kept"
        if "\x00" in value:
            return f"the {what} contains a NUL character"
    return None


@dataclass(frozen=True)
class StoredEvent:
    id: int
    source: str
    event_id: str
    topic: str
    entity_key: str
    body: bytes
    headers: dict[str, str]
    received_at: float


# Decides which flow job(s) a received record starts; given the new inbox id.
Router = Callable[[InboxRecord, int], Sequence[NewJob]]


@dataclass(frozen=True)
class FirstTopics:
    """Records of `checked` topics start jobs only as the first record of their entity
    from their source; an earlier record of one of `seen` (same source and entity key)
    means the entity is not new. (A notification that only names an order is left out of
    `seen`: the order's first record with its body is what is new.)"""

    checked: frozenset[str]
    seen: frozenset[str]


class FirstRecords(Protocol):
    """The jobs a record starts only when it is the first of its entity (a new order, not
    a later version of one): flows/enabled.py."""

    def first_topics(self) -> FirstTopics: ...

    def route_first(self, record: InboxRecord, inbox_id: int) -> Sequence[NewJob]: ...


class Inbox:
    def __init__(
        self, store: Store, jobs: JobQueue, router: Router, firsts: FirstRecords | None = None
    ) -> None:
        self.store = store
        self.jobs = jobs
        self.router = router
        # Set by the hub once its flows are built (they are built with this inbox).
        self.firsts = firsts

    def accept_in(self, conn: Connection, records: Sequence[InboxRecord]) -> list[bool]:
        """Store records and their jobs in the caller's transaction.

        For each record, False means its (source, event_id) was already there (or
        earlier in the same batch): a duplicate delivery, which must be
        acknowledged but not processed again. One multi-row insert serves the
        whole batch, which is what makes group commit cheap.
        """
        if not records:
            return []
        unique: dict[tuple[str, str], InboxRecord] = {}
        for record in records:
            unique.setdefault((record.source, record.event_id), record)
        stamp = now()
        insert = pg_insert(inbox) if self.store.is_postgres else sqlite_insert(inbox)
        statement = insert.on_conflict_do_nothing(index_elements=["source", "event_id"]).returning(
            inbox.c.id, inbox.c.source, inbox.c.event_id
        )
        rows = [
            dict(
                source=r.source,
                event_id=r.event_id,
                topic=r.topic,
                entity_key=r.entity_key,
                headers=json.dumps(r.headers),
                body=r.body,
                received_at=stamp,
            )
            for r in unique.values()
        ]
        stored = {(row.source, row.event_id): row.id for row in conn.execute(statement, rows)}
        new_jobs = [
            job for key, inbox_id in stored.items() for job in self.router(unique[key], inbox_id)
        ]
        if self.firsts is not None:
            new_jobs += [
                job
                for key in self._first_of_entity(conn, self.firsts.first_topics(), stored, unique)
                for job in self.firsts.route_first(unique[key], stored[key])
            ]
        self.jobs.enqueue_in(conn, new_jobs)
        claimed: set[tuple[str, str]] = set()
        results = []
        for record in records:
            key = (record.source, record.event_id)
            results.append(key in stored and key not in claimed)
            claimed.add(key)
        return results

    @staticmethod
    def _first_of_entity(
        conn: Connection,
        topics: FirstTopics,
        stored: Mapping[tuple[str, str], int],
        records: Mapping[tuple[str, str], InboxRecord],
    ) -> list[tuple[str, str]]:
        """The stored records of `topics.checked` that are the first record of their
        entity from their source among those of `topics.seen` (one indexed read, only
        when such a record came). Two transactions storing an entity's first records at
        once (PostgreSQL) may both find themselves first: a job too many, never none."""
        checked = {k: i for k, i in stored.items() if records[k].topic in topics.checked}
        if not checked:
            return []
        sources = {records[k].source for k in checked}
        entities = {records[k].entity_key for k in checked}
        first = dict(
            ((source, entity), earliest)
            for source, entity, earliest in conn.execute(
                select(inbox.c.source, inbox.c.entity_key, func.min(inbox.c.id))
                .where(
                    inbox.c.source.in_(sources),
                    inbox.c.entity_key.in_(entities),
                    inbox.c.topic.in_(topics.seen | topics.checked),
                )
                .group_by(inbox.c.source, inbox.c.entity_key)
            )
        )
        return [
            k
            for k, inbox_id in checked.items()
            if first.get((records[k].source, records[k].entity_key)) == inbox_id
        ]

    def accept(self, records: Sequence[InboxRecord]) -> list[bool]:
        with self.store.transaction() as conn:
            return self.accept_in(conn, records)

    def get(self, inbox_id: int) -> StoredEvent | None:
        return self.get_many([inbox_id]).get(inbox_id)

    def get_many(self, inbox_ids: Sequence[int]) -> dict[int, StoredEvent]:
        if not inbox_ids:
            return {}
        with self.store.read() as conn:
            rows = conn.execute(select(inbox).where(inbox.c.id.in_(list(inbox_ids))))
            return {row.id: stored_event(row) for row in rows}


def stored_event(row: Any) -> StoredEvent:
    """An inbox row as the event flows read."""
    return StoredEvent(
        row.id,
        row.source,
        row.event_id,
        row.topic,
        row.entity_key,
        bytes(row.body),
        json.loads(row.headers or "{}"),
        row.received_at,
    )


def bodies(conn: Connection, inbox_ids: Sequence[int]) -> list[bytes]:
    """The bodies of these records, by their ids: an index lookup, never an inbox scan."""
    rows = conn.execute(select(inbox.c.body).where(inbox.c.id.in_(list(inbox_ids)))).scalars()
    return [bytes(body) for body in rows]


def newest_event(
    conn: Connection, source: str, entity_key: str, topics: Sequence[str]
) -> StoredEvent | None:
    """The newest record of an entity from `source` with one of `topics`."""
    row = conn.execute(
        select(inbox)
        .where(
            inbox.c.source == source,
            inbox.c.entity_key == entity_key,
            inbox.c.topic.in_(topics),
        )
        .order_by(inbox.c.id.desc())
        .limit(1)
    ).first()
    return stored_event(row) if row is not None else None


def newest_kept(
    conn: Connection, source: str, entity_keys: Sequence[str], topics: Sequence[str]
) -> dict[str, StoredEvent | None]:
    """Entity key -> the newest record from `source` with one of `topics` that still
    holds its body; None when every such record was pruned (retention dropped its body);
    a key with no such record at all is left out. Bodies are read for the chosen records
    only, by their ids."""
    if not entity_keys:
        return {}
    rows = conn.execute(
        select(inbox.c.id, inbox.c.entity_key, inbox.c.pruned_at).where(
            inbox.c.source == source,
            inbox.c.entity_key.in_(list(entity_keys)),
            inbox.c.topic.in_(list(topics)),
        )
    )
    newest: dict[str, int | None] = {}
    for row in rows:
        kept = newest.setdefault(row.entity_key, None)
        if row.pruned_at is None and (kept is None or row.id > kept):
            newest[row.entity_key] = row.id
    ids = [i for i in newest.values() if i is not None]
    events: dict[int, StoredEvent] = {}
    if ids:
        found = conn.execute(select(inbox).where(inbox.c.id.in_(ids)))
        events = {row.id: stored_event(row) for row in found}
    return {key: events.get(i) if i is not None else None for key, i in newest.items()}


@dataclass(frozen=True)
class Delivery:
    event_id: str
    topic: str
    received_at: float


def deliveries(conn: Connection, source: str, entity_key: str) -> list[Delivery]:
    """What `source` sent about one entity, oldest first (no bodies)."""
    rows = conn.execute(
        select(inbox.c.event_id, inbox.c.topic, inbox.c.received_at)
        .where(inbox.c.source == source, inbox.c.entity_key == entity_key)
        .order_by(inbox.c.id)
    )
    return [Delivery(r.event_id, r.topic, r.received_at) for r in rows]


def last_received(conn: Connection, source: str, entity_type: str) -> dict[str, float]:
    """Entity id -> when `source` last sent something about it, for every entity of
    `entity_type` (inbox entity keys "<entity_type>:<id>")."""
    prefix = f"{entity_type}:"
    rows = conn.execute(
        select(inbox.c.entity_key, func.max(inbox.c.received_at).label("at"))
        .where(inbox.c.source == source, inbox.c.entity_key.like(f"{prefix}%"))
        .group_by(inbox.c.entity_key)
    )
    return {row.entity_key.removeprefix(prefix): row.at for row in rows}


class InboxWriter:
    """Group commit for the inbox: one writer thread, many waiting requests."""

    def __init__(self, inbox: Inbox, *, max_batch: int = 500) -> None:
        self.inbox = inbox
        self.max_batch = max_batch
        self._queue: queue.Queue[tuple[InboxRecord, Future[bool]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="inbox-writer", daemon=True)
        self.batches = 0
        self.records = 0

    def start(self) -> InboxWriter:
        self._thread.start()
        return self

    def submit(self, record: InboxRecord) -> Future[bool]:
        """Queue a record; the future resolves once it is committed (True) or was
        a duplicate (False), or carries the exception if the commit failed."""
        future: Future[bool] = Future()
        self._queue.put((record, future))
        return future

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            stopping = False
            while len(batch) < self.max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stopping = True
                    break
                batch.append(nxt)
            self._commit(batch)
            if stopping:
                return

    def _commit(self, batch: list[tuple[InboxRecord, Future[bool]]]) -> None:
        # The same event may arrive twice inside one batch; the first one wins.
        try:
            results = self.inbox.accept([record for record, _ in batch])
        except Exception as exc:  # the error goes to every waiting request
            for _, future in batch:
                future.set_exception(exc)
            return
        self.batches += 1
        self.records += len(batch)
        for (_, future), stored in zip(batch, results, strict=True):
            future.set_result(stored)
