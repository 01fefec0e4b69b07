"""causeway.yaml: loading, validation and the commented example `causeway init` writes."""

from causeway.config.flows import FilesExchangeFlow, OrdersToErpFlow, StockToChannelsFlow
from causeway.config.loader import load_config, parse_config
from causeway.config.models import CausewayConfig
from causeway.config.systems import (
    FilesSystem,
    HubSpotSystem,
    ShopifySystem,
    TrytonSystem,
    WooCommerceSystem,
)

__all__ = [
    "CausewayConfig",
    "FilesExchangeFlow",
    "FilesSystem",
    "HubSpotSystem",
    "OrdersToErpFlow",
    "ShopifySystem",
    "StockToChannelsFlow",
    "TrytonSystem",
    "WooCommerceSystem",
    "load_config",
    "parse_config",
]
