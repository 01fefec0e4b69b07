"""cases: service cases are CRM tickets linked to the customer and the order they name.

case_state.py: what a ticket shows of its order, and how its order is found;
hub_cases.py: the cases the hub opens by itself.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.flows.cases.flow import (
    NAME,
    Cases,
    ticket_job,
    topics,
)

__all__ = [
    "NAME",
    "Cases",
    "ticket_job",
    "topics",
]
