"""The per-job outcome loop every flow shares, written once.

A worker hands a flow a batch of claimed jobs and wants back, per job, None (done) or
the error that job met (engine/worker.py, the Flow protocol); the error's class decides
what happens next (a RetryableError backs off, a PermanentError parks the job). A flow
built on FlowBase only says what to do with one job:

- `on_run(payload)`: the flow's scheduled work. A job is a run when its payload asks
  for one (`{"poll": true}`, `{"run": true}`, `{"refresh": true}`: what the schedule,
  `causeway flow run` and `POST /api/flows/<name>/run` enqueue), or always for a flow
  with `runs_only` (its jobs carry no entity: stock-to-channels, margins-to-crm).
- `on_event(event)`: a job made from an inbox record (payload `inbox_id`). The records
  of the whole batch are read in one query; a job whose record is missing is parked
  with that reason and the rest of the batch goes on. A flow that needs the job too
  (is this its last attempt?) overrides `on_job_event(job, event)` instead.
- `on_job(job)`: any other job; it carries what it needs in its payload (a product id,
  a ticket id, an ERP party).

Every call is guarded: an exception is that job's outcome, never the batch's. A flow
that makes one remote call for many jobs (orders-to-erp places a batch of orders in one
ERP call) returns, from on_event or on_job, the item that job hands on, and gets all of
them in `on_batch`; should on_batch itself fail, every job it was given shares the error.
The type parameter is that item; None for a flow whose jobs are each done alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, ClassVar, Generic, TypeVar

from causeway.engine.inbox import Inbox, StoredEvent
from causeway.engine.jobs import Job
from causeway.errors import CausewayError, PermanentError
from causeway.flows.events import batch_events, event_for, inbox_id_of

log = logging.getLogger("causeway.flows")

Item = TypeVar("Item")
Outcomes = dict[int, BaseException | None]

# Payload keys whose true value asks for the flow's scheduled work.
RUN_KEYS = ("poll", "run", "refresh")


def is_run(payload: Mapping[str, Any]) -> bool:
    return any(payload.get(key) for key in RUN_KEYS)


class NoEventValidation(CausewayError):
    """The flow cannot check an edited record without acting on it (edit and replay,
    engine/problem_edits.py, is then refused for its jobs)."""


def event_validator(flow: object) -> Callable[[StoredEvent], object] | None:
    """How a flow the hub runs checks an edited record of its jobs (its validate_event),
    or None when it cannot: the console and `causeway problems edit` then offer no edit."""
    if getattr(flow, "validates_events", False):
        validate: Callable[[StoredEvent], object] = flow.validate_event  # type: ignore[attr-defined]
        return validate
    return None


class RunCounts:
    """For a flow whose runs count what they did ("pushed": 12): `counted()` keeps this
    thread's last run's counts, and `report()` hands them to the worker once (it asks
    after each batch, engine/worker.py, and keeps them in the run history)."""

    def counted(self, counts: Mapping[str, int]) -> None:
        self.__dict__.setdefault("_run_counts", threading.local()).counts = dict(counts)

    def report(self) -> dict[str, int]:
        last = self.__dict__.setdefault("_run_counts", threading.local())
        counts: dict[str, int] = getattr(last, "counts", {})
        last.counts = {}
        return counts


class FlowBase(Generic[Item]):
    """What the worker runs (engine/worker.py, Flow): subclasses set `name`, `batch_size`
    and `exclusive`, and `inbox` when their jobs are made from inbox records."""

    name: str
    batch_size: int
    exclusive: bool
    inbox: Inbox | None = None
    # True: every job is a run, whatever its payload (the flow has no per-entity jobs).
    runs_only: ClassVar[bool] = False
    # True: on_event only reads the event (no write, no remote call), so it doubles as
    # validate_event; a flow whose on_event acts overrides validate_event instead.
    on_event_only_reads: ClassVar[bool] = False

    def handle(self, jobs: Sequence[Job]) -> Outcomes:
        outcomes: Outcomes = {}
        work = []
        for job in jobs:
            if self.runs_only or is_run(job.payload):
                outcomes[job.id] = self.guard(job.id, partial(self.on_run, job.payload))
            else:
                work.append(job)
        if not work:
            return outcomes
        events = self._events(work)
        items: dict[int, Item] = {}
        for job in work:
            try:
                item = self._one(job, events)
            except Exception as exc:  # this job's outcome; the others go on
                outcomes[job.id] = self.failed(job.id, exc)
                continue
            if item is None:
                outcomes[job.id] = None
            else:
                items[job.id] = item
        if items:
            outcomes |= self._batch(items)
        return outcomes

    # -- what a flow says -----------------------------------------------------------
    def on_run(self, payload: Mapping[str, Any]) -> None:
        raise PermanentError(f"{self.name} has no scheduled run (job payload {dict(payload)})")

    def on_event(self, event: StoredEvent) -> Item | None:
        raise PermanentError(
            f"{self.name} takes no {event.topic} events ({event.source} {event.event_id})"
        )

    def on_job_event(self, job: Job, event: StoredEvent) -> Item | None:
        """on_event, for a flow that needs the job as well: one that keeps a state of its
        own marks it failed on the job's last attempt (Job.last_attempt)."""
        return self.on_event(event)

    def validate_event(self, event: StoredEvent) -> object:
        """Read `event` as this flow reads the events it takes, into the canonical model,
        with no side effect: how an operator's edited record is checked before it is
        accepted (edit and replay). Raises what reading it raises (InvalidPayloadError,
        a pydantic ValidationError, ...). The default is on_event itself where that only
        reads; otherwise the flow cannot check an edit and says so."""
        if self.on_event_only_reads:
            return self.on_event(event)
        raise NoEventValidation(
            f"{self.name} cannot check an edited record without acting on it: fix the "
            "cause in the source system and replay the job, or resolve it"
        )

    @property
    def validates_events(self) -> bool:
        """Whether validate_event can check an edit (the console offers the edit form)."""
        return self.on_event_only_reads or (
            type(self).validate_event is not FlowBase.validate_event
        )

    def on_job(self, job: Job) -> Item | None:
        raise PermanentError(
            f"{self.name} job {job.id} names no inbox record and asks for no run "
            f"(payload {job.payload}): nothing to do with it"
        )

    def on_batch(self, items: dict[int, Item]) -> Outcomes:
        raise NotImplementedError(f"{self.name} hands jobs on to a batch it does not handle")

    # -- the guard ------------------------------------------------------------------
    def guard(self, job_id: int, action: Callable[[], object]) -> BaseException | None:
        """Run `action` for one job: None when it succeeds, else its error."""
        try:
            action()
        except Exception as exc:  # becomes the job's outcome
            return self.failed(job_id, exc)
        return None

    def failed(self, job_id: int, error: Exception) -> Exception:
        """A job's error as its outcome. One Causeway did not raise on purpose is a bug
        or a surprise: its traceback is logged here, where it still exists."""
        if not isinstance(error, CausewayError):
            log.exception("%s job %s failed unexpectedly", self.name, job_id, exc_info=error)
        return error

    # -- the loop's steps -------------------------------------------------------------
    def _events(self, jobs: Sequence[Job]) -> Mapping[int, StoredEvent]:
        return batch_events(self.inbox, jobs) if self.inbox is not None else {}

    def _one(self, job: Job, events: Mapping[int, StoredEvent]) -> Item | None:
        inbox_id = inbox_id_of(job.payload)
        if inbox_id is None:
            return self.on_job(job)
        if self.inbox is None:
            raise PermanentError(
                f"{self.name} job {job.id} names inbox record {inbox_id}, but {self.name} "
                "reads no inbox records"
            )
        return self.on_job_event(job, event_for(job, events))

    def _batch(self, items: dict[int, Item]) -> Outcomes:
        try:
            return self.on_batch(items)
        except Exception as exc:  # the batch step failed: every job in it shares the error
            error = self.failed(min(items), exc)
            return dict.fromkeys(items, error)
