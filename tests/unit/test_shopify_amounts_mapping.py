"""The amounts of a Shopify order map alike from its webhook body (REST) and its polled node
(GraphQL): discounts, shipping discounts, gift cards, tips and edited orders."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from causeway.connectors.shopify.mapping import order_from_graphql, order_from_rest
from causeway.model import Discount, Order
from tests.unit.shopify_payloads import graphql_order, money, rest_order

D = Decimal


@pytest.fixture
def rest() -> dict[str, Any]:
    return rest_order()


@pytest.fixture
def graphql() -> dict[str, Any]:
    return graphql_order()


def both(rest: dict[str, Any], graphql: dict[str, Any]) -> Order:
    """The canonical order, after checking both paths give it identically."""
    from_rest, from_graphql = order_from_rest(rest), order_from_graphql(graphql)
    assert from_rest.model_dump_json() == from_graphql.model_dump_json()
    return from_rest


def code_application(code: str, value: str, value_type: str = "fixed_amount") -> dict[str, Any]:
    return {
        "type": "discount_code",
        "code": code,
        "value": value,
        "value_type": value_type,
        "allocation_method": "across",
        "target_selection": "all",
        "target_type": "line_item",
    }


def gql_code_application(code: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "__typename": "DiscountCodeApplication",
        "code": code,
        "allocationMethod": "ACROSS",
        "targetType": "LINE_ITEM",
        "value": value,
    }


def allocate(rest: dict[str, Any], graphql: dict[str, Any], amounts: list[str]) -> None:
    """The same discount allocations on the lines of both payloads."""
    for line, gql_line, amount in zip(
        rest["line_items"], graphql["lineItems"]["nodes"], amounts, strict=True
    ):
        line["discount_allocations"] = [{"amount": amount, "discount_application_index": 0}]
        gql_line["discountAllocations"] = [{"allocatedAmountSet": money(amount)}]


def test_an_order_level_code_is_on_the_lines_in_both_paths(
    rest: dict[str, Any], graphql: dict[str, Any]
) -> None:
    # TENOFF spread across the three lines. GraphQL's totalDiscountSet leaves order-level
    # discounts out (0.0 here, as Shopify sends it): read from it, the polled order lost the
    # discount the webhook body had, and the two paths disagreed.
    rest["discount_applications"] = [code_application("TENOFF", "10.0")]
    rest["discount_codes"] = [{"code": "TENOFF", "amount": "10.00", "type": "fixed_amount"}]
    graphql["discountApplications"] = {
        "nodes": [gql_code_application("TENOFF", {"amount": "10.0"})]
    }
    for node in graphql["lineItems"]["nodes"]:
        node["totalDiscountSet"] = money("0.0")
    allocate(rest, graphql, ["3.33", "3.33", "3.34"])
    rest["total_discounts"] = "10.00"
    graphql["totalDiscountsSet"] = money("10.0")

    order = both(rest, graphql)
    assert [line.discount for line in order.lines] == [D("3.33"), D("3.33"), D("3.34")]
    assert order.discounts == (
        Discount(title="TENOFF", code="TENOFF", kind="fixed_amount", value=D("10.00")),
    )
    assert order.discount_codes == ("TENOFF",)


def test_a_percentage_discount_keeps_its_percentage(
    rest: dict[str, Any], graphql: dict[str, Any]
) -> None:
    rest["discount_applications"] = [code_application("SPRING", "12.5", "percentage")]
    graphql["discountApplications"] = {
        "nodes": [gql_code_application("SPRING", {"percentage": 12.5})]
    }
    allocate(rest, graphql, ["24.88", "24.88", "24.88"])

    (discount,) = both(rest, graphql).discounts
    assert (discount.kind, discount.value, discount.target) == (
        "percentage",
        D("12.5000"),
        "line_item",
    )


def test_manual_and_automatic_discounts_take_their_title_and_unknown_values_fall_back(
    rest: dict[str, Any], graphql: dict[str, Any]
) -> None:
    rest["discount_applications"] = [
        {
            "type": "manual",
            "title": "Loyal customer",
            "description": "Loyal customer",
            "value": "5.0",
            "value_type": "fixed_amount",
            "allocation_method": "one",
            "target_selection": "explicit",
            "target_type": "line_item",
        },
        {
            "type": "automatic",
            "title": "Something new",
            "value": "1.0",
            "value_type": "something_new",
            "allocation_method": "sideways",
            "target_selection": "all",
            "target_type": "line_item",
        },
    ]
    graphql["discountApplications"] = {
        "nodes": [
            {
                "__typename": "ManualDiscountApplication",
                "title": "Loyal customer",
                "allocationMethod": "ONE",
                "targetType": "LINE_ITEM",
                "value": {"amount": "5.0"},
            },
            {
                "__typename": "AutomaticDiscountApplication",
                "title": "Something new",
                "allocationMethod": "SIDEWAYS",
                "targetType": "LINE_ITEM",
                "value": {"amount": "1.0"},
            },
        ]
    }
    loyal, new = both(rest, graphql).discounts
    assert (loyal.title, loyal.code, loyal.allocation) == ("Loyal customer", None, "one")
    assert (new.kind, new.allocation) == ("fixed_amount", "across")


def test_a_payload_with_codes_only_gives_one_fixed_discount_per_code(
    rest: dict[str, Any],
) -> None:
    # Older API versions (and the vendor sample) name the codes and what each took off.
    rest["discount_codes"] = [
        {"code": "TENOFF", "amount": "10.00", "type": "percentage"},
        {"code": "SHIPFREE", "amount": "4.90", "type": "shipping"},
    ]
    ten, ship = order_from_rest(rest).discounts
    assert (ten.code, ten.kind, ten.value, ten.target) == (
        "TENOFF",
        "fixed_amount",
        D("10.00"),
        "line_item",
    )
    assert (ship.value, ship.target) == (D("4.90"), "shipping_line")


def test_a_shipping_discount_is_on_the_shipping_line(
    rest: dict[str, Any], graphql: dict[str, Any]
) -> None:
    rest["shipping_lines"] = [
        {
            "title": "Standard",
            "code": "Standard",
            "price": "9.90",
            "discounted_price": "4.90",
            "discount_allocations": [{"amount": "5.00", "discount_application_index": 0}],
            "tax_lines": [{"title": "State Tax", "rate": 0.06, "price": "0.29"}],
        }
    ]
    graphql["shippingLines"] = {
        "nodes": [
            {
                "title": "Standard",
                "code": "Standard",
                "originalPriceSet": money("9.9"),
                "discountAllocations": [{"allocatedAmountSet": money("5.0")}],
                "taxLines": [{"title": "State Tax", "rate": 0.06, "priceSet": money("0.29")}],
            }
        ]
    }
    (ship,) = both(rest, graphql).shipping_lines
    assert (ship.price, ship.discount, ship.net) == (D("9.90"), D("5.00"), D("4.90"))
    assert ship.tax_lines[0].amount == D("0.29")


def test_gift_cards_sold_and_tips_are_read_from_both(
    rest: dict[str, Any], graphql: dict[str, Any]
) -> None:
    rest["line_items"][2]["gift_card"] = True
    graphql["lineItems"]["nodes"][2]["isGiftCard"] = True
    rest["total_tip_received"] = "5.00"
    graphql["totalTipReceivedSet"] = money("5.0")

    order = both(rest, graphql)
    assert [line.gift_card for line in order.lines] == [False, False, True]
    assert order.tip == D("5.00")


def test_an_edited_order_keeps_current_quantities_current_totals_and_prorated_amounts(
    rest: dict[str, Any], graphql: dict[str, Any]
) -> None:
    # Ordered 3 x 199.00 with 30.00 off and 32.22 tax; one unit removed by an edit.
    # Shopify keeps the line's discount and tax for the 3 ordered, and current totals.
    for payload_line in (rest["line_items"][0], graphql["lineItems"]["nodes"][0]):
        payload_line["quantity"] = 3
    rest["line_items"][0] |= {
        "current_quantity": 2,
        "discount_allocations": [{"amount": "30.00", "discount_application_index": 0}],
        "tax_lines": [{"title": "State Tax", "rate": 0.06, "price": "34.02"}],
    }
    graphql["lineItems"]["nodes"][0] |= {
        "currentQuantity": 2,
        "discountAllocations": [{"allocatedAmountSet": money("30.0")}],
        "taxLines": [{"title": "State Tax", "rate": 0.06, "priceSet": money("34.02")}],
    }
    rest |= {
        "current_subtotal_price": "776.00",
        "current_total_tax": "22.68",
        "current_total_discounts": "20.00",
        "current_total_price": "798.68",
    }
    graphql |= {
        "currentSubtotalPriceSet": money("776.0"),
        "currentTotalTaxSet": money("22.68"),
        "currentTotalDiscountsSet": money("20.0"),
        "currentTotalPriceSet": money("798.68"),
    }

    order = both(rest, graphql)
    edited = order.lines[0]
    assert (edited.quantity, edited.discount) == (2, D("20.00"))
    assert edited.tax_lines[0].amount == D("22.68")
    assert order.tax_lines[0].amount == D("22.68")  # summed again from the lines
    assert (order.subtotal, order.total_tax, order.total_discounts, order.total) == (
        D("776.00"),
        D("22.68"),
        D("20.00"),
        D("798.68"),
    )


def test_without_current_totals_the_original_totals_stand(rest: dict[str, Any]) -> None:
    order = order_from_rest(rest)
    assert (order.subtotal, order.total_tax, order.total) == (
        D("398.00"),
        D("11.94"),
        D("409.94"),
    )
