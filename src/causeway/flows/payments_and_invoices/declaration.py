"""payments-and-invoices, declared: a store's payment posts and pays the ERP invoice; a
scheduled run reads the invoice states of recent orders back."""

from __future__ import annotations

from pydantic import Field

from causeway.config.base import Duration
from causeway.config.flows import FlowSettings
from causeway.config.systems import ERP, STORE
from causeway.engine.schedule import REALTIME, Schedule
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts
from causeway.flows.payments_and_invoices import NAME, TOPICS, PaymentsAndInvoices, payment_job


class PaymentsAndInvoicesFlow(FlowSettings):
    source: str = Field(description="the store system whose payments reach the ERP")
    target: str = Field(description="the ERP system whose invoices are paid")
    payment_method: str = Field(
        default="Shop payments",
        description="name of the ERP invoice payment method store payments are booked with",
    )
    refresh_every: Duration = Field(
        default=300.0, description="how often invoice states are read back from the ERP"
    )
    refresh_recent: int = Field(
        default=200, ge=1, le=5000, description="how many of the newest orders are read back"
    )

    def default_schedule(self) -> Schedule:
        # Payments arrive by webhook; invoice states are read back from the ERP.
        return Schedule(REALTIME, every_seconds=self.refresh_every)


def build(context: FlowContext, settings: PaymentsAndInvoicesFlow) -> PaymentsAndInvoices:
    return PaymentsAndInvoices(
        context.store,
        context.inbox,
        **context.source_and_target(settings),
        payment_method=settings.payment_method,
        refresh_recent=settings.refresh_recent,
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=PaymentsAndInvoicesFlow,
    roles=(Role("source", (STORE,)), Role("target", (ERP,))),
    starts=Starts(
        role="source",
        topics=TOPICS,
        job=lambda record, inbox_id: payment_job(record.source, record, inbox_id),
    ),
    # A run reads the invoice states of recent orders back from the ERP.
    run={"refresh": True},
    build=build,
)
