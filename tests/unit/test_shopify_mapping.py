"""REST (webhook) and GraphQL (poll) payloads of one order map to one canonical Order."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from causeway.connectors.shopify.mapping import gid_tail, order_from_graphql, order_from_rest
from causeway.errors import InvalidPayloadError
from causeway.model import FinancialStatus
from tests.unit.shopify_payloads import address, graphql_order, money, rest_address, rest_order


@pytest.fixture
def rest() -> dict[str, Any]:
    return rest_order()


@pytest.fixture
def graphql() -> dict[str, Any]:
    return graphql_order()


def test_rest_and_graphql_give_the_identical_order(
    rest: dict[str, Any], graphql: dict[str, Any]
) -> None:
    from_rest, from_graphql = order_from_rest(rest), order_from_graphql(graphql)
    assert from_rest == from_graphql
    # Identical when serialised too: the hub fingerprints the serialised order,
    # and "199.0" (GraphQL) vs "199.00" (REST) must not look like a change.
    assert from_rest.model_dump_json() == from_graphql.model_dump_json()


def test_canonical_values(rest: dict[str, Any]) -> None:
    order = order_from_rest(rest)
    assert order.external_id == "450789469" and order.number == "#1001"
    assert order.created_at.utcoffset() is not None
    assert order.created_at.isoformat() == "2008-01-10T16:00:00+00:00"
    assert order.customer.email == "bob.norman@hostmail.com"
    assert order.customer.external_id == "207119551"
    assert order.tags == ("vip", "wholesale")
    assert order.lines[0].title == "IPod Nano - 8gb - green"
    assert order.lines[0].unit_price == Decimal("199.00")
    assert order.tax_lines[0].rate == Decimal("0.06")
    assert order.billing_address is not None and order.billing_address.street2 is None
    assert order.fulfillment_status == "unfulfilled"
    assert order.attribution.landing_site_ref == "abc"


def test_the_webhook_body_and_the_wrapped_api_resource_are_both_accepted(
    rest: dict[str, Any],
) -> None:
    assert order_from_rest({"order": rest}) == order_from_rest(rest)


@pytest.mark.parametrize(
    ("rest_status", "graphql_status", "expected"),
    [
        ("pending", "PENDING", FinancialStatus.PENDING),
        ("authorized", "AUTHORIZED", FinancialStatus.AUTHORIZED),
        ("partially_paid", "PARTIALLY_PAID", FinancialStatus.PARTIALLY_PAID),
        ("paid", "PAID", FinancialStatus.PAID),
        ("partially_refunded", "PARTIALLY_REFUNDED", FinancialStatus.PARTIALLY_REFUNDED),
        ("refunded", "REFUNDED", FinancialStatus.REFUNDED),
        ("voided", "VOIDED", FinancialStatus.VOIDED),
        ("expired", "EXPIRED", FinancialStatus.EXPIRED),
        ("something_new", "SOMETHING_NEW", FinancialStatus.UNKNOWN),
        (None, None, FinancialStatus.UNKNOWN),
    ],
)
def test_financial_status(
    rest: dict[str, Any],
    graphql: dict[str, Any],
    rest_status: str | None,
    graphql_status: str | None,
    expected: FinancialStatus,
) -> None:
    rest["financial_status"] = rest_status
    graphql["displayFinancialStatus"] = graphql_status
    assert order_from_rest(rest).financial_status is expected
    assert order_from_graphql(graphql).financial_status is expected


@pytest.mark.parametrize(
    ("rest_status", "graphql_status", "expected"),
    [
        (None, "UNFULFILLED", "unfulfilled"),
        ("partial", "PARTIALLY_FULFILLED", "partial"),
        ("fulfilled", "FULFILLED", "fulfilled"),
        ("restocked", "RESTOCKED", "restocked"),
    ],
)
def test_fulfillment_status(
    rest: dict[str, Any],
    graphql: dict[str, Any],
    rest_status: str | None,
    graphql_status: str,
    expected: str,
) -> None:
    rest["fulfillment_status"] = rest_status
    graphql["displayFulfillmentStatus"] = graphql_status
    assert order_from_rest(rest).fulfillment_status == expected
    assert order_from_graphql(graphql).fulfillment_status == expected


def test_line_discounts_sum_the_allocations_and_match_graphql(
    rest: dict[str, Any], graphql: dict[str, Any]
) -> None:
    rest["line_items"][0]["discount_allocations"] = [
        {"amount": "10.00", "discount_application_index": 0},
        {"amount": "2.50", "discount_application_index": 1},
    ]
    rest["total_discounts"] = "12.50"
    graphql["lineItems"]["nodes"][0]["discountAllocations"] = [
        {"allocatedAmountSet": money("10.0")},
        {"allocatedAmountSet": money("2.5")},
    ]
    graphql["totalDiscountsSet"] = money("12.5")
    from_rest, from_graphql = order_from_rest(rest), order_from_graphql(graphql)
    assert from_rest.lines[0].discount == Decimal("12.50")
    assert from_rest.lines[1].discount == Decimal(0)
    assert from_rest.total_discounts == Decimal("12.50")
    assert from_rest.model_dump_json() == from_graphql.model_dump_json()


def test_names_fall_back_to_the_billing_address_without_a_customer(
    rest: dict[str, Any], graphql: dict[str, Any]
) -> None:
    rest["customer"] = None
    rest["billing_address"] = rest_address(first_name="Ann", last_name="Lee", name="Ann Lee")
    graphql["customer"] = None
    graphql["billingAddress"] = address(firstName="Ann", lastName="Lee", name="Ann Lee")
    from_rest = order_from_rest(rest)
    assert (from_rest.customer.first_name, from_rest.customer.last_name) == ("Ann", "Lee")
    assert from_rest.customer.external_id is None
    assert from_rest == order_from_graphql(graphql)


def test_an_order_polled_before_2026_10_still_names_its_customer(graphql: dict[str, Any]) -> None:
    """Documents before 2026-10 asked for Customer.email and .phone (deprecated since):
    an order read then may still wait in the inbox when the hub is upgraded."""
    graphql["email"] = graphql["phone"] = None  # only the customer says it
    graphql["customer"] = {
        "id": "gid://shopify/Customer/207119551",
        "firstName": "Bob",
        "lastName": "Norman",
        "email": "bob.norman@hostmail.com",
        "phone": "+1 555 0100",
    }
    customer = order_from_graphql(graphql).customer
    assert (customer.email, customer.phone) == ("bob.norman@hostmail.com", "+1 555 0100")


def test_landing_site_ref_is_derived_from_the_landing_url_when_absent(
    rest: dict[str, Any], graphql: dict[str, Any]
) -> None:
    del rest["landing_site_ref"]
    rest["landing_site"] = graphql["customerJourneySummary"]["firstVisit"]["landingPage"] = (
        "https://shop.example/?ref=newsletter&utm_source=mail"
    )
    assert order_from_rest(rest).attribution.landing_site_ref == "newsletter"
    assert order_from_rest(rest) == order_from_graphql(graphql)


def test_external_id_without_legacy_resource_id_comes_from_the_gid(
    graphql: dict[str, Any],
) -> None:
    del graphql["legacyResourceId"]
    assert order_from_graphql(graphql).external_id == "450789469"
    assert gid_tail("gid://shopify/Order/450789469") == "450789469"
    assert gid_tail("gid://shopify/LineItem/1?x=1") == "1"


def test_a_missing_required_field_names_the_field(rest: dict[str, Any]) -> None:
    del rest["total_price"]
    with pytest.raises(InvalidPayloadError, match=r"total_price: Field required"):
        order_from_rest(rest)


def test_a_garbage_money_value_names_the_field(rest: dict[str, Any]) -> None:
    rest["line_items"][1]["price"] = "one hundred"
    with pytest.raises(InvalidPayloadError, match=r"line_items\.1\.price: .*one hundred"):
        order_from_rest(rest)


def test_a_line_the_canonical_model_refuses_is_an_invalid_payload(
    rest: dict[str, Any], graphql: dict[str, Any]
) -> None:
    rest["line_items"][0]["quantity"] = 0
    with pytest.raises(InvalidPayloadError, match="450789469"):
        order_from_rest(rest)
    bad = copy.deepcopy(graphql)
    bad["lineItems"]["nodes"][0]["quantity"] = 0
    with pytest.raises(InvalidPayloadError, match="450789469"):
        order_from_graphql(bad)


@pytest.mark.parametrize("payload", [None, [], "order", {"order": "x"}, {}])
def test_non_orders_are_invalid_payloads(payload: Any) -> None:
    with pytest.raises(InvalidPayloadError):
        order_from_rest(payload)
    with pytest.raises(InvalidPayloadError):
        order_from_graphql(payload)


def test_graphql_errors_name_the_field(graphql: dict[str, Any]) -> None:
    graphql["totalPriceSet"] = {"shopMoney": {"amount": None}}
    with pytest.raises(InvalidPayloadError, match=r"totalPriceSet\.shopMoney\.amount"):
        order_from_graphql(graphql)
