"""Contract: every Shopify order sample either adds up and maps to the cent, or is flagged.

A sample that adds up by Shopify's rules must give sale lines whose amounts, as Tryton
computes them (rounding tax per line, the configuration Shopify merchants need), are
the order's to the cent. One that does not add up cannot match any ERP sale; it must be
recognised, with its reasons, so the hub flags the order instead of passing it silently.
Shopify's published sample is such an order. Its consistent variants (tests/
shopify_variants.py) keep everything of it but amounts recomputed by Shopify's rules.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from causeway.connectors.shopify.mapping import order_from_rest
from causeway.connectors.tryton.sale_lines import Services, TrytonProduct, sale_lines
from causeway.connectors.tryton.taxes import TrytonTax
from causeway.model import Order
from causeway.model.amounts import Amounts, order_amounts
from causeway.model.consistency import inconsistencies
from tests.shopify_variants import CASES, variant
from tests.tryton_arithmetic import computed_by_tryton
from tests.vendor_samples import load_sample, samples_dir

D = Decimal
TAXES = [TrytonTax(1, "VAT 10%", D("0.10")), TrytonTax(2, "State Tax 6%", D("0.06"))]
SERVICES = Services(
    *(
        TrytonProduct(90 + i, c, 1, "service")
        for i, c in enumerate(["SHIPPING", "DISCOUNT", "GIFTCARD", "TIP"])
    )
)
KNOWN_INCONSISTENT = {
    "order.json": [
        "subtotal 398.00 is not what the lines come to after discounts: 597.00",
        "discount TENOFF (10.00) took nothing off: the order's discounts total 0.00",
        "State Tax 6%: 11.94 charged, but 6% of the taxed 597.00 is 35.82",
    ]
}


def erp_amounts(order: Order) -> Amounts:
    """What Tryton computes for the order's sale lines, per line tax rounding."""
    products = {sku: TrytonProduct(100 + i, sku, 1, "goods") for i, sku in enumerate(order.skus)}
    values = sale_lines(order, products, TAXES, SERVICES, rounding="line")
    return computed_by_tryton(values, TAXES, "line", order.currency)


def order_samples() -> list[str]:
    found = sorted(p.name for p in samples_dir("shopify").glob("order*.json"))
    return found or ["order.json"]  # absent: load_sample skips (or fails under CI)


@pytest.mark.parametrize("name", order_samples())
def test_every_order_sample_adds_up_and_lands_to_the_cent_or_is_flagged(name: str) -> None:
    payload = load_sample("shopify", name)
    order = order_from_rest(payload)
    problems = inconsistencies(order)
    if name in KNOWN_INCONSISTENT:
        assert problems == KNOWN_INCONSISTENT[name]
        # The ERP sale cannot be the customer's order: the check must see a difference.
        assert erp_amounts(order) != order_amounts(order)
    else:
        assert problems == [], f"{name} does not add up: {problems}"
        assert erp_amounts(order) == order_amounts(order)


@pytest.mark.parametrize("case", list(CASES))
def test_consistent_variants_of_the_sample_land_to_the_cent(case: str) -> None:
    order = order_from_rest(variant(**CASES[case]))
    assert inconsistencies(order) == []
    assert erp_amounts(order) == order_amounts(order)
