"""A shopper's checkout as a store announces it: what the hub keeps of a cart.

A cart is kept to tell which checkouts end in an order and which are left (docs/carts.md):
the store's checkout id joins it to the order that follows (Shopify's orders carry
`checkout_id`), the token and cart token are kept where the store still sends them, and
its lines and total are what the shopper had when last seen. Money is Decimal with its
currency, like every amount in the model.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class CartLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    sku: str | None
    title: str | None = None
    quantity: int = Field(ge=0)
    unit_price: Decimal


class Cart(BaseModel):
    """One checkout, as of `updated_at` (an older update never replaces a newer one)."""

    model_config = ConfigDict(frozen=True)

    checkout_id: str = Field(min_length=1)
    token: str | None = None
    cart_token: str | None = None
    email: str | None = None
    currency: str = Field(min_length=3, max_length=3)
    total: Decimal
    lines: tuple[CartLine, ...] = ()
    created_at: datetime
    updated_at: datetime
    # Set by the store once the checkout became an order.
    completed_at: datetime | None = None
    recovery_url: str | None = None


class CartOrder(BaseModel):
    """What an order says of the checkout it came from: enough to find that cart."""

    model_config = ConfigDict(frozen=True)

    order_id: str
    checkout_id: str | None = None
    checkout_token: str | None = None
    cart_token: str | None = None
    created_at: datetime
