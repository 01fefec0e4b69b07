"""A won HubSpot deal as the canonical order the ERP receives (connectors/hubspot/deals.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from causeway.connectors.hubspot.deals import (
    first_contact_id,
    order_from_deal,
    won_since_filters,
)
from causeway.connectors.hubspot.models import CrmObject, Deal, LineItem
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.flows.quotes_to_erp import deal_reference


def item(item_id: str, sku: str | None, quantity: str, price: str) -> LineItem:
    return LineItem.from_object(
        CrmObject(
            id=item_id,
            properties={"hs_sku": sku, "name": f"Item {sku}", "quantity": quantity, "price": price},
        )
    )


def deal(*items: LineItem, currency: str | None = "eur") -> Deal:
    return Deal(
        id="1001",
        properties={
            "dealname": "Spring restock for ACME",
            "dealstage": "closedwon",
            "deal_currency_code": currency,
            "createdate": "2026-03-01T09:00:00.000Z",
            "closedate": "2026-03-04T15:30:00.000Z",
        },
        line_items=list(items),
        contact_ids=["2002", "2001"],
    )


ANNA = CrmObject(
    id="2001",
    properties={
        "email": "Anna.Buyer@ACME.example",
        "firstname": "Anna",
        "lastname": "Buyer",
        "company": "ACME",
        "address": "1 Main St",
        "city": "Springfield",
        "zip": "12345",
        "country": "us",
    },
)


def test_a_won_deal_becomes_an_order_of_its_line_items_for_its_contact() -> None:
    order = order_from_deal(
        deal(item("1", "WID-001", "3", "9.50"), item("2", "GAD-001", "1", "24.00")),
        ANNA,
        default_currency="USD",
    )
    assert order.external_id == "1001"
    assert order.currency == "EUR"
    assert order.customer.email == "anna.buyer@acme.example"
    assert order.customer.full_name == "Anna Buyer"
    assert [(li.sku, li.quantity, li.unit_price) for li in order.lines] == [
        ("WID-001", 3, Decimal("9.50")),
        ("GAD-001", 1, Decimal("24.00")),
    ]
    assert order.total == order.subtotal == Decimal("52.50")
    assert order.total_tax == 0 and order.tax_lines == ()
    assert order.shipping_address is not None
    assert order.shipping_address.country_code == "US"
    assert order.shipping_address.city == "Springfield"
    assert order.created_at == datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert order.updated_at == datetime(2026, 3, 4, 15, 30, tzinfo=UTC)
    assert order.note == "Spring restock for ACME"


def test_a_deal_without_currency_takes_the_configured_one() -> None:
    order = order_from_deal(
        deal(item("1", "WID-001", "1", "10"), currency=None), ANNA, default_currency="usd"
    )
    assert order.currency == "USD"


def test_the_reference_names_the_crm_and_the_deal() -> None:
    assert deal_reference("crm", "1001") == "crm-deal-1001"


def test_the_customer_is_the_first_associated_contact() -> None:
    assert first_contact_id(["2002", "2001", "10"]) == "10"
    assert first_contact_id([]) is None


@pytest.mark.parametrize(
    ("built", "contact", "reason"),
    [
        (deal(), ANNA, "has no line items"),
        (deal(item("1", "WID-001", "1", "10")), None, "has no associated contact"),
        (
            deal(item("1", "WID-001", "1", "10")),
            CrmObject(id="2001", properties={"firstname": "Anna"}),
            "contact 2001 of deal 1001 has no email",
        ),
        (deal(item("7", None, "1", "10")), ANNA, "line item 7 .* has no SKU"),
        (deal(item("8", "WID-001", "1.5", "10")), ANNA, "quantity 1.5"),
        (deal(item("9", "WID-001", "0", "10")), ANNA, "quantity 0"),
    ],
)
def test_what_cannot_become_a_sale_is_refused_naming_the_deal_and_the_fix(
    built: Deal, contact: CrmObject | None, reason: str
) -> None:
    with pytest.raises(PermanentError, match=reason):
        order_from_deal(built, contact, default_currency="USD")


def test_a_line_item_without_a_price_is_an_invalid_payload() -> None:
    with pytest.raises(InvalidPayloadError, match="line item 3 has no price"):
        item("3", "WID-001", "1", "")


def test_the_reconciling_search_asks_for_won_deals_modified_since_in_milliseconds() -> None:
    since = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)
    stage, modified = won_since_filters(since)
    assert (stage.property_name, stage.operator, stage.value) == ("dealstage", "EQ", "closedwon")
    assert (modified.property_name, modified.operator) == ("hs_lastmodifieddate", "GTE")
    assert modified.value == str(int(since.timestamp() * 1000))
    assert len(won_since_filters(None)) == 1


def test_with_a_tax_rate_each_line_is_taxed_at_it_on_its_net_price() -> None:
    order = order_from_deal(
        deal(item("1", "WID-001", "3", "9.50"), item("2", "GAD-001", "1", "24.05")),
        ANNA,
        default_currency="USD",
        tax_rate=Decimal("0.10"),
    )
    assert [(t.rate, t.amount) for li in order.lines for t in li.tax_lines] == [
        (Decimal("0.10"), Decimal("2.85")),
        (Decimal("0.10"), Decimal("2.41")),
    ]
    assert not order.taxes_included
    assert (order.subtotal, order.total_tax, order.total) == (
        Decimal("52.55"),
        Decimal("5.26"),
        Decimal("57.81"),
    )
