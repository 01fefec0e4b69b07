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


def batch_events(inbox: Inbox, jobs: Sequence[Job]) -> Mapping[int, StoredEvent]:
    """The inbox records of the jobs that have one, by inbox id, in one read."""
    return inbox.get_many([int(j.payload["inbox_id"]) for j in jobs if "inbox_id" in j.payload])


def event_for(job: Job, events: Mapping[int, StoredEvent]) -> StoredEvent:
    inbox_id = int(job.payload.get("inbox_id", -1))
    event = events.get(inbox_id)
    if event is None:
        raise PermanentError(f"job {job.id}: inbox record {inbox_id} is missing")
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
