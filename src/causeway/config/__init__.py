"""causeway.yaml: loading, validation and the commented example `causeway init` writes."""

from causeway.config.loader import load_config, parse_config
from causeway.config.models import (
    CausewayConfig,
    FilesExchangeFlow,
    FilesSystem,
    HubSpotSystem,
    OrdersToErpFlow,
    ShopifySystem,
    StockToChannelsFlow,
    TrytonSystem,
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
    "load_config",
    "parse_config",
]
