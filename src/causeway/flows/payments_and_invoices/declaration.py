"""payments-and-invoices, declared: a store's payment posts and pays the ERP invoice; a
scheduled run reads the invoice states of recent orders back. It serves a list of
stores (flows/channels.py), each with the payment method its payments are booked with."""

from __future__ import annotations

from pydantic import Field

from causeway.config.base import Duration
from causeway.config.channels import ChannelEntry
from causeway.config.systems import ERP, STORE
from causeway.engine.schedule import REALTIME, Schedule
from causeway.flows.channels import ChannelsFlow
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts
from causeway.flows.payments_and_invoices import (
    NAME,
    TOPICS,
    PaymentsAndInvoices,
    StorePayments,
    payment_job,
)
from causeway.notifications.order_mail import OrderMail


class PaymentChannelSettings(ChannelEntry):
    payment_method: str | None = Field(
        default=None,
        description="the ERP invoice payment method this store's payments are booked with; "
        "default: the flow's payment_method",
    )


class PaymentsAndInvoicesFlow(ChannelsFlow[PaymentChannelSettings]):
    channel_example = "{system: shop_eu, payment_method: Stripe EU}"

    target: str = Field(description="the ERP system whose invoices are paid")
    payment_method: str = Field(
        default="Shop payments",
        description="name of the ERP invoice payment method store payments are booked with, "
        "for the channels that name none",
    )
    refresh_every: Duration = Field(
        default=300.0, description="how often invoice states are read back from the ERP"
    )
    refresh_recent: int = Field(
        default=200, ge=1, le=5000, description="how many of the newest orders are read back"
    )

    def payment_method_of(self, entry: PaymentChannelSettings) -> str:
        return entry.payment_method or self.payment_method

    @property
    def payment_methods(self) -> list[str]:
        """Every payment method the channels book with, each once (for `causeway check`)."""
        return sorted({self.payment_method_of(entry) for entry in self.channels})

    def default_schedule(self) -> Schedule:
        # Payments arrive by webhook; invoice states are read back from the ERP.
        return Schedule(REALTIME, every_seconds=self.refresh_every)


def build(context: FlowContext, settings: PaymentsAndInvoicesFlow) -> PaymentsAndInvoices:
    return PaymentsAndInvoices(
        context.store,
        context.inbox,
        channels={
            entry.system: StorePayments(
                entry.system, context.connectors[entry.system], settings.payment_method_of(entry)
            )
            for entry in settings.channels
        },
        target=settings.target,
        target_connector=context.connectors[settings.target],
        refresh_recent=settings.refresh_recent,
        mail=OrderMail.from_config(context.config),
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=PaymentsAndInvoicesFlow,
    roles=(Role("channels", (STORE,), many=True, item="system"), Role("target", (ERP,))),
    starts=Starts(
        role="channels",
        topics=TOPICS,
        job=lambda record, inbox_id: payment_job(record.source, record, inbox_id),
    ),
    # A run reads the invoice states of recent orders back from the ERP.
    run={"refresh": True},
    build=build,
)
