"""Edit and replay: a person corrects the record a parked job was made from, then replays it.

The edited JSON is validated before anything is stored: the job's flow reads it as it
would read the event it replaces (`validate`, the flow's validate_event: the channel's
own parsing into the canonical model, without side effects). A valid edit becomes a NEW
inbox record (same source, topic and entity key; event id "<original>:edit:<n>"), the
job's payload points at it and names the record it was `edited_from`, the original
record stays as it was received, the difference goes into the audit log, and the job is
queued again: all in one transaction. An invalid edit changes nothing; the errors say why.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, func, select, update

from causeway.engine import audit
from causeway.engine.inbox import StoredEvent, stored_event
from causeway.engine.jobs import DEAD, JobQueue
from causeway.engine.problems import replay_audited
from causeway.engine.schema import inbox, jobs
from causeway.engine.store import now

# The payload keys a job names its inbox record by (flows/events.py INBOX_KEYS).
INBOX_KEYS = ("inbox_id", "inbox")
EDIT_MARK = ":edit:"
MAX_BODY = 1_000_000

# The flow's reading of one event; raises when it cannot read it.
Validate = Callable[[StoredEvent], object]


class EditRefused(ValueError):
    """The edit was not accepted: `errors` says why, one line each; nothing changed."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class EditedRecord:
    job_id: int
    original_id: int
    new_id: int
    event_id: str
    # (path, before, after) for each value the edit changed.
    changes: list[tuple[str, Any, Any]]


def inbox_id_of(payload: dict[str, Any]) -> tuple[str, int] | None:
    """(the payload key, the inbox id) of a job made from an inbox record, or None."""
    for key in INBOX_KEYS:
        value = payload.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return key, value
    return None


def record_of(queue: JobQueue, job_id: int) -> StoredEvent | None:
    """The inbox record a job was made from (None: the job has none, or it is gone)."""
    with queue.store.read() as conn:
        payload = conn.execute(select(jobs.c.payload).where(jobs.c.id == job_id)).scalar()
        named = inbox_id_of(json.loads(payload or "{}"))
        if named is None:
            return None
        row = conn.execute(select(inbox).where(inbox.c.id == named[1])).first()
    return stored_event(row) if row is not None else None


def body_json(event: StoredEvent) -> Any:
    """A record's body as JSON, or None when it is not JSON (or was pruned)."""
    try:
        return json.loads(event.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def validation_errors(error: BaseException) -> list[str]:
    """What a person reads of a failed validation: one line per problem."""
    if isinstance(error, ValidationError):
        return [
            f"{'.'.join(str(part) for part in e['loc']) or '(body)'}: {e['msg']}"
            for e in error.errors()
        ]
    return [str(error) or type(error).__name__]


def parse_edit(text: str) -> dict[str, Any]:
    if len(text) > MAX_BODY:
        raise EditRefused([f"the edited JSON is {len(text)} characters; at most {MAX_BODY}"])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EditRefused([f"not JSON: {exc}"]) from None
    if not isinstance(data, dict):
        raise EditRefused(["the edited record must be a JSON object, as the original is"])
    return data


def changes(before: Any, after: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """The values that differ between two JSON documents, by path ("line_items.0.sku")."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in sorted(set(before) | set(after), key=str):
            sub = f"{path}.{key}" if path else str(key)
            found += changes(before.get(key), after.get(key), sub)
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            change
            for i, (b, a) in enumerate(zip(before, after, strict=True))
            for change in changes(b, a, f"{path}.{i}" if path else str(i))
        ]
    return [] if before == after else [(path or "(body)", before, after)]


def edit_and_replay(
    queue: JobQueue, job_id: int, edited: str, *, validate: Validate, actor: str
) -> EditedRecord:
    """Validate `edited` (the record's body as JSON text) with the flow's own reading,
    store it as a new record, point the parked job at it and replay the job.
    Raises EditRefused, with nothing changed, when the edit cannot be taken."""
    data = parse_edit(edited)
    with queue.store.read() as conn:
        job = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
    if job is None or job.state != DEAD:
        raise EditRefused([f"job {job_id} is not parked (or does not exist); nothing changed"])
    payload = json.loads(job.payload or "{}")
    named = inbox_id_of(payload)
    original = record_of(queue, job_id)
    if named is None or original is None:
        raise EditRefused(
            [f"job {job_id} was made from no inbox record (or it was deleted): nothing to edit"]
        )
    before = body_json(original)
    if before is None:
        raise EditRefused(
            [f"record {original.id}'s body is not JSON (or was pruned): not editable"]
        )
    diff = changes(before, data)
    if not diff:
        raise EditRefused(["the edit changes nothing: replay the job instead"])
    root_id = payload.get("edited_from", original.id)
    body = json.dumps(data, ensure_ascii=False).encode()
    with queue.store.transaction() as conn:
        root_event_id = _event_id(conn, root_id) or original.event_id
        event_id = f"{root_event_id}{EDIT_MARK}{_edits_so_far(conn, original, root_event_id) + 1}"
        candidate = StoredEvent(
            0,
            original.source,
            event_id,
            original.topic,
            original.entity_key,
            body,
            original.headers,
            now(),
        )
        try:
            validate(candidate)
        except Exception as exc:  # any failure to read the edit refuses it
            raise EditRefused(validation_errors(exc)) from None
        new_id = conn.execute(
            inbox.insert()
            .values(
                source=original.source,
                event_id=event_id,
                topic=original.topic,
                entity_key=original.entity_key,
                headers=json.dumps(original.headers),
                body=body,
                received_at=candidate.received_at,
            )
            .returning(inbox.c.id)
        ).scalar_one()
        new_payload = {**payload, named[0]: new_id, "edited_from": root_id}
        conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state == DEAD)
            .values(payload=json.dumps(new_payload), updated_at=now())
        )
        audit.record(
            conn,
            actor=actor,
            action="job.edit",
            subject=f"job:{job_id}",
            before={"inbox_id": original.id, "body": before},
            after={
                "inbox_id": new_id,
                "body": data,
                "changed": [{"path": p, "before": b, "after": a} for p, b, a in diff],
            },
        )
        replay_audited(conn, queue, [job_id], actor=actor, inbox_id=new_id)
    return EditedRecord(job_id, original.id, new_id, event_id, diff)


def _event_id(conn: Connection, inbox_id: int) -> str | None:
    return conn.execute(select(inbox.c.event_id).where(inbox.c.id == inbox_id)).scalar()


def _edits_so_far(conn: Connection, original: StoredEvent, root_event_id: str) -> int:
    prefix = f"{root_event_id}{EDIT_MARK}"
    return conn.execute(
        select(func.count()).where(
            inbox.c.source == original.source,
            inbox.c.event_id.startswith(prefix, autoescape=True),
        )
    ).scalar_one()
