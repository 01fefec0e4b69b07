"""A sales order as the hub sees it, whatever channel it came from."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from causeway.model.customer import Address, Customer


class FinancialStatus(StrEnum):
    PENDING = "pending"
    AUTHORIZED = "authorized"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    VOIDED = "voided"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


class TaxLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    title: str
    rate: Decimal  # 0.06 means 6 %
    amount: Decimal


class OrderLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    external_id: str
    sku: str | None
    title: str
    quantity: int = Field(gt=0)
    unit_price: Decimal
    tax_lines: tuple[TaxLine, ...] = ()
    discount: Decimal = Decimal(0)  # total discount allocated to this line


class ShippingLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    title: str
    code: str | None = None
    price: Decimal
    tax_lines: tuple[TaxLine, ...] = ()


class Attribution(BaseModel):
    """Where the order came from, as marketing wants to see it on the ERP order."""

    model_config = ConfigDict(frozen=True)

    source_name: str | None = None
    landing_site: str | None = None
    referring_site: str | None = None
    landing_site_ref: str | None = None


class Order(BaseModel):
    model_config = ConfigDict(frozen=True)

    external_id: str  # the channel's own id (Shopify: numeric id as a string)
    number: str  # the number the customer sees (Shopify: name, "#1001")
    currency: str
    created_at: datetime
    updated_at: datetime
    customer: Customer
    billing_address: Address | None = None
    shipping_address: Address | None = None
    lines: tuple[OrderLine, ...]
    shipping_lines: tuple[ShippingLine, ...] = ()
    tax_lines: tuple[TaxLine, ...] = ()
    taxes_included: bool = False
    subtotal: Decimal
    total_tax: Decimal
    total_discounts: Decimal = Decimal(0)
    total: Decimal
    financial_status: FinancialStatus = FinancialStatus.UNKNOWN
    fulfillment_status: str | None = None
    cancelled_at: datetime | None = None
    note: str | None = None
    tags: tuple[str, ...] = ()
    attribution: Attribution = Attribution()
    test: bool = False

    @property
    def skus(self) -> list[str]:
        return [line.sku for line in self.lines if line.sku]

    @property
    def shipping_total(self) -> Decimal:
        return sum((s.price for s in self.shipping_lines), Decimal(0))
