"""Consistent variants of Shopify's own sample order, for tests of the amounts.

Shopify's published order (vendor-samples/shopify/order.json) does not add up (3 x 199.00
under a subtotal of 398.00, a 10.00 code on an order whose discounts total 0.00), so it
cannot be placed "to the cent". A variant keeps everything of the sample (customer,
addresses, attribution, the shape of its lines) and sets the lines, discounts, shipping,
taxes and tip a case needs, with every amount recomputed by Shopify's checkout
arithmetic (the sandbox's pricing.py), so the order adds up as a real one would.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from causeway.sandbox.shopify.pricing import Code, LinePrice, price_checkout
from tests.vendor_samples import load_sample

D = Decimal
_ids = itertools.count(900_000_001)


@dataclass(frozen=True)
class Item:
    sku: str | None
    price: str
    quantity: int = 1
    discount: str = "0"  # a merchant's fixed discount on this line
    tax_rate: str | None = None  # default: the order's
    tax_title: str | None = None
    gift_card: bool = False
    taxable: bool = True


def vendor_order() -> dict[str, Any]:
    """The sample order, as a webhook body (the resource without its outer key)."""
    return copy.deepcopy(load_sample("shopify", "order.json")["order"])


def variant(
    items: Sequence[Item],
    *,
    codes: Sequence[Code] = (),
    shipping: str = "0.00",
    shipping_title: str = "Standard",
    shipping_taxable: bool = False,
    tax_rate: str = "0.06",
    tax_title: str = "State Tax",
    taxes_included: bool = False,
    tip: str = "0",
    number: str | None = None,
) -> dict[str, Any]:
    """The vendor order with these lines and amounts, as Shopify would have recorded it."""
    order = vendor_order()
    template = order["line_items"][0]
    priced = price_checkout(
        [
            LinePrice(
                price=D(item.price),
                quantity=item.quantity,
                taxable=item.taxable,
                gift_card=item.gift_card,
                tax_rate=D(item.tax_rate) if item.tax_rate is not None else None,
                tax_title=item.tax_title,
                discount=D(item.discount),
            )
            for item in items
        ],
        codes=codes,
        shipping_price=D(shipping),
        shipping_taxable=shipping_taxable,
        tax_rate=D(tax_rate),
        tax_title=tax_title,
        taxes_included=taxes_included,
        tip=D(tip),
    )
    order["line_items"] = [
        {
            **template,
            "id": next(_ids),
            "sku": item.sku,
            "name": "Gift card" if item.gift_card else f"{template['title']} - {item.sku}",
            "price": str(D(item.price).quantize(D("0.01"))),
            "quantity": item.quantity,
            "requires_shipping": not item.gift_card,
            "properties": [],
            **amounts,
        }
        for item, amounts in zip(items, priced.lines, strict=True)
    ]
    order["shipping_lines"] = [
        {
            "code": shipping_title,
            "source": "shopify",
            "title": shipping_title,
            **priced.shipping,
        }
    ]
    order.update(priced.order)
    order.pop("fulfillments", None)
    order_id = next(_ids)
    name = number or f"#V{order_id}"
    order.update({"id": order_id, "name": name, "order_number": order_id})
    return order
