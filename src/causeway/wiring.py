"""Which flows run, with which connectors, started by which changes: one function per flow.

Each function reads its flow's settings from causeway.yaml and returns a WiredFlow:
the flow object the workers run, the inbox topics (from which source system) that
start one of its jobs, and what a scheduled run of it enqueues. The hub does the
rest the same way for every flow, so a newcomer finds a flow's wiring here by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from causeway.config.models import (
    CancellationsFlow,
    FlowSettings,
    OrdersToErpFlow,
    ReturnsToErpFlow,
    StockToChannelsFlow,
)
from causeway.connectors.shopify.mapping import order_from_graphql, order_from_rest
from causeway.connectors.shopify.refunds import cancellation_from_rest, refund_from_rest
from causeway.engine.inbox import InboxRecord
from causeway.engine.jobs import NewJob
from causeway.engine.schedule import Schedule
from causeway.engine.worker import Flow
from causeway.flows import cancellations, orders_to_erp, returns_to_erp, stock_to_channels
from causeway.flows.cancellations import Cancellations
from causeway.flows.orders_to_erp import OrderParsers, OrdersToErp
from causeway.flows.returns_to_erp import ReturnsToErp
from causeway.flows.stock_to_channels import StockToChannels

if TYPE_CHECKING:
    from causeway.hub import Hub

SHOPIFY_PARSERS = OrderParsers(webhook=order_from_rest, polled=order_from_graphql)

JobFactory = Callable[[InboxRecord, int], NewJob]


@dataclass
class WiredFlow:
    flow: Flow
    schedule: Schedule
    # Inbox records from `source` with one of `topics` each start a job made by `job_for`.
    source: str | None = None
    topics: tuple[str, ...] = ()
    job_for: JobFactory | None = None
    # The job a scheduled run enqueues; None: a run only releases held changes.
    run_payload: dict[str, Any] | None = field(default_factory=dict)


def wire_orders_to_erp(hub: Hub, settings: OrdersToErpFlow) -> WiredFlow:
    flow = OrdersToErp(
        hub.store,
        hub.inbox,
        source=settings.source,
        source_connector=hub.connectors[settings.source],
        parsers=SHOPIFY_PARSERS,
        target=settings.target,
        target_connector=hub.connectors[settings.target],
        batch_size=settings.batch_size,
        reference_prefix=settings.reference_prefix,
        reconcile_overlap=timedelta(seconds=settings.reconcile_overlap),
    )
    source = settings.source
    return WiredFlow(
        flow,
        settings.effective_schedule(),
        source=source,
        topics=orders_to_erp.ORDER_TOPICS,
        job_for=lambda record, inbox_id: orders_to_erp.order_job(source, record, inbox_id),
        # A run of orders-to-erp is the reconciling poll.
        run_payload={"poll": True},
    )


def wire_stock_to_channels(hub: Hub, settings: StockToChannelsFlow) -> WiredFlow:
    locations = {t: getattr(hub.config.systems[t], "location", None) for t in settings.targets}
    flow = StockToChannels(
        hub.store,
        source=settings.source,
        source_connector=hub.connectors[settings.source],
        targets={t: hub.connectors[t] for t in settings.targets},
        safety_stock=settings.safety_stock,
        safety_by_sku=settings.safety_stock_by_sku,
        held=hub.held_quantities,
        overlap=timedelta(seconds=settings.overlap),
        location_ids=locations,
    )
    return WiredFlow(flow, settings.effective_schedule())


def wire_cancellations(hub: Hub, settings: CancellationsFlow) -> WiredFlow:
    # The sale to cancel is found by the reference orders-to-erp gave it.
    orders = hub.config.flows.orders_to_erp
    prefix = orders.reference_prefix if orders else None
    flow = Cancellations(
        hub.store,
        hub.inbox,
        source=settings.source,
        parse=cancellation_from_rest,
        polled=SHOPIFY_PARSERS,
        target=settings.target,
        target_connector=hub.connectors[settings.target],
        reference_prefix=prefix if prefix is not None else f"{settings.source}-",
    )
    source = settings.source
    return WiredFlow(
        flow,
        settings.effective_schedule(),
        source=source,
        topics=cancellations.TOPICS,
        job_for=lambda record, inbox_id: cancellations.cancellation_job(source, record, inbox_id),
        run_payload=None,
    )


def wire_returns_to_erp(hub: Hub, settings: ReturnsToErpFlow) -> WiredFlow:
    flow = ReturnsToErp(
        hub.store,
        hub.inbox,
        source=settings.source,
        parse=refund_from_rest,
        target=settings.target,
        target_connector=hub.connectors[settings.target],
    )
    source = settings.source
    return WiredFlow(
        flow,
        settings.effective_schedule(),
        source=source,
        topics=returns_to_erp.TOPICS,
        job_for=lambda record, inbox_id: returns_to_erp.refund_job(source, record, inbox_id),
        # A run checks whether the ERP has received returned goods.
        run_payload={"poll": True},
    )


# Flow name in causeway.yaml -> how to wire it.
WIRING: dict[str, Callable[[Hub, Any], WiredFlow]] = {
    orders_to_erp.NAME: wire_orders_to_erp,
    stock_to_channels.NAME: wire_stock_to_channels,
    cancellations.NAME: wire_cancellations,
    returns_to_erp.NAME: wire_returns_to_erp,
}


def wire(hub: Hub, flows: dict[str, FlowSettings]) -> dict[str, WiredFlow]:
    missing = sorted(set(flows) - set(WIRING))
    if missing:
        raise NotImplementedError(f"flows not available yet: {', '.join(missing)}")
    return {name: WIRING[name](hub, settings) for name, settings in flows.items()}
