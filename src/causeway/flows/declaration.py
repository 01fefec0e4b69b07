"""How a flow is declared: one FlowDeclaration per flow, listed in flows/registry.py.

A declaration is all the rest of Causeway knows about a flow:
- `name`: its key under causeway.yaml's `flows:`;
- `settings`: the model of that key; config/models.py builds the `flows:` section from
  the declarations' models;
- `roles`: the settings that name systems, and the kinds of system each accepts; the
  config checks every flow's roles against `systems:` with these;
- `starts`: which received changes (inbox records) start one of its jobs, and the job
  each makes (its ordering key and payload);
- `run`: what a scheduled run of it enqueues;
- `build`: the flow object the workers run, made from a FlowContext and its settings;
- `implied`: settings the config implies when causeway.yaml leaves the flow out.
Nothing else names a flow: the hub, the config and the router (flows/enabled.py) read
the declarations. docs/architecture.md, "How a flow is declared", shows how to add one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from causeway.config.flows import FlowSettings
from causeway.config.systems import Kind, System
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.store import Store
from causeway.engine.worker import Flow

if TYPE_CHECKING:  # the config's model is built from the declarations
    from causeway.config.models import CausewayConfig

S = TypeVar("S", bound=FlowSettings)


class SourceToTarget(Protocol):
    """The settings of a flow that reads one system and writes another."""

    source: str
    target: str


# The payload of the job a scheduled run enqueues; None: a run only releases the
# changes the flow's schedule was holding.
RunPayload = dict[str, Any] | None


@dataclass(frozen=True)
class Role:
    """A setting that names the systems a flow connects: `key` in the flow's settings,
    one system (`many=False`) or a list of one or more, each of one of `kinds`
    (config/systems.py: STORE, ERP, CRM, DROP_FOLDER, or one type of system where only
    that type will do, such as ShopifySystem for Shopify's own privacy webhooks)."""

    key: str
    kinds: tuple[Kind, ...]
    many: bool = False
    # A list of entries (orders-to-erp's channels) names each one's system in this field.
    item: str | None = None

    def systems(self, settings: FlowSettings) -> list[str]:
        value = getattr(settings, self.key)
        if self.item is not None:
            return [getattr(entry, self.item) for entry in value]
        return list(value) if self.many else [value]


@dataclass(frozen=True)
class Starts(Generic[S]):
    """Which received changes start one of the flow's jobs: an inbox record from a
    system of `role` with one of `topics` starts the job `job(record, inbox_id)` makes."""

    role: str
    topics: Sequence[str] | Callable[[S], Sequence[str]]
    job: Callable[[InboxRecord, int], NewJob]
    # Those of `topics` the hub writes itself from a poll: routed, never subscribed.
    polled: Sequence[str] = ()
    # Those of `topics` a vendor sends only to URLs declared in the app's own
    # configuration (Shopify's privacy topics): routed, never subscribed through the API.
    app_only: Sequence[str] = ()
    # A trigger, not a change to hold for the next scheduled run: the job runs when it
    # is due even if the flow's schedule is not real time (stock-to-channels on an order).
    immediate: bool = False
    # Those of `topics` that start the job only with the first record of its entity from
    # the system (a new order, not each later version of it): first, that is, among its
    # records of `seen_in` and of these topics (engine/inbox.py FirstTopics).
    first_only: Sequence[str] = ()
    seen_in: Sequence[str] = ()

    def topics_for(self, settings: S) -> tuple[str, ...]:
        topics = self.topics(settings) if callable(self.topics) else self.topics
        return tuple(topics)


@dataclass(frozen=True)
class FlowContext:
    """What building a flow may use: the engine's parts, every system's connector by
    name, and the whole config, for facts a flow takes from another flow's settings
    (such as the sale reference prefix orders-to-erp gives each store)."""

    store: Store
    inbox: Inbox
    jobs: JobQueue
    connectors: Mapping[str, Any]
    config: CausewayConfig
    # SKU -> quantity held by orders taken that the ERP does not have yet (stock/held.py).
    held_quantities: Callable[[], Mapping[str, Decimal]]
    # The same, per store: each store's sales ship from their own warehouse.
    held_by_channel: Callable[[], Mapping[str, Mapping[str, Decimal]]]

    def system(self, name: str) -> System:
        return self.config.systems[name]

    def source_and_target(self, settings: SourceToTarget) -> dict[str, Any]:
        """The keyword arguments of a flow that reads one system (`source`) and writes
        another (`target`): their names and their connectors."""
        return {
            "source": settings.source,
            "source_connector": self.connectors[settings.source],
            "target": settings.target,
            "target_connector": self.connectors[settings.target],
        }


@dataclass(frozen=True)
class FlowDeclaration(Generic[S]):
    name: str
    settings: type[S]
    roles: tuple[Role, ...]
    build: Callable[[FlowContext, S], Flow]
    starts: Starts[S] | None = None
    run: RunPayload | Callable[[FlowContext, S], RunPayload] = field(default_factory=dict)
    # (its settings in causeway.yaml or None, the systems) -> the settings to use.
    implied: Callable[[S | None, Mapping[str, System]], S | None] | None = None

    def role(self, key: str) -> Role:
        for role in self.roles:
            if role.key == key:
                return role
        raise KeyError(f"{self.name} has no role {key!r}")

    def run_payload(self, context: FlowContext, settings: S) -> RunPayload:
        return self.run(context, settings) if callable(self.run) else self.run
