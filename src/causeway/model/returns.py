"""What a store says when an order is cancelled or money goes back to the customer."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Cancellation(BaseModel):
    """The store cancelled an order: the ERP sale must not ship or invoice it."""

    model_config = ConfigDict(frozen=True)

    order_external_id: str
    order_number: str
    cancelled_at: datetime
    reason: str | None = None


class Restock(StrEnum):
    """What happens to the refunded goods (Shopify's restock_type)."""

    NO_RESTOCK = "no_restock"  # money back only: nothing comes back
    CANCEL = "cancel"  # the items never left: they were removed before fulfilment
    RETURN = "return"  # the customer sends the items back
    LEGACY_RESTOCK = "legacy_restock"  # pre-2019 refunds: treated as a return


# The restock types whose goods come back to the warehouse.
COMES_BACK = frozenset({Restock.RETURN, Restock.LEGACY_RESTOCK})


class RefundLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    line_item_id: str
    sku: str | None
    title: str
    quantity: int = Field(gt=0)
    unit_price: Decimal
    subtotal: Decimal | None = None
    restock: Restock = Restock.NO_RESTOCK

    @property
    def comes_back(self) -> bool:
        return self.restock in COMES_BACK


class Refund(BaseModel):
    """One refund of a store order: lines refunded, and the money paid back."""

    model_config = ConfigDict(frozen=True)

    external_id: str
    order_external_id: str
    created_at: datetime
    lines: tuple[RefundLine, ...]
    refunded_amount: Decimal  # successful refund transactions
    currency: str | None = None
    note: str | None = None
