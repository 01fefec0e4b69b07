"""A sales order as the hub sees it, whatever channel it came from."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

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
    """One item line: its quantity now, its price before discounts, and what it was charged.

    `discount` is every discount allocated to the line (its own and its share of
    order-level ones), and `tax_lines` are the taxes charged on the discounted line,
    both for the quantity the line holds now.
    """

    model_config = ConfigDict(frozen=True)

    external_id: str
    sku: str | None
    title: str
    quantity: int = Field(gt=0)
    unit_price: Decimal
    tax_lines: tuple[TaxLine, ...] = ()
    discount: Decimal = Decimal(0)  # total discount allocated to this line
    gift_card: bool = False  # the sale of a gift card: a liability, never taxed, never stock

    @property
    def gross(self) -> Decimal:
        """Price times quantity, before discounts."""
        return self.unit_price * self.quantity

    @property
    def net(self) -> Decimal:
        """What the line costs after its discounts (taxes included when the order says so)."""
        return self.gross - self.discount


class ShippingLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    title: str
    code: str | None = None
    price: Decimal  # before discounts
    tax_lines: tuple[TaxLine, ...] = ()  # on the discounted price
    discount: Decimal = Decimal(0)  # discounts allocated to this shipping line

    @property
    def net(self) -> Decimal:
        return self.price - self.discount


class Discount(BaseModel):
    """A discount the channel applied: what it was worth and what it targets.

    The amounts it took off are on the lines and shipping lines it was allocated to
    (`OrderLine.discount`, `ShippingLine.discount`); this records the intention, e.g.
    the code the customer typed, for the ERP order and for checking the order adds up.
    """

    model_config = ConfigDict(frozen=True)

    title: str  # the code, or the discount's title
    code: str | None = None
    kind: Literal["fixed_amount", "percentage"] = "fixed_amount"
    value: Decimal  # an amount in the order currency, or a percentage (10 means 10 %)
    target: Literal["line_item", "shipping_line"] = "line_item"
    allocation: Literal["across", "each", "one"] = "across"


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
    tax_lines: tuple[TaxLine, ...] = ()  # per tax (title and rate), summed over the order
    taxes_included: bool = False
    discounts: tuple[Discount, ...] = ()
    subtotal: Decimal  # the lines after their discounts
    total_tax: Decimal
    total_discounts: Decimal = Decimal(0)
    tip: Decimal = Decimal(0)
    total: Decimal  # what the customer was charged: lines, shipping, tax (if excluded), tip
    financial_status: FinancialStatus = FinancialStatus.UNKNOWN
    fulfillment_status: str | None = None
    # The channel's own word for the order's state where the hub's lifecycle needs more
    # than financial_status says (Amazon: PENDING, UNSHIPPED, PARTIALLY_SHIPPED, SHIPPED,
    # CANCELLED), kept verbatim so a flow can decide (a PENDING order is not placed yet).
    channel_status: str | None = None
    # The marketplace ships the order from its own stock (Amazon FBA): the ERP never ships
    # it nor confirms a shipment for it.
    fulfilled_by_channel: bool = False
    # Taken but not paid yet (Amazon's PENDING): its units are held, but orders-to-erp
    # places it only once a later version is paid. False on channels whose orders are
    # placed as they come (Shopify, WooCommerce: their own financial_status says the rest).
    awaiting_payment: bool = False
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
        """Shipping charged, after shipping discounts."""
        return sum((s.net for s in self.shipping_lines), Decimal(0))

    @property
    def discount_codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.discounts if d.code)
