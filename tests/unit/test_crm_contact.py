"""How a customer shows in the CRM: figures, RFM segment, contact properties, case state."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from causeway.config.flows import RfmThresholds
from causeway.connectors.shopify.mapping import order_from_rest
from causeway.customers import crm_contact
from causeway.customers.crm_contact import CustomerFigures, OrderFact, contact_properties, segment
from causeway.flows.cases.case_state import describe
from causeway.flows.customers_to_crm import channel_of, observed_customer

TODAY = datetime(2026, 6, 1, 12, tzinfo=UTC)
RFM = RfmThresholds(recent_days=90, lapsing_days=180, frequent_orders=3, high_value=Decimal(500))


def customer(orders: int, value: str, days_ago: int) -> CustomerFigures:
    return CustomerFigures(orders, Decimal(value), TODAY - timedelta(days=days_ago), ("shop",))


@pytest.mark.parametrize(
    ("orders", "value", "days_ago", "expected"),
    [
        (5, "900", 10, "champions"),  # recent, frequent, high value
        (5, "120", 10, "loyal"),  # frequent but low value
        (1, "700", 120, "loyal"),  # one big order, not lapsed
        (1, "40", 3, "new"),
        (2, "80", 30, "promising"),
        (2, "80", 120, "needs attention"),  # not recent, not lapsed
        (9, "5000", 200, "at risk"),  # recency comes first: champions lapse too
        (4, "300", 400, "lost"),  # more than twice the lapsing days
    ],
)
def test_the_rfm_segment_follows_the_documented_thresholds(
    orders: int, value: str, days_ago: int, expected: str
) -> None:
    assert segment(customer(orders, value, days_ago), TODAY, RFM) == expected


def test_the_thresholds_come_from_the_settings() -> None:
    strict = RfmThresholds(recent_days=7, lapsing_days=30, frequent_orders=10, high_value=10_000)
    assert segment(customer(5, "900", 10), TODAY, RFM) == "champions"
    assert segment(customer(5, "900", 10), TODAY, strict) == "needs attention"


def test_figures_count_each_order_once_and_sum_the_totals() -> None:
    first = OrderFact("shop:1", Decimal("19.90"), TODAY - timedelta(days=3), "shop/web")
    second = OrderFact("shop:2", Decimal("30.10"), TODAY, "shop/pos")
    figures = crm_contact.figures([first, second, first])
    assert figures == CustomerFigures(2, Decimal("50.00"), TODAY, ("shop/pos", "shop/web"))
    assert crm_contact.figures([]) is None


def test_lifetime_value_never_adds_euros_to_dollars() -> None:
    # One person buys in the US store in dollars, then twice in the EU store in euros.
    first = OrderFact("us:1", Decimal("40.00"), TODAY - timedelta(days=9), "us", "USD")
    second = OrderFact("eu:7", Decimal("25.00"), TODAY - timedelta(days=2), "eu", "EUR")
    third = OrderFact("eu:8", Decimal("10.00"), TODAY, "eu", "EUR")
    orders = [first, second, third]

    in_first_currency = crm_contact.figures(orders)
    assert in_first_currency is not None
    assert (in_first_currency.order_count, in_first_currency.lifetime_value) == (3, Decimal("40"))
    in_euros = crm_contact.figures(orders, "EUR")
    assert in_euros is not None and in_euros.lifetime_value == Decimal("35.00")
    # Orders counted before currencies were kept are in the one currency there was.
    older = OrderFact("us:0", Decimal("5.00"), TODAY - timedelta(days=30), "us")
    in_dollars = crm_contact.figures([older, first], "USD")
    assert in_dollars is not None and in_dollars.lifetime_value == Decimal("45.00")


def test_the_contact_carries_the_golden_fields_and_the_figures() -> None:
    golden = {
        "email": "ana@example.com",
        "first_name": "Ana",
        "last_name": "Lima",
        "phone": "+15025550123",
        "address": {"street": "1 Main St", "street2": "Apt 2", "city": "Louisville",
                    "postal_code": "40202", "country_code": "US"},
    }  # fmt: skip
    properties = contact_properties(golden, customer(2, "50.00", 3), "new")
    assert properties == {
        "email": "ana@example.com",
        "firstname": "Ana",
        "lastname": "Lima",
        "phone": "+15025550123",
        "address": "1 Main St, Apt 2",
        "city": "Louisville",
        "zip": "40202",
        "country": "US",
        "causeway_order_count": "2",
        "causeway_lifetime_value": "50.00",
        "causeway_last_order_date": "2026-05-29",
        "causeway_channels": "shop",
        "causeway_segment": "new",
    }
    assert "causeway_margin" not in properties  # margins-to-crm owns it


def test_what_the_hub_does_not_know_is_left_out_not_blanked() -> None:
    properties = contact_properties({"email": "bo@example.com"}, customer(1, "5", 1), "new")
    assert {"firstname", "lastname", "phone", "address", "city"}.isdisjoint(properties)


def test_the_fingerprint_changes_only_when_a_written_value_changes() -> None:
    one = contact_properties({"email": "a@example.com"}, customer(1, "5", 1), "new")
    same = dict(reversed(list(one.items())))
    other = {**one, "causeway_order_count": "2"}
    assert crm_contact.fingerprint(one) == crm_contact.fingerprint(same)
    assert crm_contact.fingerprint(one) != crm_contact.fingerprint(other)


def test_a_case_shows_the_orders_shipment_invoice_and_return_state() -> None:
    summary = {"erp_number": "SO12", "invoice_state": "paid", "invoice_number": "INV7"}
    milestones = {
        "received": {},
        "in_erp": {"erp_number": "SO12"},
        "shipped": {"carrier": "UPS", "tracking_number": "1Z99", "shipment": "OUT3"},
        "paid": {},
        "refunded": {"credit_note": "CN1"},
    }
    assert describe(summary, milestones) == {
        "causeway_order_status": "refunded (ERP SO12)",
        "causeway_shipment": "UPS 1Z99",
        "causeway_invoice_state": "paid (INV7)",
        "causeway_return_state": "refunded",
    }
    fresh = describe({}, {"received": {}})
    assert fresh == {
        "causeway_order_status": "received",
        "causeway_shipment": "not shipped",
        "causeway_invoice_state": "not invoiced",
        "causeway_return_state": "none",
    }


def _vendor_order() -> dict[str, Any]:
    for base in (Path(__file__).parents[2], Path("/work/shared")):
        path = base / "vendor-samples" / "shopify" / "order.json"
        if path.exists():
            return json.loads(path.read_text())["order"]  # type: ignore[no-any-return]
    pytest.skip("vendor-samples/shopify/order.json not found")


def test_shopifys_own_sample_order_gives_the_customer_the_golden_record_needs() -> None:
    order = order_from_rest(_vendor_order())
    fields = observed_customer(order)
    assert fields["email"] == "bob.norman@hostmail.com"
    assert (fields["first_name"], fields["last_name"]) == ("Bob", "Norman")
    assert fields["phone"] == "555-625-1199"  # the billing address's, as the order has no other
    assert fields["address"]["street"] == "Chestnut Street 92"
    assert fields["address"]["postal_code"] == "40202"
    assert fields["address"]["country_code"] == "US"
    assert channel_of("shop", order) == "shop/web"
    assert order.customer.external_id == "207119551"
