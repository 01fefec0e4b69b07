"""What a storefront checkout and a merchant's admin edits send: the control API's inputs.

Validated with pydantic so a test that asks for something Shopify would never
record (a negative quantity, an unknown financial status) fails loudly at the
control API instead of producing an order no real shop could contain.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    address1: str = "1 Sandbox Way"
    address2: str | None = ""
    city: str = "Louisville"
    province: str | None = "Kentucky"
    province_code: str | None = "KY"
    zip: str | None = "40202"
    country: str | None = None
    country_code: str = "US"
    phone: str | None = None
    latitude: str | None = None
    longitude: str | None = None


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str | None = Field(default=None, description="Required, except for a gift card.")
    quantity: int = Field(gt=0)
    price: Decimal | None = Field(default=None, ge=0, description="Defaults to the variant price.")
    discount: Decimal = Field(
        default=Decimal(0), ge=0, description="A merchant's fixed discount on this line."
    )
    tax_rate: Decimal | None = Field(
        default=None, ge=0, lt=1, description="This line's tax rate; default the order's."
    )
    tax_title: str | None = None
    gift_card: bool = Field(default=False, description="Sells a gift card (needs a price).")

    @model_validator(mode="after")
    def _gift_cards_have_a_price(self) -> LineIn:
        if self.gift_card and self.price is None:
            raise ValueError("a gift card line needs its price")
        if not self.gift_card and not self.sku:
            raise ValueError("a line needs a sku (only a gift card may have none)")
        return self


class DiscountCodeIn(BaseModel):
    """A code the customer typed: an amount or a percentage off the items, or off shipping."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1)
    type: Literal["fixed_amount", "percentage", "shipping"] = "fixed_amount"
    value: Decimal | None = Field(
        default=None, gt=0, description="Amount or percent; shipping without one: free shipping."
    )

    @model_validator(mode="after")
    def _items_codes_have_a_value(self) -> DiscountCodeIn:
        if self.type != "shipping" and self.value is None:
            raise ValueError(f"discount code {self.code}: give its value")
        if self.type == "percentage" and self.value is not None and self.value > 100:
            raise ValueError(f"discount code {self.code}: a percentage is at most 100")
        return self


class NoteAttributeIn(BaseModel):
    name: str
    value: str


class OrderIn(BaseModel):
    """What a storefront checkout knows when it places an order."""

    model_config = ConfigDict(extra="forbid")

    email: str
    first_name: str
    last_name: str
    phone: str | None = None
    lines: list[LineIn] = Field(min_length=1)
    checkout_id: int | None = Field(
        default=None, description="The checkout (POST /_sandbox/checkouts) this order completes."
    )
    shipping_price: Decimal = Field(default=Decimal(0), ge=0)
    shipping_title: str | None = None
    shipping_taxable: bool = False
    tax_rate: Decimal = Field(default=Decimal(0), ge=0, lt=1)
    tax_title: str = "Tax"
    taxes_included: bool = False
    discount_codes: list[DiscountCodeIn] = Field(default_factory=list)
    tip: Decimal = Field(default=Decimal(0), ge=0)
    gift_card_payment: Decimal = Field(
        default=Decimal(0),
        ge=0,
        description="Paid with a gift card: a payment of its own, the order total unchanged.",
    )
    currency: str | None = None
    source_name: str = "web"
    landing_site: str | None = None
    referring_site: str | None = None
    shipping_address: AddressIn | None = None
    billing_address: AddressIn | None = None
    note: str | None = None
    tags: list[str] = Field(default_factory=list)
    note_attributes: list[NoteAttributeIn] = Field(default_factory=list)
    financial_status: Literal[
        "pending",
        "authorized",
        "partially_paid",
        "paid",
        "partially_refunded",
        "refunded",
        "voided",
        "expired",
    ] = "paid"
    buyer_accepts_marketing: bool = False
    test: bool = False


class OrderUpdateIn(BaseModel):
    """What a merchant can change on an order in the admin (each change bumps updated_at)."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = None
    tags: list[str] | None = None
    email: str | None = None
    financial_status: str | None = None
    fulfillment_status: Literal["fulfilled", "partial", "restocked"] | None = None
    cancel_reason: (
        Literal["customer", "declined", "fraud", "inventory", "other", "staff"] | None
    ) = None
