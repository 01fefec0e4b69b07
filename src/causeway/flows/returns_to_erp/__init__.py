"""returns-to-erp: a refund in the store becomes a return in the ERP, once.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.flows.returns_to_erp.flow import (
    AWAITING,
    CREDIT_ONLY,
    NAME,
    REFUND,
    RETURN_SALE,
    RETURNED,
    TOPICS,
    ReturnGroup,
    ReturnsToErp,
    plan_returns,
    refund_job,
)

__all__ = [
    "AWAITING",
    "CREDIT_ONLY",
    "NAME",
    "REFUND",
    "RETURNED",
    "RETURN_SALE",
    "TOPICS",
    "ReturnGroup",
    "ReturnsToErp",
    "plan_returns",
    "refund_job",
]
