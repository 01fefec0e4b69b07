"""quotes-to-erp, declared: a deal won in the CRM becomes a confirmed ERP sale; a scheduled
run searches won deals the webhooks missed and writes sale states back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pydantic import Field

from causeway.config.base import Duration, Threshold
from causeway.config.flows import FlowSettings
from causeway.config.systems import CRM, ERP
from causeway.engine.schedule import REALTIME, Schedule
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts
from causeway.flows.quotes_to_erp import NAME, POLL_TOPIC, TOPICS, QuotesToErp, deal_job
from causeway.notifications.order_mail import OrderMail


class QuotesToErpFlow(FlowSettings):
    source: str = Field(description="the CRM system whose won deals become ERP sales")
    target: str = Field(description="the ERP system the sales go to")
    won_stages: list[str] = Field(
        default_factory=lambda: ["closedwon"],
        min_length=1,
        description="deal stage ids that mean won (HubSpot's default pipeline: closedwon)",
    )
    currency: str = Field(
        default="USD", min_length=3, max_length=3, description="for deals without a currency"
    )
    tax_rate: Decimal | None = Field(
        default=None,
        ge=0,
        lt=1,
        description="tax on deal lines, whose prices are net (0.1 = 10 %; matched to the ERP "
        "tax of that rate); empty: the sale is untaxed",
    )
    reconcile_every: Duration = Field(
        default=300.0,
        description="how often won deals are searched (for lost webhooks) and sale states "
        "are written back to the deals",
    )
    reconcile_overlap: Duration = Field(
        default=600.0, description="how far back each search re-reads, for late writes and skew"
    )
    batch_size: int = Field(default=10, ge=1, le=100)
    # Won deals can be days apart in a small pipeline.
    cursor_alert_after: Threshold = 14 * 86400.0

    def default_schedule(self) -> Schedule:
        # Real time, with the reconciling poll and the state write-back behind it.
        return Schedule(REALTIME, every_seconds=self.reconcile_every)


def build(context: FlowContext, settings: QuotesToErpFlow) -> QuotesToErp:
    return QuotesToErp(
        context.store,
        context.inbox,
        source=settings.source,
        crm=context.connectors[settings.source],
        target=settings.target,
        erp=context.connectors[settings.target],
        won_stages=settings.won_stages,
        currency=settings.currency,
        tax_rate=settings.tax_rate,
        batch_size=settings.batch_size,
        overlap=timedelta(seconds=settings.reconcile_overlap),
        mail=OrderMail.from_config(context.config),
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=QuotesToErpFlow,
    roles=(Role("source", (CRM,)), Role("target", (ERP,))),
    starts=Starts(
        role="source",
        topics=TOPICS,
        job=lambda record, inbox_id: deal_job(record.source, record, inbox_id),
        polled=(POLL_TOPIC,),
    ),
    # A run searches won deals the webhooks missed and writes sale states back.
    run={"poll": True},
    build=build,
)
