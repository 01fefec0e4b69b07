"""orders-to-erp: every store order becomes a confirmed ERP sales order, once.

amount_check.py: every placed sale's amounts against the order's;
order_edits.py: a later event of a placed order whose lines changed;
notified.py: an order a channel only names (Amazon's ORDER_CHANGE), fetched and taken
as polled.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.flows.orders_to_erp.amount_check import AmountCheck
from causeway.flows.orders_to_erp.channels import OrdersFromChannels
from causeway.flows.orders_to_erp.flow import (
    NAME,
    ORDER,
    ORDER_TOPICS,
    POLL_TOPIC,
    SETTLED,
    STARTED_BY,
    OrdersToErp,
    SalesTarget,
    order_job,
    parse_event,
    reference_for,
    sale_reference,
)

__all__ = [
    "NAME",
    "ORDER",
    "ORDER_TOPICS",
    "POLL_TOPIC",
    "SETTLED",
    "STARTED_BY",
    "AmountCheck",
    "OrdersFromChannels",
    "OrdersToErp",
    "SalesTarget",
    "order_job",
    "parse_event",
    "reference_for",
    "sale_reference",
]
