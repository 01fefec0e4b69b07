"""What the entries of a flow's `channels:` list have: the store (ChannelEntry, every
flow's), and for the flows that sell the ERP's products there, the names it sells them
under (ChannelSettings: stock-to-channels and catalog-to-channels extend it, so one
`sku_map` written the same way in both flows names the same products in both)."""

from __future__ import annotations

from typing import Self

from pydantic import ConfigDict, Field, model_validator

from causeway.config.base import Strict


class ChannelEntry(Strict):
    """One store a flow serves; a flow's own entry adds what it needs of that store."""

    model_config = ConfigDict(frozen=True)

    system: str = Field(description="the store system")


class ChannelSettings(ChannelEntry):
    """One store a flow sells the ERP's products in."""

    # ERP SKU -> the SKU the channel sells it under, where they differ.
    sku_map: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_product_per_channel_sku(self) -> Self:
        seen: dict[str, str] = {}
        for erp_sku, channel_sku in sorted(self.sku_map.items()):
            if channel_sku in seen:
                raise ValueError(
                    f"sku_map: {seen[channel_sku]} and {erp_sku} both map to {channel_sku}; "
                    f"a channel SKU can stand for one ERP product only"
                )
            seen[channel_sku] = erp_sku
        return self

    def channel_sku(self, erp_sku: str) -> str:
        """The SKU this channel sells the ERP's `erp_sku` under."""
        return self.sku_map.get(erp_sku, erp_sku)
