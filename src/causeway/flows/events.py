"""How a flow reads the inbox records its jobs were made from.

Every event-driven job carries the id of its inbox record. A batch's records are
read in one query; a record that is missing, or whose body is not a JSON object,
is a permanent error with a reason that names the event, so the job is parked and
the rest of the batch goes on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from causeway.engine.inbox import Inbox, StoredEvent
from causeway.engine.jobs import Job
from causeway.errors import InvalidPayloadError, PermanentError

# The payload key naming a job's inbox record; customers-sync's contact jobs name it
# "inbox" (jobs already queued keep that name, so both are read).
INBOX_KEYS = ("inbox_id", "inbox")


def inbox_id_of(payload: Mapping[str, Any]) -> int | None:
    """The inbox record a job was made from, or None for a job made from none."""
    for key in INBOX_KEYS:
        value = payload.get(key)
        if value is None:
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise InvalidPayloadError(f"job payload {key}={value!r} is no inbox record id")
    return None


def batch_events(inbox: Inbox, jobs: Sequence[Job]) -> Mapping[int, StoredEvent]:
    """The inbox records of the jobs that have one, by inbox id, in one read."""
    ids = []
    for job in jobs:
        try:
            inbox_id = inbox_id_of(job.payload)
        except InvalidPayloadError:
            continue  # event_for parks that job with the reason; the others are read
        if inbox_id is not None:
            ids.append(inbox_id)
    return inbox.get_many(ids)


def event_for(job: Job, events: Mapping[int, StoredEvent]) -> StoredEvent:
    """The job's inbox record; a job whose record is missing is parked with that reason."""
    inbox_id = inbox_id_of(job.payload)
    event = events.get(inbox_id) if inbox_id is not None else None
    if event is None:
        raise PermanentError(
            f"{job.flow} job {job.id}: its inbox record {inbox_id} is missing, so there is "
            "nothing to process"
        )
    return event


def json_object(event: StoredEvent) -> dict[str, Any]:
    try:
        data = json.loads(event.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidPayloadError(
            f"{event.topic} event {event.event_id}: body is not JSON ({exc})"
        ) from None
    if not isinstance(data, dict):
        raise InvalidPayloadError(
            f"{event.topic} event {event.event_id}: body is not a JSON object"
        )
    return data
