"""channel-fees: a marketplace's fees on each order reach the ERP, once.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.flows.channel_fees.account_fees import ACCOUNT_FEES
from causeway.flows.channel_fees.flow import (
    FEE_REFUNDS,
    FEES,
    NAME,
    ChannelFeesToErp,
    Pending,
    RunResult,
)
from causeway.flows.channel_fees.owed import REFUND_OWED

__all__ = [
    "ACCOUNT_FEES",
    "FEES",
    "FEE_REFUNDS",
    "NAME",
    "REFUND_OWED",
    "ChannelFeesToErp",
    "Pending",
    "RunResult",
]
