"""cases, declared: a CRM ticket naming an order of one of the stores is a service case,
kept up to date with the order's shipment, invoice and return state."""

from __future__ import annotations

from pydantic import Field, model_validator

from causeway.config.base import Duration
from causeway.config.flows import FlowSettings
from causeway.config.systems import CRM, DROP_FOLDER, STORE
from causeway.engine.schedule import REALTIME, Schedule
from causeway.flows.cases import NAME, Cases, ticket_job, topics
from causeway.flows.channels import store_list
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts
from causeway.flows.orders_to_erp.declaration import reference_prefix


class CasesFlow(FlowSettings):
    source: str = Field(description="the HubSpot system whose tickets are service cases")
    stores: list[str] = Field(
        default_factory=list, description="the stores (or drop folders) whose orders tickets name"
    )
    # The one-store form written before store lists: `target: shop` is `stores: [shop]`.
    target: str | None = Field(default=None, description="one store; or use stores")
    refresh_every: Duration = Field(
        default=300.0, description="how often open cases get their order's state again"
    )
    order_property: str = Field(
        default="causeway_order_number",
        description="the ticket property naming the order (#1001, 1001 or the store's order id)",
    )

    @model_validator(mode="after")
    def _one_list_of_stores(self) -> CasesFlow:
        self.stores = store_list(self.target, self.stores, one_key="target", many_key="stores")
        return self

    def default_schedule(self) -> Schedule:
        # Tickets arrive by webhook; the order's state is refreshed on a schedule.
        return Schedule(REALTIME, every_seconds=self.refresh_every)


def build(context: FlowContext, settings: CasesFlow) -> Cases:
    return Cases(
        context.store,
        context.jobs,
        source=settings.source,
        source_connector=context.connectors[settings.source],
        # A ticket may name the order by the ERP sale's reference (EU-1001): its prefix
        # is the one orders-to-erp gives that store's orders.
        stores={
            store: reference_prefix(context.config.flows, store) or f"{store}-"
            for store in settings.stores
        },
        order_property=settings.order_property,
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=CasesFlow,
    roles=(Role("source", (CRM,)), Role("stores", (STORE, DROP_FOLDER), many=True)),
    starts=Starts(
        role="source",
        topics=lambda settings: topics(settings.order_property),
        job=lambda record, _inbox_id: ticket_job(record.source, record.entity_key),
    ),
    # A run refreshes the order state written on every case the hub has linked.
    run={"refresh": True},
    build=build,
)
