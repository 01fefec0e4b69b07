"""The small value types of the Shopify connector's public API.

Ids are Shopify GraphQL global ids ("gid://shopify/InventoryItem/30322695"),
kept whole because every GraphQL call takes them back in that form.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from causeway.model.ports.channel import OrderChange, QuantityChange, SetOutcome


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")


class Location(_Frozen):
    """A Shopify location (warehouse, store, app fulfilment service)."""

    id: str
    name: str
    is_active: bool = Field(default=True, alias="isActive")


class InventoryItemRef(_Frozen):
    """Where a SKU's stock lives in Shopify: the variant and its inventory item."""

    sku: str
    inventory_item_id: str
    variant_id: str
    product_id: str


# The channel port's own value types (model/ports/channel.py), under the names this
# connector's callers have always imported them by.
__all__ = ["InventoryItemRef", "Location", "OrderChange", "QuantityChange", "SetOutcome"]
