"""files-exchange: a drop folder of CSV files talks to the hub, on a schedule.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.flows.files_exchange.flow import (
    NAME,
    ExchangeRun,
    FilesExchange,
)

__all__ = [
    "NAME",
    "ExchangeRun",
    "FilesExchange",
]
