"""carts: shoppers' checkouts kept, counted abandoned after a configured time, recovered
when an order follows (docs/carts.md).

The flow is in flow.py, the rule in abandonment.py; its public names are importable from
this package.
"""

from causeway.flows.carts.abandonment import (
    ABANDONED,
    COMPLETED,
    OPEN,
    RECOVERED,
    Abandonment,
)
from causeway.flows.carts.flow import NAME, TOPICS, Carts, cart_job

__all__ = [
    "ABANDONED",
    "COMPLETED",
    "NAME",
    "OPEN",
    "RECOVERED",
    "TOPICS",
    "Abandonment",
    "Carts",
    "cart_job",
]
