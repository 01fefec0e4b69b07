"""customers-sync: the golden customer record kept in step with the CRM and the ERP.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.customers.system_fields import contact_topics
from causeway.flows.customers_sync.flow import (
    NAME,
    PARTY,
    CustomersSync,
    contact_job,
    party_job,
)

__all__ = [
    "NAME",
    "PARTY",
    "CustomersSync",
    "contact_job",
    "contact_topics",
    "party_job",
]
