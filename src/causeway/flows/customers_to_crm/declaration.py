"""customers-to-crm, declared: the customers of orders that reached the ERP, from every
store listed, become one CRM contact each, with their RFM segment."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, model_validator

from causeway.config.base import Duration
from causeway.config.flows import FlowSettings, RfmThresholds
from causeway.config.systems import CRM, DROP_FOLDER, STORE
from causeway.engine.schedule import INTERVAL, Schedule
from causeway.flows.channels import store_list
from causeway.flows.customers_to_crm import NAME, CustomersToCrm
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role


class CustomersToCrmFlow(FlowSettings):
    sources: list[str] = Field(
        default_factory=list,
        description="the stores (or drop folders) whose orders' customers reach the CRM",
    )
    # The one-store form written before store lists: `source: shop` is `sources: [shop]`.
    source: str | None = Field(default=None, description="one store; or use sources")
    target: str = Field(description="the HubSpot system that holds one contact per customer")
    every: Duration = Field(
        default=300.0, description="how often orders that reached the ERP are picked up"
    )
    overlap: Duration = Field(default=600.0, description="how far back each run looks again")
    batch_size: int = Field(default=50, ge=1, le=100, description="orders per CRM batch upsert")
    rfm: RfmThresholds = RfmThresholds()
    currency: str | None = Field(
        default=None,
        pattern="^[A-Z]{3}$",
        description="the currency lifetime value adds up (ISO code, such as EUR); orders in "
        "another currency count as orders, not in the value; default: the currency of each "
        "customer's first order",
    )

    @model_validator(mode="after")
    def _one_list_of_stores(self) -> CustomersToCrmFlow:
        self.sources = store_list(self.source, self.sources, one_key="source", many_key="sources")
        return self

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=self.every)


def build(context: FlowContext, settings: CustomersToCrmFlow) -> CustomersToCrm:
    return CustomersToCrm(
        context.store,
        context.jobs,
        sources={source: context.connectors[source] for source in settings.sources},
        target=settings.target,
        target_connector=context.connectors[settings.target],
        customers=context.config.customers,
        rfm=settings.rfm,
        currency=settings.currency,
        batch_size=settings.batch_size,
        overlap=timedelta(seconds=settings.overlap),
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=CustomersToCrmFlow,
    roles=(Role("sources", (STORE, DROP_FOLDER), many=True), Role("target", (CRM,))),
    # Fed by orders that reached the ERP (the hub's own order links), not by webhooks:
    # a run queues one job per order not counted yet.
    run={"run": True},
    build=build,
)
