"""The small value types of the Shopify connector's public API.

Ids are Shopify GraphQL global ids ("gid://shopify/InventoryItem/30322695"),
kept whole because every GraphQL call takes them back in that form.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


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


class OrderChange(_Frozen):
    """An order that changed: enough for a poller to decide whether to fetch it."""

    external_id: str  # numeric id, "450789469"
    updated_at: datetime


class QuantityChange(_Frozen):
    """Set `available` of one item at one location to `quantity`.

    compare_quantity is the `available` the caller last read, sent as Shopify's
    `changeFromQuantity`: Shopify applies the change only if it still is
    (compare-and-set), so a sale that happened in between is not overwritten. None
    (nothing was read, e.g. the item is not stocked at the location yet) opts out
    of the check.
    """

    inventory_item_id: str
    location_id: str
    quantity: int
    compare_quantity: int | None = None


class SetOutcome(_Frozen):
    """What became of each requested change.

    applied: written. stale: refused because `available` changed since it was
    read; re-read and retry them. failed: refused for another reason, described
    in errors (one message per Shopify userError).
    """

    applied: list[QuantityChange] = []
    stale: list[QuantityChange] = []
    errors: list[str] = []
    failed: list[QuantityChange] = []
