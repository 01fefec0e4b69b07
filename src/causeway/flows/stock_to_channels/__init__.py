"""stock-to-channels: what each SKU can still be sold, as the ERP sees it, reaches every store.

The flow is in flow.py, one channel's publishing in publish.py, what a run did in
results.py, and the writes a channel decides on later in settlement.py; their public
names are importable from this package.
"""

from causeway.flows.stock_to_channels.flow import NAME, StockToChannels
from causeway.flows.stock_to_channels.publish import (
    MAX_CAS_ROUNDS,
    NOT_IN_CHANNEL_RECHECK,
    STOCK,
    ChannelPublisher,
)
from causeway.flows.stock_to_channels.results import (
    ChannelResult,
    Progress,
    StockRun,
    changed_since_published,
)

__all__ = [
    "MAX_CAS_ROUNDS",
    "NAME",
    "NOT_IN_CHANNEL_RECHECK",
    "STOCK",
    "ChannelPublisher",
    "ChannelResult",
    "Progress",
    "StockRun",
    "StockToChannels",
    "changed_since_published",
]
