"""Each normaliser turns what systems send into the one form matching compares."""

from __future__ import annotations

import pytest

from causeway.customers import normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Ada.Lovelace@Example.COM ", "ada.lovelace@example.com"),
        ("ada+shop@example.com", "ada+shop@example.com"),  # tags kept by default
        ("not-an-email", None),
        ("two@@example.com", None),
        ("", None),
        (None, None),
    ],
)
def test_email_is_trimmed_and_lowercased_and_invalid_ones_are_refused(
    raw: str | None, expected: str | None
) -> None:
    assert normalise.email(raw) == expected


def test_email_dots_and_plus_tags_are_dropped_only_when_the_merchant_says_so() -> None:
    raw = "Ada.Lovelace+orders@gmail.com"
    assert normalise.email(raw) == "ada.lovelace+orders@gmail.com"
    assert normalise.email(raw, ignore_plus_tags=True) == "ada.lovelace@gmail.com"
    assert normalise.email(raw, ignore_plus_tags=True, ignore_dots=True) == "adalovelace@gmail.com"


@pytest.mark.parametrize(
    "raw",
    ["(415) 555-0132", "415.555.0132", "+1 415 555 0132", "1-415-555-0132", "4155550132"],
)
def test_us_phone_formats_all_become_one_e164_number(raw: str) -> None:
    assert normalise.phone(raw, "US") == "+14155550132"


def test_a_phone_without_prefix_is_read_in_the_given_region() -> None:
    assert normalise.phone("030 1234567", "DE") == "+49301234567"
    assert normalise.phone("020 7946 0958", "GB") == "+442079460958"


@pytest.mark.parametrize("raw", ["12", "call me", "+1 000 000 0000", "", None])
def test_invalid_phones_give_nothing_to_match_on(raw: str | None) -> None:
    assert normalise.phone(raw, "US") is None


def test_names_are_casefolded_accent_free_and_single_spaced() -> None:
    assert normalise.name("  José   MÜLLER-Lüdenscheidt ") == "jose muller ludenscheidt"
    assert normalise.name("O'Brien") == "obrien"
    assert normalise.name("Straße") == "strasse"
    assert normalise.name(None) == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12 Main Street", "12 main st"),
        ("12 main st.", "12 main st"),
        ("12  MAIN ST", "12 main st"),
        ("400 North Avenue, Apartment 3", "400 n ave apt 3"),
        ("Hauptstraße 5", "haupt st 5"),
        ("Hauptstrasse 5", "haupt st 5"),
    ],
)
def test_street_words_are_abbreviated_one_way(raw: str, expected: str) -> None:
    assert normalise.street(raw) == expected


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("sw1a 1aa", "GB", "SW1A1AA"),
        ("94107-1234", "US", "94107"),
        ("94107", "US", "94107"),
        ("1234 ab", "NL", "1234AB"),
        ("", "US", ""),
    ],
)
def test_postal_codes_lose_spaces_and_dashes(raw: str, country: str, expected: str) -> None:
    assert normalise.postal_code(raw, country) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("us", "US"), ("USA", "US"), ("United Kingdom", "GB"), ("Deutschland", "DE"), ("x1", None)],
)
def test_countries_become_iso_codes(raw: str, expected: str | None) -> None:
    assert normalise.country(raw) == expected
