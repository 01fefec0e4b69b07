"""carts, declared: the checkouts of Shopify stores (checkouts/create, checkouts/update,
and orders/create for the order that follows), with a scheduled run that polls the
stores' abandoned checkouts and counts abandoned what the rule says (docs/carts.md).
Shopify only, for now: WooCommerce does not announce checkouts."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from causeway.config.base import Duration
from causeway.config.flows import FlowSettings
from causeway.config.systems import ShopifySystem
from causeway.engine.schedule import REALTIME, Schedule
from causeway.flows.carts import NAME, TOPICS, Carts, cart_job
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts


class CartsFlow(FlowSettings):
    sources: list[str] = Field(
        min_length=1, description="the Shopify stores whose checkouts are kept"
    )
    abandon_after_minutes: int = Field(
        default=60,
        ge=1,
        description="an open cart with no order for this long counts as abandoned",
    )
    sweep_every: Duration = Field(
        default=300.0,
        description="how often abandoned checkouts are polled and open carts checked",
    )

    def default_schedule(self) -> Schedule:
        # Checkouts arrive by webhook; the poll and the abandonment rule run on a clock.
        return Schedule(REALTIME, every_seconds=self.sweep_every)


def build(context: FlowContext, settings: CartsFlow) -> Carts:
    return Carts(
        context.store,
        context.inbox,
        channels={system: context.connectors[system] for system in settings.sources},
        abandon_after=timedelta(minutes=settings.abandon_after_minutes),
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=CartsFlow,
    roles=(Role("sources", (ShopifySystem,), many=True),),
    starts=Starts(role="sources", topics=TOPICS, job=cart_job),
    # A run polls the abandoned checkouts, then applies the abandonment rule.
    run={"run": True},
    build=build,
)
