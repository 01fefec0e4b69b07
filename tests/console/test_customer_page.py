"""Page 5, Customer: a service rep reads one customer across the systems; an operator
undoes a wrong merge, and the audit log shows who did it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from causeway.engine import audit
from causeway.hub import Hub
from tests.console.conftest import client_with_key, console_hub
from tests.entity_records import CRM, CUSTOMER_FLOWS, Ada, FakeCrm, ada_with_history


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    hub = console_hub(tmp_path, CUSTOMER_FLOWS)
    hub.connectors[CRM] = FakeCrm({"9001": "1"})  # the CRM port, read live by the page
    yield hub
    hub.store.dispose()


@pytest.fixture
def ada(hub: Hub) -> Ada:
    return ada_with_history(hub.store)


def test_a_viewer_sees_the_golden_record_orders_figures_contact_and_cases(
    hub: Hub, ada: Ada
) -> None:
    answer = client_with_key(hub, "read").get(f"/console/customers/{ada.customer_id}")
    assert answer.status_code == 200
    page = answer.text
    assert "<h1>Augusta Lovelace</h1>" in page
    assert "crm owns this field: its value always wins" in page  # which rule won
    assert "woo (record" in page and "A." in page  # the merged record's losing value
    assert 'href="/console/orders/shop/1001">#1001</a>' in page
    assert "SO-7" in page
    assert "<td>in the ERP</td>" in page and "in_erp" not in page  # where it stands, in words
    assert "25.00 USD" in page  # lifetime value with its currency
    assert "<strong>new</strong>" in page  # RFM segment
    assert 'href="https://app.hubspot.com/contacts/62515/record/0-1/501"' in page
    assert "ticket 9001" in page and "Where is my parcel?" in page and "open (stage 1)" in page
    assert "Undo this merge" not in page  # a viewer has no button to press


def test_a_viewer_cannot_undo_a_merge(hub: Hub, ada: Ada) -> None:
    answer = client_with_key(hub, "read").post(
        f"/console/customers/{ada.customer_id}/merges/{ada.merge_id}/undo"
    )
    assert answer.status_code == 403
    assert (
        client_with_key(hub, "read").get(f"/console/customers/{ada.merged_id}").status_code == 303
    )
    assert audit.recent(hub.store, action="customer.merge.undo") == []


def test_an_operator_undoes_a_merge_and_the_audit_log_says_so(hub: Hub, ada: Ada) -> None:
    operator = client_with_key(hub, "run")
    page = operator.get(f"/console/customers/{ada.customer_id}").text
    assert f'action="/console/customers/{ada.customer_id}/merges/{ada.merge_id}/undo"' in page
    assert "Undo this merge" in page

    answer = operator.post(f"/console/customers/{ada.customer_id}/merges/{ada.merge_id}/undo")

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/console/customers/{ada.customer_id}"
    back = operator.get(f"/console/customers/{ada.merged_id}")  # its own record again
    assert back.status_code == 200 and "w-9" in back.text
    [entry] = audit.recent(hub.store, action="customer.merge.undo")
    assert entry.actor.startswith("key:console-run")
    assert entry.before[ada.merged_id]["merged_into"] == ada.customer_id
    assert entry.after[ada.merged_id]["merged_into"] is None
    assert "undone" in operator.get(f"/console/customers/{ada.customer_id}").text

    again = operator.post(f"/console/customers/{ada.customer_id}/merges/{ada.merge_id}/undo")
    assert again.status_code == 409 and "was already undone" in again.text


def test_a_merged_away_id_goes_to_the_survivor(hub: Hub, ada: Ada) -> None:
    answer = client_with_key(hub, "read").get(f"/console/customers/{ada.merged_id}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/console/customers/{ada.customer_id}"


def test_an_unknown_customer_is_a_readable_404_page(hub: Hub) -> None:
    answer = client_with_key(hub, "read").get("/console/customers/nobody-here")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "The hub has no customer nobody-here" in answer.text


def test_a_crm_that_does_not_answer_is_said_and_the_rest_still_shows(hub: Hub, ada: Ada) -> None:
    hub.connectors[CRM] = FakeCrm(down=True)
    answer = client_with_key(hub, "read").get(f"/console/customers/{ada.customer_id}")
    assert answer.status_code == 200
    assert "crm did not answer: HubSpot did not answer: connection refused" in answer.text
    assert "#1001" in answer.text and "ticket 9001" in answer.text and "not known" in answer.text
