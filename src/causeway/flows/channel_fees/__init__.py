"""channel-fees: a marketplace's fees on each order reach the ERP, once.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.flows.channel_fees.flow import FEES, NAME, ChannelFeesToErp, Pending, RunResult

__all__ = ["FEES", "NAME", "ChannelFeesToErp", "Pending", "RunResult"]
