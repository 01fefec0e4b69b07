"""fulfillments-to-channels, declared: shipments done in the ERP, found by a poll, fulfil
their store orders with carrier and tracking."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, model_validator

from causeway.config.base import Duration
from causeway.config.flows import FlowSettings
from causeway.config.systems import ERP, MARKETPLACE, STORE
from causeway.engine.schedule import INTERVAL, Schedule
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts
from causeway.flows.fulfillments_to_channels import (
    NAME,
    TOPIC,
    FulfillmentsToChannels,
    shipment_job,
)
from causeway.flows.orders_to_erp.declaration import reference_prefix
from causeway.notifications.order_mail import OrderMail


class FulfillmentsToChannelsFlow(FlowSettings):
    source: str = Field(description="the ERP system whose shipments fulfil store orders")
    targets: list[str] = Field(
        min_length=1,
        description="the stores and marketplaces (Amazon: a shipment confirmation) whose "
        "orders are fulfilled",
    )
    every: Duration = Field(default=60.0, description="how often the ERP is asked for shipments")
    overlap: Duration = Field(
        default=300.0, description="how far back each poll re-reads, for late commits and skew"
    )
    notify_customer: bool = Field(
        default=False, description="the store e-mails the customer the shipping confirmation"
    )
    tracking_urls: dict[str, str] = Field(
        default_factory=dict,
        description="carrier name (as in the ERP) -> tracking page, with {number} in it",
    )

    @model_validator(mode="after")
    def _templates_have_a_number(self) -> FulfillmentsToChannelsFlow:
        for carrier, template in self.tracking_urls.items():
            if "{number}" not in template:
                raise ValueError(
                    f"tracking_urls.{carrier}: {template!r} has no {{number}}; write where the "
                    f"tracking number goes, e.g. https://www.ups.com/track?tracknum={{number}}"
                )
        return self

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=self.every)


def build(context: FlowContext, settings: FulfillmentsToChannelsFlow) -> FulfillmentsToChannels:
    # The sale.reference prefix orders-to-erp gives each store's orders: a shipment of
    # such a sale whose order the hub has not linked is parked, any other is not ours.
    prefixes = {
        store: prefix
        for store in settings.targets
        if (prefix := reference_prefix(context.config.flows, store)) is not None
    }
    return FulfillmentsToChannels(
        context.store,
        context.inbox,
        source=settings.source,
        source_connector=context.connectors[settings.source],
        targets={t: context.connectors[t] for t in settings.targets},
        reference_prefixes=prefixes,
        release_held=lambda: context.jobs.release_held(NAME),
        tracking_urls=settings.tracking_urls,
        notify_customer=settings.notify_customer,
        overlap=timedelta(seconds=settings.overlap),
        mail=OrderMail.from_config(context.config),
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=FulfillmentsToChannelsFlow,
    roles=(Role("source", (ERP,)), Role("targets", (STORE, MARKETPLACE), many=True)),
    # The poll writes each done shipment to the inbox; the record starts its job.
    starts=Starts(role="source", topics=(TOPIC,), job=shipment_job, polled=(TOPIC,)),
    # A run polls the ERP for shipments done since the cursor.
    run={"poll": True},
    build=build,
)
