"""Default associations (associations v4) through the connector, against the sandbox."""

from __future__ import annotations

import pytest

from causeway.connectors.hubspot.connector import HubSpotConnector
from causeway.errors import PermanentError


def ticket(hubspot: HubSpotConnector) -> str:
    _, body = hubspot.client.request(
        "POST",
        "/crm/v3/objects/tickets",
        json={"properties": {"subject": "Broken mug", "hs_pipeline_stage": "1"}},
    )
    return str(body["id"])


def test_a_ticket_associated_with_a_contact_is_seen_from_both_sides_once(
    hubspot: HubSpotConnector,
) -> None:
    (contact,) = hubspot.upsert_contacts([{"email": "mug@example.com"}]).results
    ticket_id = ticket(hubspot)

    hubspot.associate("tickets", ticket_id, "contacts", contact.id)
    hubspot.associate("tickets", ticket_id, "contacts", contact.id)  # harmless twice

    assert hubspot.associated_ids("tickets", ticket_id, "contacts") == [contact.id]
    assert hubspot.associated_ids("contacts", contact.id, "tickets") == [ticket_id]


def test_the_answer_has_hubspots_batch_shape_with_the_default_type(
    hubspot: HubSpotConnector,
) -> None:
    (contact,) = hubspot.upsert_contacts([{"email": "shape@example.com"}]).results
    ticket_id = ticket(hubspot)
    status, body = hubspot.client.request(
        "PUT",
        f"/crm/v4/objects/tickets/{ticket_id}/associations/default/contacts/{contact.id}",
    )
    assert status == 200
    assert body["status"] == "COMPLETE"
    (result,) = body["results"]
    assert result["from"]["id"] == ticket_id and result["to"]["id"] == contact.id
    assert result["associationSpec"] == {
        "associationCategory": "HUBSPOT_DEFINED",
        "associationTypeId": 16,
    }


def test_associating_with_a_missing_contact_names_both_objects(
    hubspot: HubSpotConnector,
) -> None:
    ticket_id = ticket(hubspot)
    with pytest.raises(PermanentError, match=f"tickets {ticket_id} with contacts 999999"):
        hubspot.associate("tickets", ticket_id, "contacts", "999999")
