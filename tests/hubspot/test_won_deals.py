"""Reading won deals for quotes-to-erp: the reconciling search and a deal with its customer."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from causeway.connectors.hubspot.connector import HubSpotConnector
from causeway.connectors.hubspot.deals import modified_at
from causeway_sandbox.hubspot.server import HubSpotSandboxServer


def new_deal(crm: HubSpotSandboxServer, name: str, stage: str, email: str | None = None) -> str:
    body: dict[str, object] = {
        "dealname": name,
        "dealstage": stage,
        "line_items": [{"hs_sku": "WID-001", "name": "Widget", "price": "9.50", "quantity": "2"}],
    }
    if email:
        body["contact"] = {"email": email, "firstname": "Kim", "lastname": "Lee"}
    return str(crm.control("POST", "deals", json=body).json()["id"])


def test_the_search_finds_won_deals_modified_since_the_watermark_only(
    crm: HubSpotSandboxServer, hubspot: HubSpotConnector
) -> None:
    old = new_deal(crm, "won long ago", "closedwon")
    new_deal(crm, "still open", "qualifiedtobuy")
    everything = hubspot.deals_won_since(None)
    assert [d.id for d in everything] == [old]
    watermark = modified_at(everything[0]) + timedelta(milliseconds=1)

    time.sleep(0.01)
    later = new_deal(crm, "won just now", "appointmentscheduled")
    crm.control("POST", f"deals/{later}/stage", json={"stage": "closedwon"})

    found = hubspot.deals_won_since(watermark)
    assert [d.id for d in found] == [later]
    assert found[0].get("dealstage") == "closedwon"
    assert modified_at(found[0]) >= watermark
    assert hubspot.deals_won_since(datetime.now(UTC) + timedelta(minutes=1)) == []


def test_a_deal_is_read_with_its_line_items_and_its_contact(
    crm: HubSpotSandboxServer, hubspot: HubSpotConnector
) -> None:
    deal_id = new_deal(crm, "ACME order", "closedwon", email="Kim.Lee@ACME.example")
    deal, contact = hubspot.deal_with_contact(deal_id)
    assert deal.stage == "closedwon"
    assert [(i.sku, i.quantity, str(i.price)) for i in deal.line_items] == [("WID-001", 2, "9.50")]
    assert contact is not None
    assert (contact.get("email"), contact.get("firstname")) == ("kim.lee@acme.example", "Kim")

    alone = new_deal(crm, "no customer", "closedwon")
    assert hubspot.deal_with_contact(alone)[1] is None
