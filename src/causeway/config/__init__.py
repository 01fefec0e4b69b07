"""causeway.yaml: loading, validation and the commented example `causeway init` writes.

The whole config's model (CausewayConfig) is assembled from every flow's declaration
(flows/registry.py), and the flows use the config's parts (systems, customers): so the
model and the loader are imported on first use, and importing a part never imports
every flow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from causeway.config.systems import (
    AmazonSystem,
    FilesSystem,
    HubSpotSystem,
    ShopifySystem,
    TrytonSystem,
    WooCommerceSystem,
)

if TYPE_CHECKING:
    from causeway.config.loader import load_config, parse_config
    from causeway.config.models import CausewayConfig

__all__ = [
    "AmazonSystem",
    "CausewayConfig",
    "FilesSystem",
    "HubSpotSystem",
    "ShopifySystem",
    "TrytonSystem",
    "WooCommerceSystem",
    "load_config",
    "parse_config",
]


def __getattr__(name: str) -> Any:
    if name == "CausewayConfig":
        from causeway.config.models import CausewayConfig

        return CausewayConfig
    if name in ("load_config", "parse_config"):
        from causeway.config import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
