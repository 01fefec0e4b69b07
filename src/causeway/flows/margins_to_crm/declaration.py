"""margins-to-crm, declared: each ERP sale's margin reaches its CRM deal and contact, on a
schedule."""

from __future__ import annotations

from pydantic import Field

from causeway.config.base import Duration
from causeway.config.flows import FlowSettings
from causeway.config.systems import CRM, ERP
from causeway.engine.schedule import INTERVAL, Schedule
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role
from causeway.flows.margins_to_crm import NAME, MarginsToCrm


class MarginsToCrmFlow(FlowSettings):
    source: str = Field(description="the ERP system whose sales' amounts and costs are read")
    target: str = Field(description="the CRM system whose deals and contacts get the margins")
    every: Duration = Field(default=900.0, description="how often margins are computed")

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=self.every)


def build(context: FlowContext, settings: MarginsToCrmFlow) -> MarginsToCrm:
    return MarginsToCrm(
        context.store,
        source=settings.source,
        erp=context.connectors[settings.source],
        target=settings.target,
        crm=context.connectors[settings.target],
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=MarginsToCrmFlow,
    roles=(Role("source", (ERP,)), Role("target", (CRM,))),
    run={"run": True},
    build=build,
)
