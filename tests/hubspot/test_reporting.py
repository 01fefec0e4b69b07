"""What the warehouse reads from HubSpot (connectors/hubspot/reporting.py), against the
sandbox: deals by modification time with their contacts, and contacts' segments."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from causeway.connectors.hubspot.client import HubSpotError
from causeway.connectors.hubspot.connector import HubSpotConnector
from causeway.connectors.hubspot.models import CrmObject
from causeway.connectors.hubspot.reporting import HubSpotReporting, deal_fact, deal_state
from causeway.errors import PermanentError
from causeway.model.ports.crm_reporting import CrmReporting, DealFact
from causeway_sandbox.hubspot.server import HubSpotSandboxServer
from causeway_sandbox.hubspot.settings import HubSpotSandboxSettings


def new_deal(
    crm: HubSpotSandboxServer,
    name: str,
    stage: str = "appointmentscheduled",
    *,
    email: str | None = None,
    amount: str | None = "100.00",
    **properties: str,
) -> str:
    body: dict[str, object] = {"dealname": name, "dealstage": stage, "properties": properties}
    if amount is not None:
        body["amount"] = amount
    if email:
        body["contact"] = {"email": email, "lifecyclestage": "opportunity"}
    return str(crm.control("POST", "deals", json=body).json()["id"])


def every(pages: Iterator[list[DealFact]]) -> list[DealFact]:
    return [deal for page in pages for deal in page]


# -- the mapping ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("won", "closed", "stage", "state"),
    [
        ("true", "true", "anything", "won"),
        ("false", "true", "closedwon", "lost"),  # the flags win over the stage's name
        ("false", "false", "closedwon", "open"),
        (None, None, "closedwon", "won"),
        (None, None, "closedlost", "lost"),
        (None, None, "mystery", None),
        (None, None, None, None),
    ],
)
def test_the_state_follows_hubspots_closed_flags_else_the_default_stages(
    won: str | None, closed: str | None, stage: str | None, state: str | None
) -> None:
    assert deal_state(won, closed, stage) == state


def test_a_deal_maps_with_its_currency_dates_and_contacts_and_a_bad_amount_is_none() -> None:
    deal = CrmObject.model_validate(
        {
            "id": "7",
            "properties": {
                "dealname": "Big one",
                "dealstage": "closedwon",
                "pipeline": "default",
                "amount": "12.5",
                "deal_currency_code": "usd",
                "createdate": "2026-03-01T10:00:00Z",
                "closedate": "1772400000000",
                "hs_lastmodifieddate": "2026-03-02T08:00:00.123Z",
                "hs_is_closed": "true",
                "hs_is_closed_won": "true",
            },
        }
    )
    fact = deal_fact(deal, ("3", "12"), "EUR")
    assert (fact.deal_id, fact.name, fact.stage, fact.state) == ("7", "Big one", "closedwon", "won")
    assert (fact.amount, fact.currency, fact.contact_ids) == (Decimal("12.5"), "USD", ("3", "12"))
    assert fact.created_at == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert fact.close_date == datetime.fromtimestamp(1772400000, UTC)
    assert fact.modified_at == datetime(2026, 3, 2, 8, 0, 0, 123000, tzinfo=UTC)

    odd = deal.model_copy(update={"properties": {**deal.properties, "amount": "n/a"}})
    odd.properties.pop("deal_currency_code")
    fact = deal_fact(odd, (), "EUR")
    assert (fact.amount, fact.currency, fact.contact_ids) == (None, "EUR", ())


# -- against the sandbox ----------------------------------------------------------------
def test_the_connector_is_the_reporting_port(hubspot: HubSpotConnector) -> None:
    assert isinstance(hubspot, CrmReporting)


def test_deals_come_with_state_amount_currency_and_contacts(
    crm: HubSpotSandboxServer, hubspot: HubSpotConnector
) -> None:
    won = new_deal(crm, "won", "closedwon", email="kim@example.com", closedate="2026-03-05")
    lost = new_deal(crm, "lost", "closedlost", email="kim@example.com")
    dollars = new_deal(crm, "in dollars", deal_currency_code="USD", amount="80.5")
    alone = new_deal(crm, "no contact", "qualifiedtobuy", amount=None)
    odd = new_deal(crm, "unknown stage", "stage-that-does-not-exist")

    found = {d.deal_id: d for d in every(hubspot.deals_since(None))}

    assert set(found) == {won, lost, dollars, alone, odd}
    contact = found[won].contact_ids
    assert len(contact) == 1 and found[lost].contact_ids == contact
    assert (found[won].state, found[won].amount, found[won].currency) == (
        "won",
        Decimal("100.00"),
        "EUR",  # the sandbox account's currency: the deal names none
    )
    assert found[won].close_date == datetime(2026, 3, 5, tzinfo=UTC)
    assert found[lost].state == "lost"
    assert (found[dollars].currency, found[dollars].amount, found[dollars].state) == (
        "USD",
        Decimal("80.5"),
        "open",
    )
    assert (found[alone].contact_ids, found[alone].amount) == ((), None)
    # HubSpot has no closed flag for a stage no pipeline knows: it counts as open there.
    assert (found[odd].stage, found[odd].state) == ("stage-that-does-not-exist", "open")
    assert all(d.created_at is not None for d in found.values())


def test_only_deals_modified_since_the_watermark_are_read(
    crm: HubSpotSandboxServer, hubspot: HubSpotConnector
) -> None:
    old = new_deal(crm, "old")
    first = every(hubspot.deals_since(None))
    mark = first[0].modified_at + timedelta(milliseconds=1)
    time.sleep(0.01)
    new = new_deal(crm, "new")
    assert [d.deal_id for d in every(hubspot.deals_since(mark))] == [new]

    time.sleep(0.01)
    crm.control("POST", f"deals/{old}/stage", json={"stage": "closedwon"})
    again = every(hubspot.deals_since(mark))
    assert [d.deal_id for d in again] == [new, old]  # oldest change first
    assert again[1].state == "won"
    assert every(hubspot.deals_since(datetime.now(UTC) + timedelta(minutes=1))) == []


def test_contacts_come_with_their_lifecycle_stage_and_segment(
    crm: HubSpotSandboxServer, hubspot: HubSpotConnector
) -> None:
    new_deal(crm, "a", email="ann@example.com")
    found = [c for page in hubspot.contact_segments(None) for c in page]
    assert [(c.lifecycle_stage, c.segment) for c in found] == [("opportunity", None)]
    later = found[0].modified_at + timedelta(milliseconds=1)
    time.sleep(0.01)
    hubspot.update_contact(found[0].contact_id, {"lifecyclestage": "customer"})
    again = [c for page in hubspot.contact_segments(later) for c in page]
    assert [(c.contact_id, c.lifecycle_stage) for c in again] == [(found[0].contact_id, "customer")]


@pytest.fixture
def capped() -> Iterator[HubSpotSandboxServer]:
    """A sandbox whose search stops at 5 results a query (HubSpot: 10,000)."""
    with HubSpotSandboxServer(HubSpotSandboxSettings(rate_max=1000, search_max_results=5)) as s:
        yield s


def test_past_the_search_cap_the_read_starts_again_from_the_newest_stamp(
    capped: HubSpotSandboxServer,
) -> None:
    ids = []
    for n in range(13):
        ids.append(new_deal(capped, f"deal {n}", email=f"c{n % 3}@example.com"))
        time.sleep(0.002)  # a stamp of its own, mostly (ties are what the skip is for)
    connector = HubSpotConnector(capped.url, capped.token, system="crm")
    try:
        reporting = HubSpotReporting(connector.client, page=2, max_results=5)
        pages = list(reporting.deals_since(None))
        got = [d.deal_id for page in pages for d in page]
        assert sorted(got, key=int) == ids  # every deal, none twice
        assert len(got) == len(set(got))
        assert all(len(page) <= 2 for page in pages)
        assert all(len(d.contact_ids) == 1 for page in pages for d in page)

        # Without the restart HubSpot refuses to page past its cap, as the sandbox does.
        stuck = HubSpotReporting(connector.client, page=2, max_results=50)
        with pytest.raises(HubSpotError, match="at most 5 results"):
            every(stuck.deals_since(None))
    finally:
        connector.close()


def test_more_records_at_one_stamp_than_the_cap_is_a_clear_error(
    capped: HubSpotSandboxServer,
) -> None:
    with capped.sandbox.store.lock:  # six deals changed in the same millisecond
        for n in range(6):
            capped.sandbox.store.create("deals", {"dealname": f"d{n}"})
        for record in capped.sandbox.store.objects["deals"].values():
            record.updated_at = "2026-03-01T00:00:00.000Z"
    connector = HubSpotConnector(capped.url, capped.token, system="crm")
    try:
        reporting = HubSpotReporting(connector.client, page=2, max_results=5)
        with pytest.raises(PermanentError, match="same millisecond"):
            every(reporting.deals_since(None))
    finally:
        connector.close()


def test_an_error_of_hubspot_is_raised_with_its_reason(crm: HubSpotSandboxServer) -> None:
    new_deal(crm, "x")
    wrong = HubSpotConnector(crm.url, "pat-wrong-token", system="crm")
    try:
        with pytest.raises(HubSpotError, match="access_token is wrong"):
            every(wrong.deals_since(None))
    finally:
        wrong.close()
