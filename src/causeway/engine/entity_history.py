"""What the hub holds of one entity's traffic, whole: every inbox record a system sent
about it (with its body) and every job queued for it (with its payload, attempts, last
error and the errors of its earlier parkings). The console's order page shows them; the
JSON API's order view keeps to the lighter `inbox.deliveries` and `JobQueue.for_key`.

Each is capped at `limit`, the newest kept, so an order redelivered a thousand times
still opens quickly. Jobs are found by ix_jobs_ordering; the inbox has no index on
(source, entity_key) yet, which `inbox.deliveries` lacks too (see docs/console/order.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from causeway.engine import error_classes
from causeway.engine.schema import inbox, jobs

LIMIT = 200


@dataclass(frozen=True)
class ReceivedRecord:
    inbox_id: int
    event_id: str
    topic: str
    received_at: float
    body: bytes  # b"" once retention pruned it
    pruned_at: float | None


@dataclass(frozen=True)
class JobError:
    """One time the job was parked (its error_history, engine/jobs.py)."""

    at: float
    error: str
    error_class: str | None  # engine/error_classes.py's name; None: unclassified

    @property
    def class_label(self) -> str:
        return error_classes.label(self.error_class)


@dataclass(frozen=True)
class JobRecord:
    job_id: int
    flow: str
    state: str
    attempts: int
    max_attempts: int
    payload: dict[str, Any]
    last_error: str | None
    created_at: float
    updated_at: float
    run_at: float
    finished_at: float | None
    # Every parking, oldest first: a job replayed and then done keeps the errors it had.
    errors: tuple[JobError, ...] = ()

    @property
    def earlier_errors(self) -> tuple[JobError, ...]:
        """The parkings other than the one `last_error` already shows, newest first."""
        errors = self.errors
        if errors and self.last_error is not None and errors[-1].error == self.last_error:
            errors = errors[:-1]
        return tuple(reversed(errors))


def received(
    conn: Connection, source: str, entity_key: str, *, limit: int = LIMIT
) -> list[ReceivedRecord]:
    """What `source` sent about `entity_key` ("order:450789469"), oldest first: the
    newest `limit` of them."""
    rows = conn.execute(
        select(
            inbox.c.id,
            inbox.c.event_id,
            inbox.c.topic,
            inbox.c.received_at,
            inbox.c.body,
            inbox.c.pruned_at,
        )
        .where(inbox.c.source == source, inbox.c.entity_key == entity_key)
        .order_by(inbox.c.id.desc())
        .limit(limit)
    ).all()
    return [
        ReceivedRecord(r.id, r.event_id, r.topic, r.received_at, bytes(r.body or b""), r.pruned_at)
        for r in reversed(rows)
    ]


def queued(
    conn: Connection,
    ordering_key: str,
    *,
    clean: Callable[[str], str] = lambda text: text,
    limit: int = LIMIT,
) -> list[JobRecord]:
    """Every job of `ordering_key`, oldest first (the newest `limit`); errors and payloads
    pass through `clean` (the hub's redaction) before they leave the engine."""
    rows = conn.execute(
        select(jobs)
        .where(jobs.c.ordering_key == ordering_key)
        .order_by(jobs.c.id.desc())
        .limit(limit)
    ).all()
    return [
        JobRecord(
            job_id=r.id,
            flow=r.flow,
            state=r.state,
            attempts=r.attempts,
            max_attempts=r.max_attempts,
            payload=_payload(clean(r.payload or "{}")),
            last_error=clean(r.last_error) if r.last_error else None,
            created_at=r.created_at,
            updated_at=r.updated_at,
            run_at=r.run_at,
            finished_at=r.finished_at,
            errors=_errors(r.error_history, clean),
        )
        for r in reversed(rows)
    ]


def _errors(text: str | None, clean: Callable[[str], str]) -> tuple[JobError, ...]:
    try:
        entries = json.loads(text or "[]")
    except json.JSONDecodeError:
        return ()
    return tuple(
        JobError(float(e.get("at") or 0.0), clean(str(e.get("error", ""))), e.get("class"))
        for e in (entries if isinstance(entries, list) else [])
        if isinstance(e, dict)
    )


def _payload(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return {"unreadable": text}
    return value if isinstance(value, dict) else {"value": value}
