"""Products as sellable SKUs, and the stock the ERP holds of them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class ProductVariant(BaseModel):
    model_config = ConfigDict(frozen=True)

    sku: str
    title: str
    price: Decimal | None = None
    cost: Decimal | None = None
    active: bool = True
    external_id: str | None = None


class StockLevel(BaseModel):
    """Quantities of one SKU at one location, as the ERP sees them.

    on_hand is physically there; forecast is on hand minus what confirmed orders
    will take (and plus what is expected in), which is what can still be sold.
    """

    model_config = ConfigDict(frozen=True)

    sku: str
    location: str
    on_hand: Decimal
    forecast: Decimal
    as_of: datetime | None = None
