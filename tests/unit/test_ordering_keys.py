"""Every flow keys its jobs about one order with the order's one ordering key, so they run
one at a time in the order they were queued: the payment, the cancellation, the refund,
the shipment and the customer count of an order wait for the job that placed it."""

from __future__ import annotations

from causeway.engine.inbox import InboxRecord
from causeway.engine.jobs import ordering_key
from causeway.flows import (
    cancellations,
    customers_to_crm,
    fulfillments_to_channels,
    orders_to_erp,
    payments_and_invoices,
    returns_to_erp,
)


def webhook(topic: str) -> InboxRecord:
    return InboxRecord("shop", f"event-{topic}", topic, "order:1001", b"{}")


def test_an_ordering_key_is_the_system_the_entity_and_its_id() -> None:
    assert ordering_key("shop", "order", "1001") == "shop:order:1001"
    assert ordering_key("shop", "order:1001") == "shop:order:1001"  # an inbox entity key
    assert ordering_key("erp", "product", 7) == "erp:product:7"


def test_the_jobs_of_one_order_share_its_key_whatever_the_flow() -> None:
    key = ordering_key("shop", orders_to_erp.ORDER, "1001")
    jobs = [
        orders_to_erp.order_job("shop", webhook("orders/create"), 1),
        payments_and_invoices.payment_job("shop", webhook("orders/paid"), 2),
        cancellations.cancellation_job("shop", webhook("orders/cancelled"), 3),
        returns_to_erp.refund_job("shop", webhook("refunds/create"), 4),
        customers_to_crm.order_job("shop", "1001"),
        fulfillments_to_channels.shipment_job(
            InboxRecord("erp", "shipment:9", fulfillments_to_channels.TOPIC, key, b"{}"), 5
        ),
    ]
    assert {job.ordering_key for job in jobs} == {key}
