"""cases, declared: a CRM ticket naming an order is a service case, kept up to date with
the order's shipment, invoice and return state."""

from __future__ import annotations

from pydantic import Field

from causeway.config.base import Duration
from causeway.config.flows import FlowSettings
from causeway.config.systems import CRM, DROP_FOLDER, ShopifySystem
from causeway.engine.schedule import REALTIME, Schedule
from causeway.flows.cases import NAME, Cases, ticket_job, topics
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts


class CasesFlow(FlowSettings):
    source: str = Field(description="the HubSpot system whose tickets are service cases")
    target: str = Field(description="the store system whose orders the tickets name")
    refresh_every: Duration = Field(
        default=300.0, description="how often open cases get their order's state again"
    )
    order_property: str = Field(
        default="causeway_order_number",
        description="the ticket property naming the order (#1001, 1001 or the store's order id)",
    )

    def default_schedule(self) -> Schedule:
        # Tickets arrive by webhook; the order's state is refreshed on a schedule.
        return Schedule(REALTIME, every_seconds=self.refresh_every)


def build(context: FlowContext, settings: CasesFlow) -> Cases:
    return Cases(
        context.store,
        context.jobs,
        source=settings.source,
        source_connector=context.connectors[settings.source],
        store_system=settings.target,
        order_property=settings.order_property,
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=CasesFlow,
    roles=(Role("source", (CRM,)), Role("target", (ShopifySystem, DROP_FOLDER))),
    starts=Starts(
        role="source",
        topics=lambda settings: topics(settings.order_property),
        job=lambda record, _inbox_id: ticket_job(record.source, record.entity_key),
    ),
    # A run refreshes the order state written on every case the hub has linked.
    run={"refresh": True},
    build=build,
)
