"""How one person is recognised and taken out of texts, documents and CSV rows, and
how everybody else's data is left alone (privacy/person.py)."""

from __future__ import annotations

from typing import Any

from causeway.privacy.person import ERASED, Person


def ada() -> Person:
    person = Person(emails=["Ada@Example.com"], phones=["+1 613-555-0199"], region="CA")
    person.learn_document(order("ada@example.com", "Ada", "Lovelace", "12 Analytical Row"), "shop")
    return person


def order(email: str, first: str, last: str, street: str, **extra: Any) -> dict[str, Any]:
    address = {"first_name": first, "last_name": last, "name": f"{first} {last}"}
    address |= {"address1": street, "zip": "K1A 0B1", "country_code": "CA"}
    return {
        "id": 1001,
        "name": "#1001",
        "email": email,
        "total_price": "11.00",
        "customer": {"id": 501, "email": email, "first_name": first, "last_name": last},
        "shipping_address": address,
        "line_items": [{"sku": "ADA-1", "name": "Ada lamp", "quantity": 1}],
        **extra,
    }


def test_a_phone_is_recognised_however_it_is_written() -> None:
    person = ada()
    for written in ("+1 (613) 555-0199", "613.555.0199", "16135550199", "call 613 555 0199 now"):
        assert person.mentions(written), written
    assert not person.mentions("613-555-0123")
    assert not person.mentions("order 4501613555019900")  # a longer number is not her phone
    assert person.redact_text("call 613 555 0199 now", thorough=False) == f"call {ERASED} now"


def test_learning_her_order_gives_her_customer_id_and_her_details() -> None:
    person = ada()
    assert ("shop", "501") in person.customers
    assert {"Ada", "Lovelace", "Ada Lovelace", "12 Analytical Row"} <= person.details


def test_her_order_loses_her_but_keeps_what_the_order_needs() -> None:
    person = ada()
    erased = person.redact_json(
        order("ada@example.com", "Ada", "Lovelace", "12 Analytical Row"), owned=False
    )
    assert erased["email"] is None and erased["customer"]["email"] is None
    assert erased["shipping_address"]["name"] == ERASED
    assert erased["shipping_address"]["address1"] == ERASED
    assert erased["shipping_address"]["country_code"] == "CA"
    assert (erased["id"], erased["name"], erased["total_price"]) == (1001, "#1001", "11.00")
    assert erased["customer"]["id"] == 501
    # The SKU is structural even where it spells her name; a product name is not hers.
    assert erased["line_items"] == [{"sku": "ADA-1", "name": "Ada lamp", "quantity": 1}]


def test_an_order_that_only_mentions_her_stays_its_customers() -> None:
    person = ada()
    bobs = order(
        "bob@example.com", "Bob", "Norman", "1 Chestnut St", note="gift for ADA@example.com"
    )
    erased = person.redact_json(bobs, owned=False)
    assert erased["note"].startswith("gift for erased-") and "@erased.invalid" in erased["note"]
    erased["note"] = bobs["note"]
    assert erased == bobs
    # An export of her data takes only the mention out of Bob's order.
    assert person.extract(bobs) == {"note": "gift for ADA@example.com"}


def test_an_address_with_her_phone_is_hers_even_in_someone_elses_order() -> None:
    person = ada()
    bobs = order("bob@example.com", "Bob", "Norman", "1 Chestnut St")
    bobs["shipping_address"] = {"name": "A. L.", "address1": "9 Gift Lane", "phone": "6135550199"}
    erased = person.redact_json(bobs, owned=False)
    assert erased["shipping_address"] == {"name": ERASED, "address1": ERASED, "phone": None}
    assert erased["customer"] == bobs["customer"]


def test_one_token_per_address_within_an_erasure() -> None:
    person = ada()
    first = person.redact_text("ada@example.com", thorough=False)
    assert first == person.redact_text("to: ADA@EXAMPLE.COM", thorough=False)[4:]
    assert first.endswith("@erased.invalid") and "ada" not in first


def test_csv_rows_hers_by_contact_columns_or_two_details() -> None:
    person = ada()
    personal = {1, 2, 3}  # email, first_name, street
    hers = ["2001", "ada@example.com", "Ada", "12 Analytical Row", "WID-001"]
    assert person.redact_row(hers, personal) == ["2001", ERASED, ERASED, ERASED, "WID-001"]
    no_email = ["2002", "", "Ada Lovelace", "12 Analytical Row", "WID-001"]
    assert person.redact_row(no_email, personal) == ["2002", "", ERASED, ERASED, "WID-001"]
    bobs = ["2003", "bob@example.com", "Bob", "1 Chestnut St", "for Ada, 613-555-0199"]
    assert person.redact_row(bobs, personal) == [*bobs[:4], f"for {ERASED}, {ERASED}"]
    namesake = ["2004", "ada.l@other.org", "Ada", "5 Elm Road", "WID-001"]
    assert person.redact_row(namesake, personal) == namesake
