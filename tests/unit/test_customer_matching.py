"""Matching and survivorship decisions, without a database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.config.customers import CustomerSettings, FieldRule
from causeway.customers import matching
from causeway.customers.record import GoldenRecord, ObservedCustomer
from causeway.customers.survivorship import apply
from causeway.errors import InvalidPayloadError

SETTINGS = CustomerSettings()


def person(**values: Any) -> matching.Profile:
    return matching.profile(values, SETTINGS)


def home(street: str, postal: str = "94107", country: str = "US") -> dict[str, str]:
    return {"street": street, "postal_code": postal, "country_code": country}


ADA = {"first_name": "Ada", "last_name": "Lovelace", "address": home("12 Main Street")}


def test_same_email_in_another_case_is_the_same_person() -> None:
    a = person(email="Ada@Example.com", **ADA)
    b = person(email=" ada@example.COM", first_name="A.", last_name="King")
    decision = matching.decide(a, b, 90)
    assert decision.matched and decision.reason == "same email ada@example.com"


def test_same_phone_in_another_format_is_the_same_person() -> None:
    a = person(phone="(415) 555-0132", **ADA)
    b = person(phone="+1 415.555.0132")
    decision = matching.decide(a, b, 90)
    assert decision.matched and decision.reason == "same phone +14155550132"


def test_close_name_and_same_address_match_with_the_score_in_the_reason() -> None:
    a = person(**ADA)
    b = person(first_name="Ada", last_name="Lovelcae", address=home("12 main st."))
    decision = matching.decide(a, b, 90)
    assert decision.matched
    assert decision.reason == "name 92, address 100: score 95.0 >= threshold 90"


def test_the_threshold_is_the_merchants_choice() -> None:
    a = person(**ADA)
    b = person(first_name="Ada", last_name="Lovelcae", address=home("12 main st."))
    assert not matching.decide(a, b, 96).matched


def test_two_people_with_the_same_name_at_different_addresses_stay_apart() -> None:
    a = person(
        email="john.smith@work.com",
        first_name="John",
        last_name="Smith",
        address=home("12 Main Street"),
    )
    b = person(
        email="jsmith@home.org",
        first_name="John",
        last_name="Smith",
        address=home("980 Mission Street"),
    )
    decision = matching.decide(a, b, 90)
    assert not decision.matched and "< threshold 90" in decision.reason


def test_same_name_and_address_with_different_email_and_phone_are_two_people() -> None:
    a = person(
        email="john@a.com",
        phone="415 555 0132",
        first_name="John",
        last_name="Smith",
        address=home("12 Main Street"),
    )
    b = person(
        email="johnjr@b.com",
        phone="415 555 0199",
        first_name="John",
        last_name="Smith",
        address=home("12 Main Street"),
    )
    assert matching.decide(a, b, 90) == matching.Decision(
        False, "different email and different phone"
    )


def test_invalid_phones_never_match_even_when_equal() -> None:
    assert not matching.decide(person(phone="12"), person(phone="12"), 90).matched


def test_blocking_keys_survive_swapped_names_case_and_typos() -> None:
    a = matching.blocking_keys(
        person(first_name="Ada", last_name="Lovelace", address=home("1 x", "94107-1111"))
    )
    swapped = matching.blocking_keys(
        person(first_name="LOVELACE", last_name="ada", address=home("1 x", "94107"))
    )
    typo = matching.blocking_keys(
        person(first_name="Ada", last_name="Lovelase", address=home("1 x"))
    )
    assert "n:ada lovelace|94107" in a & swapped
    assert "s:A300 L142|94107" in a & typo


def test_a_name_typo_that_changes_its_sound_still_shares_the_building_key() -> None:
    a = matching.blocking_keys(
        person(first_name="Samantha", last_name="Perez", address=home("2246 Adams Lane"))
    )
    b = matching.blocking_keys(
        person(first_name="Samatha", last_name="perez", address=home("2246 adams ln"))
    )
    assert a & b == {"a:2246|94107"}


def test_soundex_codes_names_that_sound_alike_the_same() -> None:
    assert matching.soundex("robert") == matching.soundex("rupert") == "R163"
    assert matching.soundex("smith") == matching.soundex("smyth") == "S530"
    assert matching.soundex("ashcraft") == "A261"


def test_the_strongest_match_comes_first() -> None:
    me = person(email="a@x.com", phone="415 555 0132", **ADA)
    candidates = {
        "by-name": person(first_name="Ada", last_name="Lovelace", address=home("12 Main St")),
        "by-phone": person(phone="4155550132"),
        "by-email": person(email="A@X.com"),
        "stranger": person(first_name="Bob", last_name="Jones", address=home("12 Main St")),
    }
    ranked = [cid for cid, _ in matching.best_match(me, candidates, 90)]
    assert ranked == ["by-email", "by-phone", "by-name"]


# Survivorship


def offer(
    record: GoldenRecord,
    system: str,
    at: float,
    settings: CustomerSettings = SETTINGS,
    **values: Any,
) -> dict[str, Any]:
    return apply(record, ObservedCustomer(**values).values(), system, at, settings)


def test_the_erps_credit_limit_survives_an_older_crm_value() -> None:
    record = GoldenRecord()
    offer(record, "erp", at=200, credit_limit=Decimal("5000"))
    assert offer(record, "crm", at=100, credit_limit=Decimal("1000")) == {}
    assert record.credit_limit() == Decimal("5000.00")
    assert record.fields["credit_limit"].source == "erp"


def test_the_erps_credit_limit_survives_even_a_newer_crm_value() -> None:
    record = GoldenRecord()
    offer(record, "erp", at=100, credit_limit=Decimal("5000"))
    assert offer(record, "crm", at=900, credit_limit=Decimal("1")) == {}
    assert record.credit_limit() == Decimal("5000.00")


def test_a_crm_value_stands_in_until_the_erp_speaks() -> None:
    record = GoldenRecord()
    assert offer(record, "crm", at=100, payment_terms="Net 60") == {"payment_terms": "Net 60"}
    assert offer(record, "erp", at=50, payment_terms="Net 30") == {"payment_terms": "Net 30"}


def test_under_newest_a_newer_phone_wins_and_an_older_one_never_overwrites() -> None:
    settings = CustomerSettings(rules={"phone": "newest"})
    record = GoldenRecord()
    offer(record, "erp", at=100, settings=settings, phone="+1 415 555 0100")
    assert offer(record, "crm", at=200, settings=settings, phone="+1 415 555 0200") == {
        "phone": "+1 415 555 0200"
    }
    assert offer(record, "erp", at=150, settings=settings, phone="+1 415 555 0100") == {}
    assert record.value("phone") == "+1 415 555 0200"


def test_fill_empty_keeps_the_first_value() -> None:
    settings = CustomerSettings(rules={"company": "fill_empty"})
    record = GoldenRecord()
    offer(record, "shop", at=100, settings=settings, company="Analytical Engines Ltd")
    assert offer(record, "crm", at=900, settings=settings, company="Other") == {}
    assert record.value("company") == "Analytical Engines Ltd"


def test_a_field_left_out_is_never_cleared() -> None:
    record = GoldenRecord()
    offer(record, "crm", at=100, email="ada@example.com")
    assert offer(record, "crm", at=200, email=None, company="") == {}
    assert record.value("email") == "ada@example.com"


def test_rules_accept_the_short_forms_and_name_bad_ones() -> None:
    settings = CustomerSettings(rules={"phone": "newest", "email": {"source": "hubspot"}})
    assert settings.rule_for("phone") == FieldRule(rule="newest")
    assert settings.rule_for("email") == FieldRule(rule="source", source="hubspot")
    assert settings.rule_for("credit_limit") == FieldRule(rule="source", source="erp")
    with pytest.raises(ValueError, match=r"unknown customer field.*shoe_size"):
        CustomerSettings(rules={"shoe_size": "newest"})
    with pytest.raises(ValueError, match="needs `source: <system>`"):
        CustomerSettings(rules={"phone": "source"})


def test_a_malformed_observation_names_the_field() -> None:
    with pytest.raises(InvalidPayloadError, match=r"credit_limit: .*valid"):
        ObservedCustomer.parse({"credit_limit": "lots"}, "erp customer 7")
    with pytest.raises(InvalidPayloadError, match="erp customer 7: favourite_colour"):
        ObservedCustomer.parse({"favourite_colour": "red"}, "erp customer 7")


def test_the_customers_section_of_causeway_yaml_is_read_with_defaults() -> None:
    config = parse_config(
        {
            "systems": {},
            "customers": {"match_threshold": 85, "rules": {"phone": "newest"}},
        }
    )
    assert config.customers.match_threshold == 85
    assert config.customers.rule_for("phone") == FieldRule(rule="newest")
    assert config.customers.rule_for("credit_limit") == FieldRule(rule="source", source="erp")
    assert parse_config({"systems": {}}).customers == CustomerSettings()
