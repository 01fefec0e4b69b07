"""stock-snapshots, declared: `source: erp`, the ERP `warehouses` to snapshot (none: the
ERP connector's own), and the stores whose shown quantities are kept beside them,
`channels: [{system: shop, location: ..., sku_map: {ERP-SKU: CHANNEL-SKU}}]`. Once a
day by default (at 23:50, the hub's local time: the day's closing stock); `schedule:`
sets another time, several times or an interval (a later run replaces the day's rows)."""

from __future__ import annotations

from datetime import time
from typing import Self

from pydantic import Field, field_validator, model_validator

from causeway.config.channels import ChannelSettings
from causeway.config.flows import FlowSettings
from causeway.config.systems import ERP, STORE
from causeway.engine.schedule import DAILY, Schedule
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role
from causeway.flows.stock_snapshots.flow import NAME, SnapshotChannel, StockSnapshots

# The day's closing stock, before midnight turns the date.
DEFAULT_AT = time(23, 50)


class SnapshotChannelSettings(ChannelSettings):
    """One store whose shown quantities are kept."""

    # The store's stock location to read; unset = the system's `location`, else the
    # store's primary one (as stock-to-channels' channel_location).
    location: str | None = None


class StockSnapshotsFlow(FlowSettings):
    source: str = Field(description="the ERP whose stock is snapshotted")
    warehouses: list[str] = Field(
        default_factory=list,
        description="ERP warehouses by name or code; empty: the ERP connector's own",
    )
    channels: list[SnapshotChannelSettings] = Field(
        default_factory=list, description="the stores whose shown quantities are kept"
    )

    @field_validator("warehouses", mode="before")
    @classmethod
    def _codes_as_text(cls, value: object) -> object:
        # YAML reads `warehouses: [12]` as a number; a warehouse code is text.
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        return value

    @model_validator(mode="after")
    def _each_once(self) -> Self:
        systems = [c.system for c in self.channels]
        if len(set(systems)) != len(systems):
            raise ValueError("channels: each system at most once")
        if len({w.casefold() for w in self.warehouses}) != len(self.warehouses):
            raise ValueError(f"warehouses: a warehouse is listed twice: {self.warehouses}")
        return self

    def default_schedule(self) -> Schedule:
        return Schedule(DAILY, times=(DEFAULT_AT,))


def build(context: FlowContext, settings: StockSnapshotsFlow) -> StockSnapshots:
    return StockSnapshots(
        context.store,
        source=settings.source,
        source_connector=context.connectors[settings.source],
        warehouses=settings.warehouses,
        channels={
            c.system: SnapshotChannel(
                connector=context.connectors[c.system],
                location=c.location or getattr(context.system(c.system), "location", None),
                sku_map=c.sku_map,
            )
            for c in settings.channels
        },
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=StockSnapshotsFlow,
    roles=(Role("source", (ERP,)), Role("channels", (STORE,), many=True, item="system")),
    build=build,
    run={"run": True},
)
