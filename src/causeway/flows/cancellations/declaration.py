"""cancellations, declared: a store's cancellation cancels the ERP sale orders-to-erp
placed, while nothing has shipped. It serves a list of stores (flows/channels.py); each
store's sales are found by the reference prefix orders-to-erp gives that store."""

from __future__ import annotations

from pydantic import Field

from causeway.config.channels import ChannelEntry
from causeway.config.systems import ERP, MARKETPLACE, STORE
from causeway.flows.cancellations import (
    NAME,
    TOPICS,
    Cancellations,
    StoreCancellations,
    cancellation_job,
)
from causeway.flows.channels import ChannelsFlow
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts
from causeway.flows.orders_to_erp import POLL_TOPIC
from causeway.flows.orders_to_erp.declaration import reference_prefix
from causeway.notifications.order_mail import OrderMail


class CancellationsFlow(ChannelsFlow[ChannelEntry]):
    target: str = Field(description="the ERP system whose sales are cancelled")


def build(context: FlowContext, settings: CancellationsFlow) -> Cancellations:
    def one(system: str) -> StoreCancellations:
        # The sale to cancel is found by the reference orders-to-erp gave it.
        prefix = reference_prefix(context.config.flows, system)
        return StoreCancellations(
            system,
            context.connectors[system],
            prefix if prefix is not None else f"{system}-",
        )

    return Cancellations(
        context.store,
        context.inbox,
        channels={system: one(system) for system in settings.stores},
        target=settings.target,
        target_connector=context.connectors[settings.target],
        mail=OrderMail.from_config(context.config),
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=CancellationsFlow,
    roles=(
        Role("channels", (STORE, MARKETPLACE), many=True, item="system"),
        Role("target", (ERP,)),
    ),
    starts=Starts(
        role="channels",
        topics=TOPICS,
        job=lambda record, inbox_id: cancellation_job(record.source, record, inbox_id),
        polled=(POLL_TOPIC,),
    ),
    run=None,
    build=build,
)
