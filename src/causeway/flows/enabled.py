"""The flows causeway.yaml enables, built from their declarations, and the routing of
every received change to them.

EnabledFlows is what the hub runs: a mapping of flow name -> flow object (the workers'
view), the schedule triggers, which jobs an inbox record starts, and which webhook
topics to subscribe each system to. It treats every flow the same way; what differs
is in the declarations (flows/registry.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from causeway.config.flows import FlowSettings
from causeway.engine.inbox import FirstTopics, Inbox, InboxRecord
from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.schedule import HELD_UNTIL, Schedule
from causeway.engine.scheduler import Trigger
from causeway.engine.store import Store
from causeway.engine.worker import Flow
from causeway.flows.declaration import FlowContext, FlowDeclaration, RunPayload
from causeway.flows.registry import FLOWS
from causeway.stock.held import held_by_channel, held_quantities

if TYPE_CHECKING:
    from causeway.config.models import CausewayConfig

log = logging.getLogger("causeway.flows")


@dataclass(frozen=True)
class EnabledFlow:
    declaration: FlowDeclaration[Any]
    settings: FlowSettings
    flow: Flow
    schedule: Schedule
    run_payload: RunPayload
    # Inbox records from one of `sources` with one of `topics` each start a job.
    sources: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    def takes(self, record: InboxRecord) -> bool:
        return record.source in self.sources and record.topic in self.topics

    def takes_if_first(self, record: InboxRecord) -> bool:
        """Takes it only as the first record of its entity (the inbox tells: route_first)."""
        starts = self.declaration.starts
        return starts is not None and self.takes(record) and record.topic in starts.first_only

    def subscribed(self, system: str) -> list[str]:
        """The topics `system` is asked to deliver as webhooks for this flow."""
        starts = self.declaration.starts
        if starts is None or system not in self.sources:
            return []
        internal = {*starts.polled, *starts.app_only}
        return [topic for topic in self.topics if topic not in internal]

    def app_only(self, system: str) -> list[str]:
        starts = self.declaration.starts
        if starts is None or system not in self.sources:
            return []
        return [topic for topic in self.topics if topic in starts.app_only]


def _enable(declaration: FlowDeclaration[Any], settings: Any, context: FlowContext) -> EnabledFlow:
    starts = declaration.starts
    return EnabledFlow(
        declaration,
        settings,
        declaration.build(context, settings),
        settings.effective_schedule(),
        declaration.run_payload(context, settings),
        sources=tuple(declaration.role(starts.role).systems(settings)) if starts else (),
        topics=starts.topics_for(settings) if starts else (),
    )


class EnabledFlows(Mapping[str, Flow]):
    def __init__(self, enabled: Sequence[EnabledFlow]) -> None:
        self.enabled = {e.declaration.name: e for e in enabled}

    @classmethod
    def build(
        cls,
        config: CausewayConfig,
        *,
        store: Store,
        inbox: Inbox,
        jobs: JobQueue,
        connectors: Mapping[str, Any],
    ) -> EnabledFlows:
        """Every flow causeway.yaml enables, in the order of flows/registry.py."""
        context = FlowContext(
            store,
            inbox,
            jobs,
            connectors,
            config,
            held_quantities=partial(held_quantities, store, inbox, jobs, connectors),
            held_by_channel=partial(held_by_channel, store, inbox, jobs, connectors),
        )
        configured = config.flows.configured()
        return cls([_enable(d, configured[d.name], context) for d in FLOWS if d.name in configured])

    # -- the workers' view: flow name -> flow object -----------------------------
    def __getitem__(self, name: str) -> Flow:
        return self.enabled[name].flow

    def __iter__(self) -> Iterator[str]:
        return iter(self.enabled)

    def __len__(self) -> int:
        return len(self.enabled)

    # -- schedules and routing ----------------------------------------------------
    def triggers(self) -> list[Trigger]:
        return [Trigger(name, e.schedule, e.run_payload) for name, e in self.enabled.items()]

    def route(self, record: InboxRecord, inbox_id: int) -> list[NewJob]:
        """Which flows a received change starts. Unrouted records stay in the inbox.

        A flow whose schedule is not real time gets the job held: it waits, durably,
        for the flow's next run to release it.
        """
        started = []
        for enabled in self.enabled.values():
            starts = enabled.declaration.starts
            if starts is None or not enabled.takes(record) or enabled.takes_if_first(record):
                continue
            started.append(self._job(enabled, record, inbox_id))
        if not started and not any(e.takes_if_first(record) for e in self.enabled.values()):
            log.info(
                "no flow takes %s from %s; kept in the inbox only", record.topic, record.source
            )
        return started

    def first_topics(self) -> FirstTopics:
        """The topics whose records start jobs only as their entity's first record, and
        those whose earlier records mean the entity is not new (engine/inbox.py)."""
        checked: set[str] = set()
        seen: set[str] = set()
        for enabled in self.enabled.values():
            starts = enabled.declaration.starts
            if starts is not None:
                checked.update(t for t in starts.first_only if t in enabled.topics)
                seen.update(starts.seen_in)
        return FirstTopics(frozenset(checked), frozenset(seen))

    def route_first(self, record: InboxRecord, inbox_id: int) -> list[NewJob]:
        """The jobs `record` starts as the first record of its entity (the inbox found it
        so): those of the flows that take its topic only then."""
        return [
            self._job(enabled, record, inbox_id)
            for enabled in self.enabled.values()
            if enabled.takes_if_first(record)
        ]

    @staticmethod
    def _job(enabled: EnabledFlow, record: InboxRecord, inbox_id: int) -> NewJob:
        starts = enabled.declaration.starts
        assert starts is not None
        job = starts.job(record, inbox_id)
        if enabled.schedule.holds_changes and not starts.immediate:
            job = replace(job, run_at=HELD_UNTIL)
        return job

    def webhook_topics(self, system: str) -> list[str]:
        """The webhook topics some flow takes from `system`, to subscribe to."""
        return sorted({t for e in self.enabled.values() for t in e.subscribed(system)})

    def app_topics(self, system: str) -> list[str]:
        """The topics some flow takes from `system` that its vendor only sends to URLs
        declared in the app's configuration (Shopify's privacy webhooks)."""
        return sorted({t for e in self.enabled.values() for t in e.app_only(system)})
