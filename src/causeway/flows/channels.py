"""A flow that serves a list of stores: its settings, and finding the store of a job.

Settings: `channels: [{system: shop_eu, ...}, {system: shop_us}]`, each entry naming one
store and holding what the flow needs of that store (payments-and-invoices: its payment
method). Configs written before channel lists name one store as `source: shop`; that
still reads, as one channel with only its system. The declaration's role is
Role("channels", kinds, many=True, item="system"), so the config checks each store.

At run time a flow keeps its channels by system name and finds a job's channel by the
store its inbox record came from (`channel_of`).

payments-and-invoices, cancellations and returns-to-erp use it. orders-to-erp (whose
one-store form also moves `reference_prefix` and `tax_map` into the channel) and
stock-to-channels (`targets: [...]`) still check their own lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Generic, Self, TypeVar

from pydantic import Field, model_validator

from causeway.config.channels import ChannelEntry
from causeway.config.flows import FlowSettings
from causeway.engine.inbox import StoredEvent
from causeway.errors import PermanentError

E = TypeVar("E", bound=ChannelEntry)
T = TypeVar("T")


class ChannelsFlow(FlowSettings, Generic[E]):
    """The settings of a flow serving a list of stores (`channels`), or one (`source`).

    A flow's settings subclass ChannelsFlow[ItsEntry]; `channel_example` is one entry
    written out, shown in the messages that explain the form."""

    channel_example: ClassVar[str] = "{system: shop_eu}"

    source: str | None = Field(
        default=None, description="the one store served (the older form; or use channels)"
    )
    channels: list[E] = Field(
        default_factory=list, description="the stores served, each with its own settings"
    )

    @classmethod
    def new_form(cls) -> str:
        return (
            "use the list of channels, for example:\n"
            "    target: erp\n"
            "    channels:\n"
            f"      - {cls.channel_example}\n"
            "      - {system: shop_us}"
        )

    @model_validator(mode="before")
    @classmethod
    def _single_source_is_one_channel(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        source, channels = data.get("source"), data.get("channels")
        if isinstance(source, list):
            raise ValueError(f"source names one store; for several, {cls.new_form()}")
        if source is not None and channels:
            raise ValueError(f"give either source or channels, not both; {cls.new_form()}")
        if source is None and not channels:
            raise ValueError(f"name the stores this flow serves; {cls.new_form()}")
        if source is not None:
            return {**data, "channels": [{"system": source}]}
        if isinstance(channels, list):
            for entry in channels:
                if isinstance(entry, str):
                    raise ValueError(
                        f"channels: write each store as an entry, {{system: {entry}}}, "
                        f"not {entry!r} alone; {cls.new_form()}"
                    )
        return data

    @model_validator(mode="after")
    def _each_store_once(self) -> Self:
        systems = self.stores
        twice = sorted({s for s in systems if systems.count(s) > 1})
        if twice:
            raise ValueError(
                f"channels: {', '.join(map(repr, twice))} listed twice; list each store once"
            )
        return self

    @property
    def stores(self) -> list[str]:
        """The systems of the channels, in the order they are listed."""
        return [entry.system for entry in self.channels]


def channel_of(flow: str, channels: Mapping[str, T], event: StoredEvent) -> T:
    """The channel a job's inbox record came from. Routing only starts jobs of a flow's
    channels, so a record of another store was queued before the config dropped it."""
    channel = channels.get(event.source)
    if channel is None:
        raise PermanentError(
            f"{flow}: {event.topic} event {event.event_id} is from {event.source!r}, which is "
            f"not one of its channels {sorted(channels)}; add it to flows.{flow}.channels and "
            f"replay the job, or leave it parked"
        )
    return channel


def store_list(one: str | None, many: list[str], *, one_key: str, many_key: str) -> list[str]:
    """The stores of a flow that needs only their names: its list (`many_key: [a, b]`),
    or the one-store form written before lists (`one_key: a`). Errors show the list form."""
    example = f"{many_key}: [shop_eu, shop_us]"
    if one is not None and many:
        raise ValueError(f"give either {one_key} or {many_key}, not both; for several: {example}")
    stores = [one] if one is not None else list(many)
    if not stores:
        raise ValueError(f"name the stores: {many_key}: [shop], or for several: {example}")
    if len(set(stores)) != len(stores):
        raise ValueError(f"a store is listed twice in {many_key}: {stores}")
    return stores
