"""quotes-to-erp: a deal won in the CRM becomes one confirmed ERP sale.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.flows.quotes_to_erp.flow import (
    DEAL,
    NAME,
    PLACED,
    POLL_TOPIC,
    STAGE_TOPIC,
    STATE_MILESTONES,
    TOPICS,
    ErpSales,
    Placed,
    QuotesToErp,
    deal_job,
    deal_reference,
    is_won_event,
    milestones_of,
)

__all__ = [
    "DEAL",
    "NAME",
    "PLACED",
    "POLL_TOPIC",
    "STAGE_TOPIC",
    "STATE_MILESTONES",
    "TOPICS",
    "ErpSales",
    "Placed",
    "QuotesToErp",
    "deal_job",
    "deal_reference",
    "is_won_event",
    "milestones_of",
]
