"""customers-sync, declared: ERP parties and CRM contacts kept in step, field by field;
the CRM's changes arrive by webhook, the ERP's are read by a scheduled run."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from causeway.config.base import Duration
from causeway.config.flows import FlowSettings
from causeway.config.systems import CRM, ERP
from causeway.engine.schedule import REALTIME, Schedule
from causeway.flows.customers_sync import NAME, CustomersSync, contact_job, contact_topics
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts


class CustomersSyncFlow(FlowSettings):
    source: str = Field(description="the ERP system whose parties' customer data is read")
    target: str = Field(description="the HubSpot system whose contacts are kept in step")
    every: Duration = Field(
        default=300.0, description="how often parties changed in the ERP are read"
    )
    overlap: Duration = Field(default=600.0, description="how far back each run reads again")

    def default_schedule(self) -> Schedule:
        # Contact changes arrive by webhook; the ERP's parties are read on a schedule.
        return Schedule(REALTIME, every_seconds=self.every)


def build(context: FlowContext, settings: CustomersSyncFlow) -> CustomersSync:
    return CustomersSync(
        context.store,
        context.inbox,
        context.jobs,
        erp=settings.source,
        erp_connector=context.connectors[settings.source],
        crm=settings.target,
        crm_connector=context.connectors[settings.target],
        customers=context.config.customers,
        overlap=timedelta(seconds=settings.overlap),
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=CustomersSyncFlow,
    roles=(Role("source", (ERP,)), Role("target", (CRM,))),
    # The CRM's contact changes arrive by webhook; the ERP's parties are read by a run.
    starts=Starts(
        role="target",
        topics=contact_topics(),
        job=lambda record, inbox_id: contact_job(record.source, record, inbox_id),
    ),
    run={"run": True},
    build=build,
)
