"""What the search box indexes and how a typed query is read (engine/search_terms.py)."""

from __future__ import annotations

import pytest

from causeway.customers.record import FieldValue, GoldenRecord
from causeway.engine.search_terms import (
    MAX_TERM,
    customer_terms,
    milestone_terms,
    normal,
    order_terms,
    phone_forms,
    query_terms,
)


def test_an_email_is_found_whatever_its_case() -> None:
    assert normal("  Ada.Lovelace@Example.COM ") == "ada.lovelace@example.com"
    assert query_terms("ADA.LOVELACE@example.com")[0] == "ada.lovelace@example.com"


def test_an_order_number_is_the_same_with_or_without_its_hash() -> None:
    assert normal("#1001") == normal("1001") == "1001"
    assert normal(" # 1001") == "1001"
    terms = {t.term for t in order_terms("h1", {"number": "#1001", "reference": "US-1001"})}
    assert {"1001", "us-1001"} <= terms


@pytest.mark.parametrize(
    "typed",
    ["+1 415 555 0132", "(415) 555-0132", "415.555.0132", "+1-415-555-0132", "0014155550132"],
)
def test_a_phone_number_typed_any_way_meets_a_stored_form(typed: str) -> None:
    stored = set(phone_forms("+14155550132"))
    assert stored == {"+14155550132", "4155550132"}
    assert stored & set(query_terms(typed)), query_terms(typed)


def test_a_national_number_with_its_trunk_zero_is_found() -> None:
    assert "02079460000" in phone_forms("+442079460000")
    assert "02079460000" in query_terms("020 7946 0000")


def test_a_tracking_number_and_its_carrier_are_the_orders_documents() -> None:
    found = milestone_terms(
        "h1",
        "shipped",
        {"carrier": "UPS", "tracking_number": "1Z999AA10123456784", "shipment": "SHIP-7"},
    )
    by_field = {t.field: t for t in found}
    assert by_field["tracking"].term == "1z999aa10123456784"
    assert by_field["tracking"].shown == "1Z999AA10123456784 (UPS)"
    assert by_field["shipment"].term == "ship-7"
    assert {t.kind for t in found} == {"document"}
    # Typed with spaces, as read out on the phone.
    assert "1z999aa10123456784" in query_terms("1Z999 AA10 1234 56784")


def test_every_invoice_number_of_an_order_is_found() -> None:
    found = order_terms("h1", {"invoice_number": "INV-0042, INV-0043"})
    assert {(t.term, t.field) for t in found} == {("inv-0042", "invoice"), ("inv-0043", "invoice")}
    paid = milestone_terms("h1", "paid", {"invoice": "INV-0042"})
    assert [(t.term, t.kind) for t in paid] == [("inv-0042", "document")]


def test_a_customer_is_found_by_name_words_email_phone_and_system_ids() -> None:
    record = GoldenRecord(
        fields={
            "first_name": FieldValue(value="José", source="shop", at=1),
            "last_name": FieldValue(value="Müller-Lüdenscheidt", source="shop", at=1),
            "email": FieldValue(value="jose@example.com", source="shop", at=1),
        },
        emails=["jose@example.com", "old@example.com"],
        phones=["+14155550132"],
    )
    terms = {t.term for t in customer_terms("c1", record, [("crm", "901")])}
    assert {"jose muller ludenscheidt", "ludenscheidt muller jose", "muller", "jose"} <= terms
    assert {"jose@example.com", "old@example.com", "+14155550132", "4155550132", "901"} <= terms
    assert "muller" in query_terms("Müller")


@pytest.mark.parametrize(
    "odd",
    ["", "   ", "\x00", "#", "\ud800", None, 42, b"bytes", "\x00\x01\x02", "%", "_"],
)
def test_a_query_that_says_nothing_or_is_not_text_gives_no_terms_or_plain_ones(odd: object) -> None:
    for found in query_terms(odd):
        assert found and "\x00" not in found and len(found) <= MAX_TERM


def test_a_huge_query_is_cut_and_nul_is_dropped() -> None:
    found = query_terms("a\x00b" * 5000)
    assert found and all(len(t) <= MAX_TERM and "\x00" not in t for t in found)
