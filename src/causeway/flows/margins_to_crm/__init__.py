"""margins-to-crm: what each order really earned, from the ERP to the CRM.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.flows.margins_to_crm.flow import (
    CENT,
    DEAL,
    MARGIN,
    NAME,
    SALE,
    CrmWrites,
    CustomerTotals,
    MarginsToCrm,
    counts,
    customer_totals,
    fingerprint,
    money,
    sale_margin,
)

__all__ = [
    "CENT",
    "DEAL",
    "MARGIN",
    "NAME",
    "SALE",
    "CrmWrites",
    "CustomerTotals",
    "MarginsToCrm",
    "counts",
    "customer_totals",
    "fingerprint",
    "money",
    "sale_margin",
]
