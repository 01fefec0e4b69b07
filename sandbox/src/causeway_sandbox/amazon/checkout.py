"""A buyer's checkout as the sandbox's control API takes it, made into an Amazon order
(v2026-01-01 shape, every block the connector asks for), so that tests and the demo sell
the ERP's own SKUs on Amazon without writing Amazon's JSON by hand:

    POST /_sandbox/checkouts
    {"lines": [{"sku": "WID-001", "quantity": 2, "unit_price": "10.00"}],
     "status": "PENDING", "fulfilled_by": "MERCHANT", "currency": "USD",
     "shipping": "4.90", "tax_rate": "0.10", "buyer_name": "Jane Buyer", "order_id": "..."}

Everything but `lines` is optional. Amounts are Amazon's: proceeds without tax, the TAX
breakdown beside them, grandTotal their sum. The order is checked against the vendor's
model by the sandbox contract tests, like every order the sandbox serves.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

CENT = Decimal("0.01")
_numbers = itertools.count(1)


class CheckoutLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1)
    quantity: int = Field(ge=1)
    unit_price: Decimal = Field(ge=0)
    title: str | None = None


class Checkout(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[CheckoutLine] = Field(min_length=1)
    order_id: str | None = None
    status: str = "UNSHIPPED"
    fulfilled_by: str = "MERCHANT"
    currency: str = "USD"
    marketplace_id: str = "ATVPDKIKX0DER"
    shipping: Decimal = Decimal(0)  # on the first item, as Amazon books it
    tax_rate: Decimal = Decimal(0)
    buyer_name: str = "Jane Buyer"


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": str(amount.quantize(CENT)), "currencyCode": currency}


def new_order_id() -> str:
    n = next(_numbers)
    return f"902-{n:07d}-{(n * 7919) % 10_000_000:07d}"


def order_from_checkout(checkout: Checkout) -> dict[str, Any]:
    """The Amazon order of a checkout; createdTime and lastUpdatedTime are the store's."""
    cur = checkout.currency
    order_id = checkout.order_id or new_order_id()
    items, grand = [], Decimal(0)
    for n, line in enumerate(checkout.lines, start=1):
        item_amount = (line.unit_price * line.quantity).quantize(CENT)
        shipping = checkout.shipping if n == 1 else Decimal(0)
        item_tax = (item_amount * checkout.tax_rate).quantize(CENT)
        shipping_tax = (shipping * checkout.tax_rate).quantize(CENT)
        breakdowns: list[dict[str, Any]] = [{"type": "ITEM", "subtotal": _money(item_amount, cur)}]
        if shipping:
            breakdowns.append({"type": "SHIPPING", "subtotal": _money(shipping, cur)})
        if item_tax or shipping_tax:
            details = [{"subtype": "ITEM", "value": _money(item_tax, cur)}]
            if shipping_tax:
                details.append({"subtype": "SHIPPING", "value": _money(shipping_tax, cur)})
            breakdowns.append(
                {
                    "type": "TAX",
                    "subtotal": _money(item_tax + shipping_tax, cur),
                    "detailedBreakdowns": details,
                }
            )
        total = item_amount + shipping + item_tax + shipping_tax
        grand += total
        items.append(
            {
                "orderItemId": f"{order_id.replace('-', '')}{n:02d}",
                "quantityOrdered": line.quantity,
                "product": {
                    "sellerSku": line.sku,
                    "title": line.title or line.sku,
                    "price": {"unitPrice": _money(line.unit_price, cur)},
                },
                "proceeds": {"proceedsTotal": _money(total, cur), "breakdowns": breakdowns},
                "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": line.quantity},
            }
        )
    return {
        "orderId": order_id,
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": checkout.marketplace_id,
            "marketplaceName": "Amazon.com",
        },
        "buyer": {
            "buyerName": checkout.buyer_name,
            "buyerEmail": f"{order_id.replace('-', '')}@marketplace.amazon.com",
        },
        "recipient": {
            "deliveryAddress": {
                "name": checkout.buyer_name,
                "addressLine1": "410 Terry Ave N",
                "city": "Seattle",
                "stateOrRegion": "WA",
                "postalCode": "98109",
                "countryCode": "US",
                "addressType": "RESIDENTIAL",
            }
        },
        "proceeds": {"grandTotal": _money(grand, cur)},
        "fulfillment": {
            "fulfillmentStatus": checkout.status,
            "fulfilledBy": checkout.fulfilled_by,
        },
        "orderItems": items,
    }
