"""customers-to-crm: every customer who orders appears once in the CRM, with their figures.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.flows.customers_to_crm.flow import (
    NAME,
    CustomersToCrm,
    channel_of,
    observed_customer,
    order_job,
)

__all__ = [
    "NAME",
    "CustomersToCrm",
    "channel_of",
    "observed_customer",
    "order_job",
]
