"""cancellations: an order cancelled in the store is cancelled in the ERP, once.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.flows.cancellations.flow import (
    NAME,
    TOPICS,
    Cancellations,
    StoreCancellations,
    cancellation_job,
)

__all__ = [
    "NAME",
    "TOPICS",
    "Cancellations",
    "StoreCancellations",
    "cancellation_job",
]
