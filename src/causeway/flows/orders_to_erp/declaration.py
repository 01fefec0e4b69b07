"""orders-to-erp, declared: its settings, the store (or drop folder) it takes orders from
and the ERP it places them in, the order webhooks that start it, and its reconciling poll."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator

from causeway.config.base import Duration
from causeway.config.flows import Flows, FlowSettings
from causeway.config.systems import DROP_FOLDER, ERP, STORE, FilesSystem
from causeway.engine.schedule import REALTIME, Schedule
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, RunPayload, Starts
from causeway.flows.orders_to_erp import (
    NAME,
    ORDER_TOPICS,
    POLL_TOPIC,
    AmountCheck,
    OrdersToErp,
    order_job,
)
from causeway.model.tax_map import TaxMap


class OrdersToErpFlow(FlowSettings):
    source: str = Field(description="the store system the orders come from")
    target: str = Field(description="the ERP system the sales go to")
    reconcile_every: Duration = 300.0
    reconcile_overlap: Duration = 600.0
    batch_size: int = Field(default=25, ge=1, le=200)
    reference_prefix: str | None = Field(
        default=None, description="prefix of sale.reference; default: '<source>-'"
    )
    amount_tolerance: Decimal = Field(
        default=Decimal("0.01"),
        ge=0,
        description="how far the ERP sale's untaxed, tax or total amount may be from the "
        "order's, in the order's currency, before the order is an amount mismatch",
    )
    on_amount_mismatch: Literal["warn", "park"] = Field(
        default="warn",
        description="warn: confirm the sale and flag the order (an alert until accepted); "
        "park: leave the sale a quotation and park the order's job",
    )
    tax_map: dict[str, str] = Field(
        default_factory=dict,
        description="the store's tax ('title', 'title @ 6%' or '@ 6%') -> the ERP tax's name; "
        "taxes not in it are matched by rate",
    )

    @field_validator("tax_map")
    @classmethod
    def _tax_map_parses(cls, value: dict[str, str]) -> dict[str, str]:
        TaxMap.parse(value)  # the ValueError names the entry and the fix
        return value

    def taxes(self) -> TaxMap:
        """The tax_map, parsed (model/tax_map.py)."""
        return TaxMap.parse(self.tax_map)

    def default_schedule(self) -> Schedule:
        # Real time, with the reconciling poll behind the webhooks.
        return Schedule(REALTIME, every_seconds=self.reconcile_every)


def reference_prefix(flows: Flows, store: str) -> str | None:
    """The prefix of sale.reference orders-to-erp gives `store`'s orders (as configured,
    even while the flow is turned off); None when it takes no orders from `store`."""
    orders = flows.settings(NAME)
    if not isinstance(orders, OrdersToErpFlow) or orders.source != store:
        return None
    return orders.reference_prefix or f"{store}-"


def build(context: FlowContext, settings: OrdersToErpFlow) -> OrdersToErp:
    return OrdersToErp(
        context.store,
        context.inbox,
        source=settings.source,
        source_connector=context.connectors[settings.source],
        target=settings.target,
        target_connector=context.connectors[settings.target],
        batch_size=settings.batch_size,
        reference_prefix=settings.reference_prefix,
        reconcile_overlap=timedelta(seconds=settings.reconcile_overlap),
        amount_check=AmountCheck(settings.amount_tolerance, settings.on_amount_mismatch),
        tax_map=settings.taxes(),
    )


def reconcile(context: FlowContext, settings: OrdersToErpFlow) -> RunPayload:
    # A run is the reconciling poll; a drop folder has nothing to poll (files-exchange
    # reads every file), so its runs only release held orders.
    return None if isinstance(context.system(settings.source), FilesSystem) else {"poll": True}


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=OrdersToErpFlow,
    # A drop folder of CSV orders is a store too, the simplest one.
    roles=(Role("source", (STORE, DROP_FOLDER)), Role("target", (ERP,))),
    starts=Starts(
        role="source",
        topics=ORDER_TOPICS,
        job=lambda record, inbox_id: order_job(record.source, record, inbox_id),
        polled=(POLL_TOPIC,),
    ),
    run=reconcile,
    build=build,
)
