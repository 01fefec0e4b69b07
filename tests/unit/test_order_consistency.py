"""Does a channel order add up by its own figures? Shopify's sample does not; real ones do."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from causeway.connectors.shopify.mapping import order_from_rest
from causeway.model import Order
from causeway.model.consistency import inconsistencies, is_consistent
from causeway_sandbox.shopify.pricing import Code
from tests.shopify_variants import CASES, IPODS, Item, variant, vendor_order

D = Decimal


def test_shopifys_sample_order_does_not_add_up_and_says_why() -> None:
    problems = inconsistencies(order_from_rest(vendor_order()))
    assert problems == [
        "subtotal 398.00 is not what the lines come to after discounts: 597.00",
        "discount TENOFF (10.00) took nothing off: the order's discounts total 0.00",
        "State Tax 6%: 11.94 charged, but 6% of the taxed 597.00 is 35.82",
    ]


@pytest.mark.parametrize("case", list(CASES))
def test_orders_shopify_would_record_add_up(case: str) -> None:
    order = order_from_rest(variant(**CASES[case]))
    assert inconsistencies(order) == []
    assert is_consistent(order)


def consistent() -> Order:
    return order_from_rest(variant(IPODS, codes=[Code("TENOFF", "fixed_amount", D(10))]))


def changed(order: Order, **changes: Any) -> list[str]:
    return inconsistencies(order.model_copy(update=changes))


def test_a_total_that_is_not_the_sum_of_its_parts() -> None:
    order = consistent()
    assert changed(order, total=order.total + D("0.01")) == [
        f"total {order.total + D('0.01')} is not subtotal + shipping + tax = {order.total}"
    ]


def test_a_tax_total_that_is_not_its_tax_lines() -> None:
    order = consistent()
    problems = changed(order, total_tax=order.total_tax + 1, total=order.total + 1)
    assert problems == [
        f"total tax {order.total_tax + 1} is not the sum of the tax lines {order.total_tax}"
    ]


def test_a_line_taxed_at_the_wrong_amount() -> None:
    order = consistent()
    first = order.lines[0]
    wrong = first.model_copy(
        update={"tax_lines": (first.tax_lines[0].model_copy(update={"amount": D("5.00")}),)}
    )
    problems = changed(order, lines=(wrong, *order.lines[1:]))
    assert problems[0].startswith("'IPod Nano - 8gb - IPOD2008GREEN': State Tax 6% of 195.67 is")
    assert "the order says" in problems[1]


def test_a_discount_larger_than_its_line_and_discounts_below_the_lines() -> None:
    order = consistent()
    big = order.lines[0].model_copy(update={"discount": D("500.00")})
    problems = changed(order, lines=(big, *order.lines[1:]))
    assert any("discount 500.00 is not between 0 and its 1 x 199.00" in p for p in problems)
    assert any("total discounts 10.00 are less than the lines' discounts" in p for p in problems)


def test_a_taxed_gift_card() -> None:
    order = order_from_rest(variant([Item(None, "50.00", gift_card=True)]))
    card = order.lines[0]
    taxed = card.model_copy(update={"tax_lines": consistent().lines[0].tax_lines})
    assert "line 'Gift card' sells a gift card but is taxed" in changed(order, lines=(taxed,))


def test_a_tax_charged_without_tax_lines() -> None:
    order = order_from_rest(variant(IPODS, tax_rate="0"))
    assert changed(order, total_tax=D("1.00"), total=order.total + 1) == [
        "total tax 1.00 is charged but no tax line says on what"
    ]


def test_an_order_level_discount_no_line_carries_is_part_of_the_subtotal() -> None:
    # A channel that discounts the order without spreading it over the lines.
    order = order_from_rest(variant(IPODS, tax_rate="0"))
    assert (
        changed(
            order,
            total_discounts=D("10.00"),
            subtotal=order.subtotal - 10,
            total=order.total - 10,
        )
        == []
    )
