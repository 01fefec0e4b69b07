"""orders-to-erp over several stores: one OrdersToErp per channel, each with its own
reference prefix, tax map and sale terms, and a batch of jobs split by the store it
came from, so each channel's orders are placed with that channel's terms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from causeway.engine.inbox import StoredEvent
from causeway.engine.jobs import Job, system_of
from causeway.errors import PermanentError
from causeway.flows.base import Outcomes, is_run
from causeway.flows.orders_to_erp.flow import NAME, OrdersToErp


class OrdersFromChannels:
    """What the worker runs for orders-to-erp: hands each job to its channel's flow."""

    name = NAME

    def __init__(self, channels: Mapping[str, OrdersToErp], *, polled: Sequence[str]) -> None:
        if not channels:
            raise ValueError("orders-to-erp needs at least one channel")
        self.channels = dict(channels)
        self.polled = tuple(polled)  # the channels a run polls (not drop folders)
        first = next(iter(self.channels.values()))
        self.batch_size = first.batch_size
        # Not exclusive: the channels' batches run side by side (OrdersToErp.exclusive).
        self.exclusive = first.exclusive

    def channel(self, system: str) -> OrdersToErp:
        return self.channels[system]

    # Every channel's flow reads its own orders without acting (OrdersToErp).
    validates_events = True

    def validate_event(self, event: StoredEvent) -> object:
        """The order in `event`, read by the channel that sent it (edit and replay)."""
        if event.source not in self.channels:
            raise PermanentError(f"{event.source!r} is not one of {sorted(self.channels)}")
        return self.channels[event.source].validate_event(event)

    def handle(self, jobs: Sequence[Job]) -> Outcomes:
        outcomes: Outcomes = {}
        runs = [job for job in jobs if is_run(job.payload)]
        for job in runs:
            outcomes[job.id] = self._run(job.id, job.payload)
        by_channel: dict[str, list[Job]] = {}
        for job in jobs:
            if job in runs:
                continue
            system = system_of(job.ordering_key)  # order_job keys each job by its store
            if system in self.channels:
                by_channel.setdefault(system, []).append(job)
            else:
                outcomes[job.id] = PermanentError(
                    f"orders-to-erp job {job.id} ({job.ordering_key}) is from {system!r}, "
                    f"which is not one of its channels {sorted(self.channels)}"
                )
        for system, channel_jobs in by_channel.items():
            outcomes |= self.channels[system].handle(channel_jobs)
        return outcomes

    def _run(self, job_id: int, payload: Mapping[str, Any]) -> BaseException | None:
        # Every channel reconciles even when one fails; the run's outcome is the first
        # error (so it is retried as that error says), the others are logged by guard.
        errors = [
            self.channels[system].guard(job_id, partial(self.channels[system].on_run, payload))
            for system in self.polled
        ]
        return next((error for error in errors if error is not None), None)
