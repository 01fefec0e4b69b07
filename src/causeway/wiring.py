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
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from causeway.config.flows import (
    CancellationsFlow,
    CasesFlow,
    CatalogToChannelsFlow,
    CustomersSyncFlow,
    CustomersToCrmFlow,
    FilesExchangeFlow,
    FlowSettings,
    FulfillmentsToChannelsFlow,
    MarginsToCrmFlow,
    OrdersToErpFlow,
    PaymentsAndInvoicesFlow,
    PrivacyRequestsFlow,
    QuotesToErpFlow,
    ReturnsToErpFlow,
    StockToChannelsFlow,
)
from causeway.config.systems import FilesSystem, ShopifySystem
from causeway.engine.inbox import InboxRecord
from causeway.engine.jobs import NewJob
from causeway.engine.schedule import Schedule
from causeway.engine.worker import Flow
from causeway.flows import (
    cancellations,
    cases,
    catalog_to_channels,
    customers_sync,
    customers_to_crm,
    files_exchange,
    fulfillments_to_channels,
    margins_to_crm,
    orders_to_erp,
    payments_and_invoices,
    privacy_requests,
    quotes_to_erp,
    returns_to_erp,
    stock_to_channels,
)
from causeway.flows.cancellations import Cancellations
from causeway.flows.cases import Cases
from causeway.flows.catalog_to_channels import CatalogToChannels
from causeway.flows.customers_sync import CustomersSync
from causeway.flows.customers_to_crm import CustomersToCrm
from causeway.flows.files_exchange import FilesExchange
from causeway.flows.fulfillments_to_channels import FulfillmentsToChannels
from causeway.flows.margins_to_crm import MarginsToCrm
from causeway.flows.orders_to_erp import AmountCheck, OrdersToErp
from causeway.flows.payments_and_invoices import PaymentsAndInvoices
from causeway.flows.privacy_requests import PrivacyRequests
from causeway.flows.quotes_to_erp import QuotesToErp
from causeway.flows.returns_to_erp import ReturnsToErp
from causeway.flows.stock_to_channels import StockToChannels

if TYPE_CHECKING:
    from causeway.hub import Hub

JobFactory = Callable[[InboxRecord, int], NewJob]


@dataclass
class WiredFlow:
    flow: Flow
    schedule: Schedule
    # Inbox records from one of `sources` with one of `topics` each start a job made by
    # `job_for`.
    sources: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    job_for: JobFactory | None = None
    # Those of `topics` the hub writes itself from a poll: routed, never subscribed.
    polled_topics: tuple[str, ...] = ()
    # Those of `topics` a vendor sends only to URLs declared in the app's own
    # configuration (Shopify's privacy topics): routed, never subscribed through the API.
    app_topics: tuple[str, ...] = ()
    # The job a scheduled run enqueues; None: a run only releases held changes.
    run_payload: dict[str, Any] | None = field(default_factory=dict)


def wire_orders_to_erp(hub: Hub, settings: OrdersToErpFlow) -> WiredFlow:
    from_files = isinstance(hub.config.systems[settings.source], FilesSystem)
    flow = OrdersToErp(
        hub.store,
        hub.inbox,
        source=settings.source,
        source_connector=hub.connectors[settings.source],
        target=settings.target,
        target_connector=hub.connectors[settings.target],
        batch_size=settings.batch_size,
        reference_prefix=settings.reference_prefix,
        reconcile_overlap=timedelta(seconds=settings.reconcile_overlap),
        amount_check=AmountCheck(settings.amount_tolerance, settings.on_amount_mismatch),
        tax_map=settings.taxes(),
    )
    source = settings.source
    return WiredFlow(
        flow,
        settings.effective_schedule(),
        sources=(source,),
        topics=orders_to_erp.ORDER_TOPICS,
        polled_topics=(orders_to_erp.POLL_TOPIC,),
        job_for=lambda record, inbox_id: orders_to_erp.order_job(source, record, inbox_id),
        # A run of orders-to-erp is the reconciling poll; a drop folder has nothing to
        # poll (files-exchange reads every file), so its runs only release held orders.
        run_payload=None if from_files else {"poll": True},
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


def wire_files_exchange(hub: Hub, settings: FilesExchangeFlow) -> WiredFlow:
    flow = FilesExchange(
        hub.store,
        hub.inbox,
        source=settings.source,
        files=hub.connectors[settings.source],
        erp=hub.connectors[settings.target],
        safety_stock=settings.safety_stock,
        held=hub.held_quantities,
    )
    return WiredFlow(flow, settings.effective_schedule())


def wire_catalog_to_channels(hub: Hub, settings: CatalogToChannelsFlow) -> WiredFlow:
    flow = CatalogToChannels(
        hub.store,
        hub.jobs,
        source=settings.source,
        source_connector=hub.connectors[settings.source],
        targets={t: hub.connectors[t] for t in settings.targets},
        price_list=settings.price_list,
        overlap=timedelta(seconds=settings.overlap),
    )
    # The ERP is polled: a run queues one job per changed product. A store's
    # products/update webhook puts the ERP's values back on a product edited there.
    return WiredFlow(
        flow,
        settings.effective_schedule(),
        sources=tuple(settings.targets),
        topics=catalog_to_channels.STORE_EDIT_TOPICS,
        job_for=catalog_to_channels.store_edit_job,
        run_payload={"run": True},
    )


def wire_payments_and_invoices(hub: Hub, settings: PaymentsAndInvoicesFlow) -> WiredFlow:
    flow = PaymentsAndInvoices(
        hub.store,
        hub.inbox,
        source=settings.source,
        source_connector=hub.connectors[settings.source],
        target=settings.target,
        target_connector=hub.connectors[settings.target],
        payment_method=settings.payment_method,
        refresh_recent=settings.refresh_recent,
    )
    source = settings.source
    return WiredFlow(
        flow,
        settings.effective_schedule(),
        sources=(source,),
        topics=payments_and_invoices.TOPICS,
        job_for=lambda record, inbox_id: payments_and_invoices.payment_job(
            source, record, inbox_id
        ),
        # A run reads the invoice states of recent orders back from the ERP.
        run_payload={"refresh": True},
    )


def wire_fulfillments_to_channels(hub: Hub, settings: FulfillmentsToChannelsFlow) -> WiredFlow:
    # The sale.reference prefix orders-to-erp gives each store's orders: a shipment of
    # such a sale whose order the hub has not linked is parked, any other is not ours.
    orders = hub.config.flows.orders_to_erp
    prefixes = (
        {orders.source: orders.reference_prefix or f"{orders.source}-"}
        if orders is not None and orders.source in settings.targets
        else {}
    )
    flow = FulfillmentsToChannels(
        hub.store,
        hub.inbox,
        source=settings.source,
        source_connector=hub.connectors[settings.source],
        targets={t: hub.connectors[t] for t in settings.targets},
        reference_prefixes=prefixes,
        release_held=lambda: hub.jobs.release_held(fulfillments_to_channels.NAME),
        tracking_urls=settings.tracking_urls,
        notify_customer=settings.notify_customer,
        overlap=timedelta(seconds=settings.overlap),
    )
    return WiredFlow(
        flow,
        settings.effective_schedule(),
        sources=(settings.source,),
        topics=(fulfillments_to_channels.TOPIC,),
        polled_topics=(fulfillments_to_channels.TOPIC,),
        job_for=fulfillments_to_channels.shipment_job,
        # A run polls the ERP for shipments done since the cursor.
        run_payload={"poll": True},
    )


def wire_cancellations(hub: Hub, settings: CancellationsFlow) -> WiredFlow:
    # The sale to cancel is found by the reference orders-to-erp gave it.
    orders = hub.config.flows.orders_to_erp
    prefix = orders.reference_prefix if orders else None
    flow = Cancellations(
        hub.store,
        hub.inbox,
        source=settings.source,
        source_connector=hub.connectors[settings.source],
        target=settings.target,
        target_connector=hub.connectors[settings.target],
        reference_prefix=prefix if prefix is not None else f"{settings.source}-",
    )
    source = settings.source
    return WiredFlow(
        flow,
        settings.effective_schedule(),
        sources=(source,),
        topics=cancellations.TOPICS,
        polled_topics=(orders_to_erp.POLL_TOPIC,),
        job_for=lambda record, inbox_id: cancellations.cancellation_job(source, record, inbox_id),
        run_payload=None,
    )


def wire_returns_to_erp(hub: Hub, settings: ReturnsToErpFlow) -> WiredFlow:
    flow = ReturnsToErp(
        hub.store,
        hub.inbox,
        source=settings.source,
        source_connector=hub.connectors[settings.source],
        target=settings.target,
        target_connector=hub.connectors[settings.target],
    )
    source = settings.source
    return WiredFlow(
        flow,
        settings.effective_schedule(),
        sources=(source,),
        topics=returns_to_erp.TOPICS,
        job_for=lambda record, inbox_id: returns_to_erp.refund_job(source, record, inbox_id),
        # A run checks whether the ERP has received returned goods.
        run_payload={"poll": True},
    )


def wire_quotes_to_erp(hub: Hub, settings: QuotesToErpFlow) -> WiredFlow:
    flow = QuotesToErp(
        hub.store,
        hub.inbox,
        source=settings.source,
        crm=hub.connectors[settings.source],
        target=settings.target,
        erp=hub.connectors[settings.target],
        won_stages=settings.won_stages,
        currency=settings.currency,
        tax_rate=settings.tax_rate,
        batch_size=settings.batch_size,
        overlap=timedelta(seconds=settings.reconcile_overlap),
    )
    source = settings.source
    return WiredFlow(
        flow,
        settings.effective_schedule(),
        sources=(source,),
        topics=quotes_to_erp.TOPICS,
        polled_topics=(quotes_to_erp.POLL_TOPIC,),
        job_for=lambda record, inbox_id: quotes_to_erp.deal_job(source, record, inbox_id),
        # A run searches won deals the webhooks missed and writes sale states back.
        run_payload={"poll": True},
    )


def wire_margins_to_crm(hub: Hub, settings: MarginsToCrmFlow) -> WiredFlow:
    flow = MarginsToCrm(
        hub.store,
        source=settings.source,
        erp=hub.connectors[settings.source],
        target=settings.target,
        crm=hub.connectors[settings.target],
    )
    return WiredFlow(flow, settings.effective_schedule(), run_payload={"run": True})


def wire_customers_to_crm(hub: Hub, settings: CustomersToCrmFlow) -> WiredFlow:
    flow = CustomersToCrm(
        hub.store,
        hub.jobs,
        source=settings.source,
        source_connector=hub.connectors[settings.source],
        target=settings.target,
        target_connector=hub.connectors[settings.target],
        customers=hub.config.customers,
        rfm=settings.rfm,
        batch_size=settings.batch_size,
        overlap=timedelta(seconds=settings.overlap),
    )
    # Fed by orders that reached the ERP (the hub's own order links), not by webhooks:
    # a run queues one job per order not counted yet.
    return WiredFlow(flow, settings.effective_schedule(), run_payload={"run": True})


def wire_cases(hub: Hub, settings: CasesFlow) -> WiredFlow:
    crm = settings.source
    flow = Cases(
        hub.store,
        hub.jobs,
        source=crm,
        source_connector=hub.connectors[crm],
        store_system=settings.target,
        order_property=settings.order_property,
    )
    return WiredFlow(
        flow,
        settings.effective_schedule(),
        sources=(crm,),
        topics=cases.topics(settings.order_property),
        job_for=lambda record, _inbox_id: cases.ticket_job(crm, record.entity_key),
        # A run refreshes the order state written on every case the hub has linked.
        run_payload={"refresh": True},
    )


def wire_customers_sync(hub: Hub, settings: CustomersSyncFlow) -> WiredFlow:
    crm = settings.target
    flow = CustomersSync(
        hub.store,
        hub.inbox,
        hub.jobs,
        erp=settings.source,
        erp_connector=hub.connectors[settings.source],
        crm=crm,
        crm_connector=hub.connectors[crm],
        customers=hub.config.customers,
        overlap=timedelta(seconds=settings.overlap),
    )
    return WiredFlow(
        flow,
        settings.effective_schedule(),
        # The CRM's contact changes arrive by webhook; the ERP's parties are read by a run.
        sources=(crm,),
        topics=customers_sync.contact_topics(),
        job_for=lambda record, inbox_id: customers_sync.contact_job(crm, record, inbox_id),
        run_payload={"run": True},
    )


def wire_privacy_requests(hub: Hub, settings: PrivacyRequestsFlow) -> WiredFlow:
    domains = {}
    for name in settings.sources:
        shop = hub.config.systems[name]
        assert isinstance(shop, ShopifySystem)  # config/models.py checks the kind
        domains[name] = shop.shop_domain or urlsplit(shop.shop_url).hostname or ""
    flow = PrivacyRequests(
        hub.store,
        hub.inbox,
        hub.config,
        exports=Path(settings.exports_folder),
        shop_domains=domains,
    )
    return WiredFlow(
        flow,
        settings.effective_schedule(),
        sources=tuple(settings.sources),
        topics=privacy_requests.TOPICS,
        job_for=privacy_requests.request_job,
        app_topics=privacy_requests.TOPICS,
        run_payload=None,
    )


# Flow name in causeway.yaml -> how to wire it.
WIRING: dict[str, Callable[[Hub, Any], WiredFlow]] = {
    orders_to_erp.NAME: wire_orders_to_erp,
    stock_to_channels.NAME: wire_stock_to_channels,
    files_exchange.NAME: wire_files_exchange,
    catalog_to_channels.NAME: wire_catalog_to_channels,
    payments_and_invoices.NAME: wire_payments_and_invoices,
    fulfillments_to_channels.NAME: wire_fulfillments_to_channels,
    cancellations.NAME: wire_cancellations,
    returns_to_erp.NAME: wire_returns_to_erp,
    quotes_to_erp.NAME: wire_quotes_to_erp,
    margins_to_crm.NAME: wire_margins_to_crm,
    customers_to_crm.NAME: wire_customers_to_crm,
    cases.NAME: wire_cases,
    customers_sync.NAME: wire_customers_sync,
    privacy_requests.NAME: wire_privacy_requests,
}


def wire(hub: Hub, flows: dict[str, FlowSettings]) -> dict[str, WiredFlow]:
    missing = sorted(set(flows) - set(WIRING))
    if missing:
        raise NotImplementedError(f"flows not available yet: {', '.join(missing)}")
    return {name: WIRING[name](hub, settings) for name, settings in flows.items()}
