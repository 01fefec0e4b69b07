"""returns-to-erp, declared: a store's refund becomes an ERP return with its credit note;
a scheduled run checks whether the ERP has received the returned goods."""

from __future__ import annotations

from pydantic import Field

from causeway.config.base import Duration
from causeway.config.flows import FlowSettings
from causeway.config.systems import ERP, ShopifySystem
from causeway.engine.schedule import REALTIME, Schedule
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts
from causeway.flows.returns_to_erp import NAME, TOPICS, ReturnsToErp, refund_job


class ReturnsToErpFlow(FlowSettings):
    source: str = Field(description="the store system whose refunds become ERP returns")
    target: str = Field(description="the ERP system that receives the returns")
    receipt_check_every: Duration = Field(
        default=300.0,
        description="how often the ERP is asked whether returned goods have been received",
    )

    def default_schedule(self) -> Schedule:
        # Refunds arrive by webhook; receipts are read back from the ERP.
        return Schedule(REALTIME, every_seconds=self.receipt_check_every)


def build(context: FlowContext, settings: ReturnsToErpFlow) -> ReturnsToErp:
    return ReturnsToErp(
        context.store,
        context.inbox,
        **context.source_and_target(settings),
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=ReturnsToErpFlow,
    roles=(Role("source", (ShopifySystem,)), Role("target", (ERP,))),
    starts=Starts(
        role="source",
        topics=TOPICS,
        job=lambda record, inbox_id: refund_job(record.source, record, inbox_id),
    ),
    # A run checks whether the ERP has received returned goods.
    run={"poll": True},
    build=build,
)
