"""payments-and-invoices: the store's payment reaches the ERP invoice, and the
invoice's state comes back to the hub's order record.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.flows.payments_and_invoices.flow import (
    FINAL,
    INVOICE,
    NAME,
    TOPICS,
    Action,
    LinkedOrder,
    PaymentsAndInvoices,
    StorePayments,
    decide,
    invoice_summary,
    milestones,
    payment_job,
)

__all__ = [
    "FINAL",
    "INVOICE",
    "NAME",
    "TOPICS",
    "Action",
    "LinkedOrder",
    "PaymentsAndInvoices",
    "StorePayments",
    "decide",
    "invoice_summary",
    "milestones",
    "payment_job",
]
