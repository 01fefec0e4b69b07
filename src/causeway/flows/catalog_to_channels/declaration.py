"""catalog-to-channels, declared: the ERP's products go to every store, each with its
assortment, price list and SKUs; a store's own edit of a product (its products/update,
WooCommerce's product.updated webhook) gets the ERP's values back.

Two forms: `targets: [shop_eu, shop_us]` with one `price_list` (every store sells the
whole catalogue at the same prices), or `channels: [{system: shop_eu, price_list: EUR
Retail, assortment: {categories: [Garden]}, sku_map: {ERP-SKU: CHANNEL-SKU}}, ...]`
(channels.py). With channels, a top-level `price_list` is the default of those that
name none."""

from __future__ import annotations

from datetime import timedelta
from typing import Self

from pydantic import Field, model_validator

from causeway.config.base import Duration, Threshold
from causeway.config.flows import FlowSettings
from causeway.config.systems import ERP, STORE
from causeway.engine.schedule import INTERVAL, Schedule
from causeway.flows.catalog_to_channels.channels import CatalogChannelSettings
from causeway.flows.catalog_to_channels.flow import (
    NAME,
    STORE_EDIT_TOPICS,
    CatalogToChannels,
    store_edit_job,
)
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts

NEW_FORM = """for example:
  catalog-to-channels:
    source: erp
    channels:
      - {system: shop_eu, price_list: EUR Retail}
      - {system: woo_outlet, assortment: {categories: [Outlet]}}"""


class CatalogToChannelsFlow(FlowSettings):
    source: str = Field(description="the ERP system that owns the product data")
    targets: list[str] = Field(
        default_factory=list,
        description="the stores the whole catalogue goes to (or `channels`)",
    )
    channels: list[CatalogChannelSettings] = Field(
        default_factory=list,
        description="the stores, each with its assortment, price list and sku_map",
    )
    price_list: str | None = Field(
        default=None,
        description=(
            "name of an ERP sale price list: it gives the selling price, and the list "
            "price becomes the compare-at price when higher; default: the list price. "
            "With `channels`, the default of those that name none"
        ),
    )
    overlap: Duration = Field(
        default=120.0, description="how far before the last change seen each run reads again"
    )
    # A catalogue can stay unchanged for days.
    cursor_alert_after: Threshold = 14 * 86400.0

    @model_validator(mode="after")
    def _one_channel_list(self) -> Self:
        if self.targets and self.channels:
            raise ValueError(
                "give either targets: [shop] or channels: [{system: shop, ...}], not both; "
                + NEW_FORM
            )
        if self.channels:
            self.channels = [
                c
                if c.price_list or not self.price_list
                else c.model_copy(update={"price_list": self.price_list})
                for c in self.channels
            ]
            self.targets = [c.system for c in self.channels]
        elif self.targets:
            self.channels = [
                CatalogChannelSettings(system=t, price_list=self.price_list) for t in self.targets
            ]
        else:
            raise ValueError("channels: at least one; " + NEW_FORM)
        if len(set(self.targets)) != len(self.targets):
            raise ValueError("channels: each system at most once")
        return self

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=900.0)


def build(context: FlowContext, settings: CatalogToChannelsFlow) -> CatalogToChannels:
    return CatalogToChannels(
        context.store,
        context.jobs,
        source=settings.source,
        source_connector=context.connectors[settings.source],
        targets={t: context.connectors[t] for t in settings.targets},
        channels={c.system: c for c in settings.channels},
        overlap=timedelta(seconds=settings.overlap),
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=CatalogToChannelsFlow,
    roles=(Role("source", (ERP,)), Role("targets", (STORE,), many=True)),
    starts=Starts(role="targets", topics=STORE_EDIT_TOPICS, job=store_edit_job),
    # The ERP is polled: a run queues one job per changed product.
    run={"run": True},
    build=build,
)
