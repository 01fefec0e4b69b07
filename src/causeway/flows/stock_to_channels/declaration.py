"""stock-to-channels, declared: what each SKU can still be sold goes from the ERP to every
store on a schedule (the rule: stock/sellable.py; each channel's part: stock/allocation.py).

Two forms: `targets: [shop_eu, shop_us]` (every channel sees the whole sellable quantity
of the ERP's own warehouse) or `channels: [{system: shop_eu, warehouse: WH-EU, share: 0.5,
cap: 40, safety_stock: 2, channel_location: ..., sku_map: {ERP-SKU: CHANNEL-SKU}}, ...]`."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from functools import partial
from typing import Annotated, Self

from pydantic import Field, field_validator, model_validator

from causeway.config.base import Duration
from causeway.config.channels import ChannelSettings
from causeway.config.flows import Flows, FlowSettings
from causeway.config.systems import ERP, MARKETPLACE, STORE
from causeway.engine.schedule import INTERVAL, Schedule
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts
from causeway.flows.orders_to_erp import ORDER_TOPICS
from causeway.flows.orders_to_erp.declaration import channel_terms
from causeway.flows.stock_to_channels.flow import (
    NAME,
    ORDER_FOUND_TOPICS,
    ORDER_PLACED_TOPICS,
    StockToChannels,
    republish_job,
)
from causeway.stock.allocation import Allocation
from causeway.stock.held import orders_landing


class StockChannelSettings(ChannelSettings):
    """One channel's part of the stock. Without share or cap it sees all of it."""

    share: Annotated[Fraction, Field(gt=0, le=1)] | None = None
    cap: Annotated[int, Field(ge=0)] | None = None
    safety_stock: int = Field(default=0, ge=0)
    # The ERP warehouse(s) the channel sells from, by name or code; several are added up.
    # Unset: the ERP connector's own (systems.<erp>.warehouse).
    warehouse: str | list[str] | None = None
    # The channel's stock location to set; unset = the system's `location`, else the
    # channel's primary one.
    channel_location: str | None = None

    @field_validator("share", mode="before")
    @classmethod
    def _share_as_written(cls, value: object) -> object:
        # YAML reads 0.3 as a float just below 0.3: 30% of 10 units would floor to 2.
        return str(value) if isinstance(value, float) else value

    @field_validator("warehouse", mode="before")
    @classmethod
    def _codes_as_text(cls, value: object) -> object:
        # YAML reads `warehouse: 12` as a number; a warehouse code is text.
        def text(v: object) -> object:
            return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

        return [text(v) for v in value] if isinstance(value, list) else text(value)

    @field_validator("warehouse")
    @classmethod
    def _warehouses_named(cls, value: str | list[str] | None) -> str | list[str] | None:
        if value is None:
            return None
        names = [" ".join(v.split()) for v in ([value] if isinstance(value, str) else value)]
        if not names or not all(names):
            raise ValueError(
                "name the ERP warehouse by its name or code (warehouse: WH-EU, or a list "
                "such as [WH-EU, WH-DE] to add their stock up), or leave warehouse out for "
                "the ERP's own"
            )
        if len({n.casefold() for n in names}) != len(names):
            raise ValueError(f"a warehouse is listed twice: {names}")
        return names[0] if isinstance(value, str) else names

    @property
    def warehouses(self) -> tuple[str, ...]:
        """The warehouses named; () for the ERP connector's own."""
        if self.warehouse is None:
            return ()
        return (self.warehouse,) if isinstance(self.warehouse, str) else tuple(self.warehouse)

    def allocation(self) -> Allocation:
        return Allocation(share=self.share, cap=self.cap, safety_stock=self.safety_stock)


class StockToChannelsFlow(FlowSettings):
    source: str
    targets: list[str] = Field(default_factory=list)
    channels: list[StockChannelSettings] = Field(default_factory=list)
    every: Duration = 300.0
    overlap: Duration = 120.0
    safety_stock: int = Field(default=0, ge=0)
    safety_stock_by_sku: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    # False: only the schedule publishes (a batch integration); a sale in one channel
    # reaches the others at the next scheduled run, not within a second.
    republish_on_sale: bool = True

    @model_validator(mode="after")
    def _one_channel_list(self) -> Self:
        if self.targets and self.channels:
            raise ValueError(
                "give either targets: [shop] or channels: [{system: shop, ...}], not both"
            )
        if self.channels:
            self.targets = [c.system for c in self.channels]
        elif self.targets:
            self.channels = [StockChannelSettings(system=t) for t in self.targets]
        else:
            raise ValueError("channels: at least one, such as channels: [{system: shop}]")
        if len(set(self.targets)) != len(self.targets):
            raise ValueError("channels: each system at most once")
        return self

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=self.every)


def build(context: FlowContext, settings: StockToChannelsFlow) -> StockToChannels:
    locations = {
        c.system: c.channel_location or getattr(context.system(c.system), "location", None)
        for c in settings.channels
    }
    return StockToChannels(
        context.store,
        source=settings.source,
        source_connector=context.connectors[settings.source],
        targets={t: context.connectors[t] for t in settings.targets},
        safety_stock=settings.safety_stock,
        safety_by_sku=settings.safety_stock_by_sku,
        held_by_channel=context.held_by_channel,
        overlap=timedelta(seconds=settings.overlap),
        location_ids=locations,
        allocations={c.system: c.allocation() for c in settings.channels},
        sku_maps={c.system: c.sku_map for c in settings.channels if c.sku_map},
        warehouses={c.system: c.warehouses for c in settings.channels},
        # A store's orders not in the ERP yet come off the warehouse its sales ship from.
        ships_from={
            store: terms.warehouse
            for store, terms in channel_terms(context.config.flows, settings.source).items()
        },
        queue=context.jobs,
        orders_landing=partial(orders_landing, context.jobs),
    )


def stock_warehouses(flows: Flows, erp: str) -> dict[str, tuple[str, ...]]:
    """channel -> the warehouses stock-to-channels reads in `erp` for it (for `causeway
    check`); channels of the ERP's own warehouse are left out."""
    settings = flows.settings(NAME)
    if not isinstance(settings, StockToChannelsFlow) or settings.source != erp:
        return {}
    return {c.system: c.warehouses for c in settings.channels if c.warehouses}


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=StockToChannelsFlow,
    roles=(Role("source", (ERP,)), Role("targets", (STORE, MARKETPLACE), many=True)),
    build=build,
    # A sale in one channel reaches the others now, not at the next scheduled run: a
    # store's new-order webhook, or the first polled version of an order the hub had not
    # seen (a marketplace's: Amazon's, fetched for its ORDER_CHANGE or found by the poll;
    # a store's whose webhook was lost). Later versions of an order start nothing.
    starts=Starts(
        role="targets",
        topics=lambda settings: (
            (*ORDER_PLACED_TOPICS, *ORDER_FOUND_TOPICS) if settings.republish_on_sale else ()
        ),
        job=lambda record, inbox_id: republish_job(record, inbox_id),
        immediate=True,
        polled=ORDER_FOUND_TOPICS,
        first_only=ORDER_FOUND_TOPICS,
        seen_in=ORDER_TOPICS,
    ),
)
