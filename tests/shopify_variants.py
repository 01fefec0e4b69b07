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

from causeway_sandbox.shopify.pricing import Code, LinePrice, price_checkout
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


IPODS = [
    Item("IPOD2008GREEN", "199.00"),
    Item("IPOD2008RED", "199.00"),
    Item("IPOD2008BLACK", "199.00"),
]

# One case per mapping rule, each a consistent variant of the sample (keyword arguments of
# `variant`): what the unit, contract and end-to-end tests of the amounts all go through.
CASES: dict[str, dict[str, Any]] = {
    "the sample's own lines and tax, taxed per line": {"items": IPODS},
    "a discount code across the lines": {
        "items": IPODS,
        "codes": [Code("TENOFF", "fixed_amount", D(10))],
    },
    "discounts on single lines": {
        "items": [Item("IPOD2008GREEN", "199.00", 3, discount="20.01"), *IPODS[1:]],
    },
    "a percentage code": {"items": IPODS, "codes": [Code("SPRING", "percentage", D("12.5"))]},
    "shipping with its own tax": {
        "items": IPODS,
        "shipping": "9.99",
        "shipping_taxable": True,
    },
    "a shipping discount": {
        "items": IPODS,
        "shipping": "9.99",
        "shipping_taxable": True,
        "codes": [Code("SHIPHALF", "shipping", D("5.00"))],
    },
    "taxes included in the prices": {
        "items": [*IPODS[:2], Item("WID-001", "10.99", 3)],
        "taxes_included": True,
        "tax_rate": "0.10",
        "tax_title": "VAT",
        "shipping": "4.99",
        "shipping_taxable": True,
    },
    "two tax rates on different lines, one on half a cent": {
        "items": [*IPODS[:2], Item("WID-001", "12.25", 1, tax_rate="0.10", tax_title="VAT")],
    },
    "a gift card sold": {"items": [IPODS[0], Item(None, "50.00", gift_card=True)]},
    "a zero-priced line": {"items": [IPODS[0], Item("WID-001", "0.00", 2)]},
    "a tip": {"items": IPODS[:1], "tip": "7.50"},
    "everything at once": {
        "items": [
            Item("IPOD2008GREEN", "199.00", 2, discount="9.99"),
            Item("GAD-001", "25.00", 3, tax_rate="0.10", tax_title="VAT"),
            Item(None, "20.00", gift_card=True),
            Item("WID-001", "0.00"),
        ],
        "codes": [
            Code("TENOFF", "fixed_amount", D(10)),
            Code("FIVEPCT", "percentage", D(5)),
            Code("SHIPFREE", "shipping"),
        ],
        "shipping": "12.00",
        "shipping_taxable": True,
        "tip": "3.00",
    },
}


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
