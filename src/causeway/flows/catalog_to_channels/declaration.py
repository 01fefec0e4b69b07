"""catalog-to-channels, declared: the ERP's products go to every store; a store's own edit
of a product (its products/update webhook) gets the ERP's values back."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from causeway.config.base import Duration, Threshold
from causeway.config.flows import FlowSettings
from causeway.config.systems import ERP, ShopifySystem
from causeway.engine.schedule import INTERVAL, Schedule
from causeway.flows.catalog_to_channels import (
    NAME,
    STORE_EDIT_TOPICS,
    CatalogToChannels,
    store_edit_job,
)
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts


class CatalogToChannelsFlow(FlowSettings):
    source: str = Field(description="the ERP system that owns the product data")
    targets: list[str] = Field(min_length=1, description="the stores the products go to")
    price_list: str | None = Field(
        default=None,
        description=(
            "name of a Tryton sale price list: it gives the selling price, and the list "
            "price becomes the compare-at price when higher; default: the list price"
        ),
    )
    overlap: Duration = Field(
        default=120.0, description="how far before the last change seen each run reads again"
    )
    # A catalogue can stay unchanged for days.
    cursor_alert_after: Threshold = 14 * 86400.0

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=900.0)


def build(context: FlowContext, settings: CatalogToChannelsFlow) -> CatalogToChannels:
    return CatalogToChannels(
        context.store,
        context.jobs,
        source=settings.source,
        source_connector=context.connectors[settings.source],
        targets={t: context.connectors[t] for t in settings.targets},
        price_list=settings.price_list,
        overlap=timedelta(seconds=settings.overlap),
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=CatalogToChannelsFlow,
    roles=(Role("source", (ERP,)), Role("targets", (ShopifySystem,), many=True)),
    starts=Starts(role="targets", topics=STORE_EDIT_TOPICS, job=store_edit_job),
    # The ERP is polled: a run queues one job per changed product.
    run={"run": True},
    build=build,
)
