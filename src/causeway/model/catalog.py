"""A product as the ERP sells it: what every store's listing of one SKU must show."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

WeightUnit = Literal["g", "kg", "oz", "lb"]


class CatalogItem(BaseModel):
    """One sellable SKU with the data the ERP owns.

    price is what the customer pays; compare_at_price, when set, is the higher
    "was" price a store shows struck through. active=False means the SKU is no
    longer for sale: stores archive it rather than delete it, so past orders keep
    their product. categories are the ERP's product categories the item is in, each
    by its full name ("Garden / Chairs"): they choose the channels that sell it
    (a channel's assortment), no store shows them.
    """

    model_config = ConfigDict(frozen=True)

    sku: str
    title: str
    description: str = ""
    price: Decimal
    compare_at_price: Decimal | None = None
    weight: Decimal | None = None
    weight_unit: WeightUnit | None = None
    active: bool = True
    categories: tuple[str, ...] = ()
    source_id: str  # the product's id in the ERP
