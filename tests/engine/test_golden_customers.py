"""The golden customer record in the hub's database, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from causeway.config.customers import CustomerSettings
from causeway.customers import merges
from causeway.customers.resolve import Resolution, resolve
from causeway.engine import golden_records, links
from causeway.engine.schema import customers, merge_log, metadata
from causeway.engine.store import Store
from causeway.errors import InvalidPayloadError, PermanentError, RetryableError

SETTINGS = CustomerSettings()


def see(
    store: Store,
    system: str,
    external_id: str,
    at: float = 100.0,
    settings: CustomerSettings = SETTINGS,
    **fields: Any,
) -> Resolution:
    with store.transaction() as conn:
        return resolve(conn, system, external_id, fields, at, settings)


def record(store: Store, customer_id: str) -> dict[str, Any]:
    with store.read() as conn:
        return golden_records.load(conn, customer_id).record.plain()


def live_customers(store: Store) -> int:
    with store.read() as conn:
        return conn.execute(
            select(func.count()).select_from(customers).where(customers.c.merged_into.is_(None))
        ).scalar_one()


def customer_links(store: Store, customer_id: str) -> list[tuple[str, str]]:
    with store.read() as conn:
        return sorted((link.system, link.external_id) for link in links.for_hub(conn, customer_id))


def address(street: str, postal: str = "94107") -> dict[str, str]:
    return {"street": street, "city": "San Francisco", "postal_code": postal, "country_code": "US"}


def test_two_store_orders_from_one_person_give_one_customer(store: Store) -> None:
    first = see(
        store,
        "shop",
        "order-1001",
        email="Ada.Lovelace@Example.com",
        phone="(415) 555-0132",
        first_name="Ada",
        last_name="Lovelace",
        address=address("12 Main Street"),
    )
    second = see(
        store,
        "shop",
        "order-1002",
        at=200,
        email="ada.lovelace@example.COM ",
        phone="+1 415.555.0132",
        first_name="ADA",
        last_name="Lovelace",
    )
    assert first.decision == "created"
    assert (second.decision, second.reason) == ("matched", "same email ada.lovelace@example.com")
    assert second.customer_id == first.customer_id
    assert live_customers(store) == 1
    assert customer_links(store, first.customer_id) == [
        ("shop", "order-1001"),
        ("shop", "order-1002"),
    ]


def test_a_known_phone_in_another_format_finds_the_customer(store: Store) -> None:
    first = see(store, "shop", "c1", phone="(415) 555-0132", first_name="Ada")
    second = see(store, "erp", "party-7", phone="+14155550132", first_name="Ada")
    assert second.customer_id == first.customer_id
    assert second.reason == "same phone +14155550132"


def test_two_people_with_the_same_name_do_not_merge(store: Store) -> None:
    john = see(
        store,
        "shop",
        "c1",
        email="john.smith@work.com",
        phone="415 555 0132",
        first_name="John",
        last_name="Smith",
        address=address("12 Main Street"),
    )
    other = see(
        store,
        "shop",
        "c2",
        email="jsmith@home.org",
        phone="415 555 0199",
        first_name="John",
        last_name="Smith",
        address=address("980 Mission Street"),
    )
    assert other.decision == "created"
    assert other.customer_id != john.customer_id
    assert live_customers(store) == 2


def test_a_close_name_at_the_same_address_is_matched_with_its_score(store: Store) -> None:
    ada = see(
        store,
        "shop",
        "c1",
        first_name="Ada",
        last_name="Lovelace",
        address=address("12 Main Street"),
    )
    typo = see(
        store,
        "crm",
        "contact-9",
        first_name="Ada",
        last_name="Lovelcae",
        address=address("12 main st."),
    )
    assert typo.customer_id == ada.customer_id
    assert typo.reason == "name 92, address 100: score 95.0 >= threshold 90"


def test_the_erps_credit_limit_survives_an_older_crm_value(store: Store) -> None:
    erp = see(
        store,
        "erp",
        "party-7",
        at=200,
        email="ada@example.com",
        credit_limit=Decimal("5000"),
        payment_terms="Net 30",
    )
    crm = see(
        store,
        "crm",
        "contact-9",
        at=100,
        email="ada@example.com",
        credit_limit="1000",
        payment_terms="Net 60",
    )
    assert crm.customer_id == erp.customer_id
    assert crm.changed == {}
    golden = record(store, erp.customer_id)
    assert (golden["credit_limit"], golden["payment_terms"]) == ("5000.00", "Net 30")
    # The CRM sent values its owner overrules: the CRM is the system to correct.
    assert crm.updates == {"crm": {"credit_limit": "5000.00", "payment_terms": "Net 30"}}


def test_a_newer_crm_phone_wins_over_an_older_erp_phone_and_the_erp_is_told(
    store: Store,
) -> None:
    settings = CustomerSettings(rules={"phone": "newest"})
    erp = see(
        store,
        "erp",
        "party-7",
        at=100,
        settings=settings,
        email="ada@example.com",
        phone="+1 415 555 0100",
    )
    crm = see(
        store,
        "crm",
        "contact-9",
        at=200,
        settings=settings,
        email="ada@example.com",
        phone="(415) 555-0200",
    )
    assert crm.changed == {"phone": "+14155550200"}
    assert crm.updates == {"erp": {"phone": "+14155550200"}}
    late = see(store, "erp", "party-7", at=150, settings=settings, phone="+1 415 555 0100")
    assert late.changed == {}
    assert record(store, erp.customer_id)["phone"] == "+14155550200"


def test_the_same_observation_twice_changes_nothing(store: Store) -> None:
    fields = {"email": "ada@example.com", "first_name": "Ada", "address": address("12 Main St")}
    first = see(store, "shop", "c1", **fields)
    again = see(store, "shop", "c1", **fields)
    assert (again.customer_id, again.decision, again.changed) == (first.customer_id, "linked", {})
    assert again.updates == {}
    assert live_customers(store) == 1


def test_an_observation_that_joins_two_customers_merges_them(store: Store) -> None:
    by_email = see(store, "shop", "c1", at=100, email="ada@example.com", first_name="Ada")
    by_phone = see(
        store,
        "erp",
        "party-7",
        at=100,
        phone="415 555 0132",
        last_name="Lovelace",
        credit_limit="750",
    )
    both = see(store, "crm", "contact-9", at=300, email="ada@example.com", phone="415 555 0132")
    assert both.customer_id == by_email.customer_id
    assert len(both.merge_ids) == 1
    assert live_customers(store) == 1
    golden = record(store, both.customer_id)
    assert (golden["first_name"], golden["last_name"], golden["credit_limit"]) == (
        "Ada",
        "Lovelace",
        "750.00",
    )
    assert customer_links(store, both.customer_id) == [
        ("crm", "contact-9"),
        ("erp", "party-7"),
        ("shop", "c1"),
    ]
    # The ERP knew the merged-away record: it gets the golden values it lacks.
    assert both.updates["erp"]["first_name"] == "Ada"
    assert by_phone.customer_id not in {both.customer_id}


def test_a_merge_can_be_undone_and_restores_both_records_and_their_links(
    store: Store,
) -> None:
    a = see(
        store,
        "shop",
        "c1",
        email="ada@example.com",
        first_name="Ada",
        address=address("12 Main Street"),
    )
    b = see(
        store,
        "erp",
        "party-7",
        email="a.king@example.com",
        last_name="King",
        credit_limit="750",
        address=address("1 Ockham Park", "02139"),
    )
    before_a, before_b = record(store, a.customer_id), record(store, b.customer_id)
    with store.transaction() as conn:
        done = merges.merge(conn, a.customer_id, b.customer_id, "same person (by hand)", SETTINGS)
    assert live_customers(store) == 1
    assert customer_links(store, a.customer_id) == [("erp", "party-7"), ("shop", "c1")]
    # While merged, the ERP's customer resolves to the survivor.
    assert see(store, "erp", "party-7", email="a.king@example.com").customer_id == a.customer_id

    with store.transaction() as conn:
        merges.undo(conn, done.merge_id, SETTINGS)
    assert live_customers(store) == 2
    assert record(store, a.customer_id) == before_a
    assert record(store, b.customer_id) == before_b
    assert customer_links(store, a.customer_id) == [("shop", "c1")]
    assert customer_links(store, b.customer_id) == [("erp", "party-7")]
    # Each is found again by its own keys.
    assert see(store, "crm", "x", email="A.King@example.com").customer_id == b.customer_id
    with store.read() as conn:
        row = conn.execute(select(merge_log)).one()
    assert (row.reason, row.undone_at is not None) == ("same person (by hand)", True)
    with store.transaction() as conn, pytest.raises(PermanentError, match="already undone"):
        merges.undo(conn, done.merge_id, SETTINGS)


def test_merging_a_record_that_is_already_merged_is_refused(store: Store) -> None:
    a = see(store, "shop", "c1", email="a@example.com")
    b = see(store, "shop", "c2", email="b@example.com")
    c = see(store, "shop", "c3", email="c@example.com")
    with store.transaction() as conn:
        merges.merge(conn, a.customer_id, b.customer_id, "by hand", SETTINGS)
    with store.transaction() as conn, pytest.raises(PermanentError, match="already merged"):
        merges.merge(conn, c.customer_id, b.customer_id, "by hand", SETTINGS)


def test_a_malformed_observation_is_refused_and_writes_nothing(store: Store) -> None:
    with pytest.raises(InvalidPayloadError, match="erp customer party-7: credit_limit"):
        see(store, "erp", "party-7", email="ada@example.com", credit_limit="a lot")
    assert live_customers(store) == 0
    # The next, good record is not held up.
    assert see(store, "erp", "party-8", email="bob@example.com").decision == "created"


def test_a_concurrent_update_is_retried_not_lost(store: Store) -> None:
    ada = see(store, "shop", "c1", email="ada@example.com")
    with store.read() as conn:
        stale = golden_records.load(conn, ada.customer_id)
    see(store, "crm", "contact-9", email="ada@example.com", company="Engines Ltd")
    with store.transaction() as conn, pytest.raises(RetryableError, match="changed meanwhile"):
        golden_records.save(conn, stale)


def test_a_new_customer_is_compared_only_with_those_sharing_a_block(store: Store) -> None:
    for n in range(40):
        see(
            store,
            "shop",
            f"c{n}",
            email=f"person{n}@example.com",
            first_name=f"Person{n}",
            last_name="Doe",
            address=address(f"{n} Main Street", f"{10000 + n}"),
        )
    twin = see(
        store,
        "shop",
        "c-new",
        email="other@example.com",
        first_name="Person7",
        last_name="Doe",
        address=address("7 Main St", "10007"),
    )
    with store.read() as conn:
        keys = golden_records.candidates(conn, {"e:other@example.com", "n:doe person7|10007"})
    assert keys == {twin.customer_id}
    assert twin.decision == "matched" and live_customers(store) == 40


def test_an_order_with_an_email_the_crm_has_since_replaced_still_finds_the_customer(
    store: Store,
) -> None:
    first = see(store, "shop", "order-1", at=100, email="ada@old-mail.com", first_name="Ada")
    see(store, "crm", "contact-9", at=200, email="ada@old-mail.com")
    changed = see(store, "crm", "contact-9", at=300, email="ada@new-mail.com")
    assert changed.changed == {"email": "ada@new-mail.com"}
    assert changed.updates == {"shop": {"email": "ada@new-mail.com"}}
    later = see(store, "shop", "order-2", at=400, email="ADA@old-mail.com")
    assert later.customer_id == first.customer_id
    assert record(store, first.customer_id)["email"] == "ada@new-mail.com"


def test_the_same_phone_and_email_written_another_way_change_nothing(store: Store) -> None:
    first = see(store, "crm", "contact-9", at=100, email="Ada@Example.com", phone="+1 415 555 0132")
    erp = see(store, "erp", "party-7", at=200, email="ada@example.com ", phone="(415) 555-0132")
    assert erp.customer_id == first.customer_id
    assert (erp.changed, erp.updates) == ({}, {})
    golden = record(store, first.customer_id)
    assert (golden["email"], golden["phone"]) == ("ada@example.com", "+14155550132")


def test_an_invalid_phone_is_kept_as_sent_but_matches_nobody(store: Store) -> None:
    first = see(store, "shop", "c1", phone="call after 6", first_name="Ada")
    second = see(store, "shop", "c2", phone="call after 6", first_name="Bob")
    assert second.customer_id != first.customer_id
    assert record(store, first.customer_id)["phone"] == "call after 6"


def test_migration_0003_creates_the_tables_schema_py_describes(store: Store) -> None:
    with store.read() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    # Only our tables: the older ones are covered by their own migrations.
    about_ours = [d for d in diff if re.search(r"\b(customers|customer_keys|merge_log)\b", str(d))]
    assert about_ours == []


def test_ignoring_email_dots_matches_but_keeps_the_address_as_given(store: Store) -> None:
    settings = CustomerSettings(email_ignore_dots=True, email_ignore_plus_tags=True)
    first = see(store, "shop", "c1", settings=settings, email="Ada.Lovelace@gmail.com")
    second = see(store, "shop", "c2", settings=settings, email="adalovelace+shop@gmail.com")
    assert (second.decision, second.customer_id) == ("matched", first.customer_id)
    assert record(store, first.customer_id)["email"] == "ada.lovelace@gmail.com"


def test_an_empty_address_says_nothing(store: Store) -> None:
    first = see(store, "shop", "c1", email="ada@example.com", address=address("12 Main St"))
    again = see(store, "erp", "p1", at=500, email="ada@example.com", address={"street": " "})
    assert again.changed == {}
    assert record(store, first.customer_id)["address"]["street"] == "12 Main St"
