"""stock-to-channels, declared: what each SKU can still be sold goes from the ERP to every
store on a schedule (the rule: stock/sellable.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import Field

from causeway.config.base import Duration
from causeway.config.flows import FlowSettings
from causeway.config.systems import ERP, STORE
from causeway.engine.schedule import INTERVAL, Schedule
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role
from causeway.flows.stock_to_channels import NAME, StockToChannels


class StockToChannelsFlow(FlowSettings):
    source: str
    targets: list[str] = Field(min_length=1)
    every: Duration = 300.0
    overlap: Duration = 120.0
    safety_stock: int = Field(default=0, ge=0)
    safety_stock_by_sku: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=self.every)


def build(context: FlowContext, settings: StockToChannelsFlow) -> StockToChannels:
    locations = {t: getattr(context.system(t), "location", None) for t in settings.targets}
    return StockToChannels(
        context.store,
        source=settings.source,
        source_connector=context.connectors[settings.source],
        targets={t: context.connectors[t] for t in settings.targets},
        safety_stock=settings.safety_stock,
        safety_by_sku=settings.safety_stock_by_sku,
        held=context.held_quantities,
        overlap=timedelta(seconds=settings.overlap),
        location_ids=locations,
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=StockToChannelsFlow,
    roles=(Role("source", (ERP,)), Role("targets", (STORE,), many=True)),
    build=build,
)
