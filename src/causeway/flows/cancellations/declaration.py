"""cancellations, declared: a store's cancellation cancels the ERP sale orders-to-erp
placed, while nothing has shipped."""

from __future__ import annotations

from pydantic import Field

from causeway.config.flows import FlowSettings
from causeway.config.systems import ERP, STORE
from causeway.flows.cancellations import NAME, TOPICS, Cancellations, cancellation_job
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts
from causeway.flows.orders_to_erp import POLL_TOPIC
from causeway.flows.orders_to_erp.declaration import reference_prefix


class CancellationsFlow(FlowSettings):
    source: str = Field(description="the store system whose cancellations reach the ERP")
    target: str = Field(description="the ERP system whose sales are cancelled")


def build(context: FlowContext, settings: CancellationsFlow) -> Cancellations:
    # The sale to cancel is found by the reference orders-to-erp gave it.
    prefix = reference_prefix(context.config.flows, settings.source)
    return Cancellations(
        context.store,
        context.inbox,
        **context.source_and_target(settings),
        reference_prefix=prefix if prefix is not None else f"{settings.source}-",
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=CancellationsFlow,
    roles=(Role("source", (STORE,)), Role("target", (ERP,))),
    starts=Starts(
        role="source",
        topics=TOPICS,
        job=lambda record, inbox_id: cancellation_job(record.source, record, inbox_id),
        polled=(POLL_TOPIC,),
    ),
    run=None,
    build=build,
)
