"""returns-to-erp, declared: a store's refund becomes an ERP return with its credit note;
a scheduled run checks whether the ERP has received the returned goods. It serves a
list of stores (flows/channels.py): Shopify's refunds/create webhook, WooCommerce's
update of a refunded order (connectors/woocommerce/ingress.py)."""

from __future__ import annotations

from pydantic import Field

from causeway.config.base import Duration
from causeway.config.channels import ChannelEntry
from causeway.config.systems import ERP, STORE
from causeway.engine.schedule import REALTIME, Schedule
from causeway.flows.channels import ChannelsFlow
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts
from causeway.flows.orders_to_erp import POLL_TOPIC
from causeway.flows.returns_to_erp import NAME, TOPICS, ReturnsToErp, refund_job
from causeway.notifications.order_mail import OrderMail


class ReturnsToErpFlow(ChannelsFlow[ChannelEntry]):
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
        channels={system: context.connectors[system] for system in settings.stores},
        target=settings.target,
        target_connector=context.connectors[settings.target],
        mail=OrderMail.from_config(context.config),
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=ReturnsToErpFlow,
    roles=(Role("channels", (STORE,), many=True, item="system"), Role("target", (ERP,))),
    starts=Starts(
        role="channels",
        topics=TOPICS,
        job=lambda record, inbox_id: refund_job(record.source, record, inbox_id),
        polled=(POLL_TOPIC,),
    ),
    # A run checks whether the ERP has received returned goods.
    run={"poll": True},
    build=build,
)
