"""customers-to-crm, declared: the customers of orders that reached the ERP become one CRM
contact each, with their RFM segment."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from causeway.config.base import Duration
from causeway.config.flows import FlowSettings, RfmThresholds
from causeway.config.systems import CRM, DROP_FOLDER, ShopifySystem
from causeway.engine.schedule import INTERVAL, Schedule
from causeway.flows.customers_to_crm import NAME, CustomersToCrm
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role


class CustomersToCrmFlow(FlowSettings):
    source: str = Field(description="the store system whose orders' customers reach the CRM")
    target: str = Field(description="the HubSpot system that holds one contact per customer")
    every: Duration = Field(
        default=300.0, description="how often orders that reached the ERP are picked up"
    )
    overlap: Duration = Field(default=600.0, description="how far back each run looks again")
    batch_size: int = Field(default=50, ge=1, le=100, description="orders per CRM batch upsert")
    rfm: RfmThresholds = RfmThresholds()

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=self.every)


def build(context: FlowContext, settings: CustomersToCrmFlow) -> CustomersToCrm:
    return CustomersToCrm(
        context.store,
        context.jobs,
        **context.source_and_target(settings),
        customers=context.config.customers,
        rfm=settings.rfm,
        batch_size=settings.batch_size,
        overlap=timedelta(seconds=settings.overlap),
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=CustomersToCrmFlow,
    roles=(Role("source", (ShopifySystem, DROP_FOLDER)), Role("target", (CRM,))),
    # Fed by orders that reached the ERP (the hub's own order links), not by webhooks:
    # a run queues one job per order not counted yet.
    run={"run": True},
    build=build,
)
