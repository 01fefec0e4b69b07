"""The HubSpot connector against the wire-compatible sandbox: what the CRM flows will rely on."""

from __future__ import annotations

from decimal import Decimal

import pytest

from causeway.connectors.http_retry import RetryPolicy
from causeway.connectors.hubspot.client import HubSpotClient
from causeway.connectors.hubspot.connector import HubSpotConnector
from causeway.connectors.hubspot.models import SearchFilter
from causeway.connectors.hubspot.properties import CONTACT_PROPERTIES, DEAL_PROPERTIES
from causeway.errors import InvalidPayloadError, PermanentError, RetryableError
from causeway_sandbox.hubspot.server import HubSpotSandboxServer
from causeway_sandbox.hubspot.settings import HubSpotSandboxSettings


def contacts(crm: HubSpotSandboxServer) -> list[dict]:
    return crm.control("GET", "objects/contacts").json()  # type: ignore[no-any-return]


def test_the_hubs_custom_properties_are_created_once(
    crm: HubSpotSandboxServer, hubspot: HubSpotConnector
) -> None:
    created = hubspot.ensure_properties("contacts", CONTACT_PROPERTIES)
    assert "causeway_lifetime_value" in created and "causeway_segment" in created
    assert hubspot.ensure_properties("contacts", CONTACT_PROPERTIES) == []
    assert "causeway_erp_order" in hubspot.ensure_properties("deals", DEAL_PROPERTIES)
    stored = crm.control("GET", "properties/contacts").json()
    assert stored["causeway_order_count"]["type"] == "number"


def test_a_property_created_meanwhile_by_another_process_is_not_an_error(
    crm: HubSpotSandboxServer, hubspot: HubSpotConnector
) -> None:
    other = HubSpotConnector(crm.url, crm.token)
    real_request = hubspot.client.request

    def racing(method: str, path: str, **kwargs: object) -> tuple[int, object]:
        answer = real_request(method, path, **kwargs)  # type: ignore[arg-type]
        if method == "GET":  # the other process creates everything right after our read
            other.ensure_properties("deals", DEAL_PROPERTIES)
        return answer

    hubspot.client.request = racing  # type: ignore[method-assign]
    assert hubspot.ensure_properties("deals", DEAL_PROPERTIES) == []
    assert "causeway_erp_state" in crm.control("GET", "properties/deals").json()
    other.close()


def test_the_same_email_in_another_capitalisation_is_the_same_contact(
    crm: HubSpotSandboxServer, hubspot: HubSpotConnector
) -> None:
    hubspot.ensure_properties("contacts", CONTACT_PROPERTIES)
    first = hubspot.upsert_contacts(
        [{"email": "Ada.Lovelace@Example.com", "firstname": "Ada", "causeway_order_count": "1"}]
    )
    assert [r.new for r in first.results] == [True]
    second = hubspot.upsert_contacts(
        [
            {
                "email": "ada.lovelace@example.COM",
                "phone": "+44 20 7946 0018",
                "causeway_order_count": "2",
            }
        ]
    )
    assert [r.new for r in second.results] == [False]
    assert second.results[0].id == first.results[0].id
    [stored] = contacts(crm)
    assert stored["properties"]["email"] == "ada.lovelace@example.com"
    assert stored["properties"]["firstname"] == "Ada"
    assert stored["properties"]["causeway_order_count"] == "2"


def test_one_batch_naming_one_person_twice_upserts_one_contact(
    crm: HubSpotSandboxServer, hubspot: HubSpotConnector
) -> None:
    result = hubspot.upsert_contacts(
        [
            {"email": "grace@example.com", "firstname": "Grace"},
            {"email": "GRACE@example.com", "lastname": "Hopper"},
        ]
    )
    assert len(result.results) == 1 and not result.errors
    [stored] = contacts(crm)
    assert (stored["properties"]["firstname"], stored["properties"]["lastname"]) == (
        "Grace",
        "Hopper",
    )


def test_a_bad_contact_in_a_batch_is_reported_and_the_others_are_written(
    crm: HubSpotSandboxServer, hubspot: HubSpotConnector
) -> None:
    result = hubspot.upsert_contacts(
        [
            {"email": "alan@example.com", "firstname": "Alan"},
            {"email": "not-an-email", "firstname": "Broken"},
            {"email": "edsger@example.com", "firstname": "Edsger"},
        ]
    )
    assert result.status == "COMPLETE"
    assert sorted(r.get("email") or "" for r in result.results) == [
        "alan@example.com",
        "edsger@example.com",
    ]
    [error] = result.errors
    assert error.category == "VALIDATION_ERROR"
    assert "not-an-email" in error.message and error.context["ids"] == ["not-an-email"]
    assert len(contacts(crm)) == 2


def test_a_contact_without_email_cannot_be_upserted(hubspot: HubSpotConnector) -> None:
    with pytest.raises(InvalidPayloadError, match="#1 has no email"):
        hubspot.upsert_contacts([{"email": "a@example.com"}, {"firstname": "Nobody"}])


def test_more_than_a_hundred_contacts_go_in_batches_of_a_hundred(
    crm: HubSpotSandboxServer, hubspot: HubSpotConnector
) -> None:
    people = [{"email": f"person{i}@example.com"} for i in range(230)]
    result = hubspot.upsert_contacts(people)
    assert len(result.results) == 230
    assert hubspot.client.calls == 3
    found = hubspot.read_contacts(
        ["person7@example.com", "PERSON200@example.com", "ghost@example.com"],
        ["email"],
        id_property="email",
    )
    assert sorted(r.get("email") or "" for r in found.results) == [
        "person200@example.com",
        "person7@example.com",
    ]
    assert found.errors[0].category == "OBJECT_NOT_FOUND"


def test_contacts_are_found_by_email_phone_or_a_custom_property(
    hubspot: HubSpotConnector,
) -> None:
    hubspot.ensure_properties("contacts", CONTACT_PROPERTIES)
    hubspot.upsert_contacts(
        [
            {"email": "ada@example.com", "phone": "+442079460018", "causeway_segment": "champion"},
            {"email": "alan@example.com", "phone": "+442079460019", "causeway_segment": "new"},
        ]
    )
    by_email = hubspot.find_contact_by_email("ADA@example.com", ["phone"])
    assert by_email is not None and by_email.get("phone") == "+442079460018"
    by_phone = hubspot.search_contacts([SearchFilter(propertyName="phone", value="+442079460019")])
    # HubSpot returns its default properties (email among them) unless others are named.
    assert [(c.get("email"), c.get("phone")) for c in by_phone] == [("alan@example.com", None)]
    segment = hubspot.search_contacts(
        [SearchFilter(propertyName="causeway_segment", value="champion")], ["email"]
    )
    assert [c.get("email") for c in segment] == ["ada@example.com"]
    assert hubspot.find_contact_by_email("nobody@example.com") is None
    updated = hubspot.update_contact(segment[0].id, {"causeway_segment": "at risk"})
    assert updated.get("causeway_segment") == "at risk"


def test_a_deal_is_read_with_its_line_items_and_contact_and_gets_the_erp_order(
    crm: HubSpotSandboxServer, hubspot: HubSpotConnector
) -> None:
    hubspot.ensure_properties("deals", DEAL_PROPERTIES)
    made = crm.control(
        "POST",
        "deals",
        json={
            "dealname": "Spring restock",
            "amount": "259.80",
            "contact": {"email": "buyer@example.com", "firstname": "Bea"},
            "line_items": [
                {"hs_sku": "MUG-BLUE", "name": "Blue mug", "price": "12.90", "quantity": "10"},
                {"hs_sku": "TEE-M", "name": "Tee M", "price": "26.00", "quantity": "5"},
            ],
        },
    ).json()
    crm.control("POST", f"deals/{made['id']}/stage", json={"stage": "closedwon"})
    deal = hubspot.get_deal(made["id"])
    assert deal.stage == "closedwon"
    assert deal.contact_ids == [made["contact_id"]]
    lines = sorted((i.sku, i.quantity, i.price) for i in deal.line_items)
    assert lines == [
        ("MUG-BLUE", Decimal("10"), Decimal("12.90")),
        ("TEE-M", Decimal("5"), Decimal("26.00")),
    ]
    hubspot.update_deal(
        deal.id, {"causeway_erp_order": "SO-0042", "causeway_erp_state": "confirmed"}
    )
    stored = crm.control("GET", f"objects/deals/{deal.id}").json()
    assert stored["properties"]["causeway_erp_order"] == "SO-0042"


def test_a_missing_deal_or_an_unknown_property_is_permanent_and_named(
    hubspot: HubSpotConnector, crm: HubSpotSandboxServer
) -> None:
    with pytest.raises(PermanentError, match="deal 999999 does not exist"):
        hubspot.get_deal("999999")
    made = crm.control("POST", "deals", json={"dealname": "No items"}).json()
    with pytest.raises(PermanentError, match='Property "causeway_unknown" does not exist') as err:
        hubspot.update_deal(made["id"], {"causeway_unknown": "x"})
    assert "correlationId" in str(err.value)


def test_a_ticket_is_made_on_the_contact_and_deal_found_by_its_property_and_updated(
    crm: HubSpotSandboxServer, hubspot: HubSpotConnector
) -> None:
    made = crm.control(
        "POST", "deals", json={"dealname": "Order 1001", "contact": {"email": "c@example.com"}}
    ).json()
    ticket = hubspot.create_ticket(
        {
            "subject": "Broken mug in order #1001",
            "content": "Arrived cracked.",
            "hs_pipeline": "0",
            "hs_pipeline_stage": "1",
        },
        contact_id=made["contact_id"],
        deal_id=made["id"],
    )
    stored = crm.control("GET", f"objects/tickets/{ticket.id}").json()
    assert stored["associations"]["contacts"] == [made["contact_id"]]
    assert stored["associations"]["deals"] == [made["id"]]
    [found] = hubspot.search_tickets("subject", "Broken mug in order #1001", ["subject"])
    assert found.id == ticket.id
    assert (
        hubspot.update_ticket(ticket.id, {"hs_pipeline_stage": "4"}).get("hs_pipeline_stage") == "4"
    )
    with pytest.raises(InvalidPayloadError, match="needs subject"):
        hubspot.create_ticket({"hs_pipeline_stage": "1"}, contact_id=made["contact_id"])


def test_an_unavailable_crm_is_retried_until_it_answers(
    crm: HubSpotSandboxServer, hubspot: HubSpotConnector
) -> None:
    crm.control("POST", "faults", json={"error_rate_5xx": 0.3, "seed": 3})
    client = HubSpotClient(crm.url, crm.token, retry=RetryPolicy(backoff_initial=0.01))
    patient = HubSpotConnector(crm.url, crm.token, client=client)
    for i in range(6):
        patient.upsert_contacts([{"email": f"p{i}@example.com"}])
    assert patient.client.transient_retries > 0
    assert len(contacts(crm)) == 6


def test_a_second_process_on_the_token_makes_hubspot_answer_429_and_the_client_waits() -> None:
    settings = HubSpotSandboxSettings(rate_max=4, rate_interval_ms=1000)
    with HubSpotSandboxServer(settings) as crm:
        other = HubSpotClient(crm.url, crm.token)
        ours = HubSpotConnector(crm.url, crm.token)
        for _ in range(4):  # another process spends the whole window
            other.request("GET", "/crm/v3/properties/contacts")
        for i in range(6):
            ours.upsert_contacts([{"email": f"x{i}@example.com"}])
        assert ours.client.throttle_waits >= 1
        # After the first answer the client knows the real limit and paces itself.
        assert ours.client.budget.capacity == 4
        # Waits double while refused: a full window is not hammered (a token bucket
        # and a rolling window disagree a little at the edges, hence a few 429s).
        assert crm.control("GET", "rate").json()["rejected"] <= 6
        assert len(crm.control("GET", "objects/contacts").json()) == 6
        ours.close()
        other.close()


def test_a_429_storm_becomes_a_retryable_error_the_job_can_back_off_on(
    crm: HubSpotSandboxServer,
) -> None:
    crm.control("POST", "faults", json={"rate_429": 1.0})
    client = HubSpotClient(crm.url, crm.token, retry=RetryPolicy(max_throttle_waits=4))
    with pytest.raises(RetryableError, match="TEN_SECONDLY_ROLLING"):
        HubSpotConnector(crm.url, crm.token, client=client).find_contact_by_email("a@x.com")
    assert client.throttle_waits == 5


def test_a_crm_slower_than_the_timeout_is_retried_then_retryable(
    crm: HubSpotSandboxServer,
) -> None:
    crm.control("POST", "faults", json={"latency_ms": 400})
    client = HubSpotClient(
        crm.url, crm.token, timeout=0.1, retry=RetryPolicy(max_attempts=2, backoff_initial=0.01)
    )
    with pytest.raises(RetryableError, match="ReadTimeout"):
        HubSpotConnector(crm.url, crm.token, client=client).get_deal("1001")
    assert client.transient_retries == 1
