"""fulfillments-to-channels: what the warehouse shipped in the ERP fulfils the store order.

decisions.py: which store lines a shipment fulfils, free of I/O.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.flows.fulfillments_to_channels.flow import (
    FULFILLMENT,
    NAME,
    ORDER,
    SHIPMENT,
    TOPIC,
    FulfillmentsToChannels,
    shipment_job,
)

__all__ = [
    "FULFILLMENT",
    "NAME",
    "ORDER",
    "SHIPMENT",
    "TOPIC",
    "FulfillmentsToChannels",
    "shipment_job",
]
