"""customers-sync's decisions: which contact change is which golden field, who wins
between the CRM and the ERP, and what is written where (nothing a system already shows)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.config.customers import CustomerSettings
from causeway.connectors.hubspot.webhooks import crm_change
from causeway.customers.record import GoldenRecord
from causeway.customers.survivorship import apply
from causeway.customers.system_fields import contact_change, contact_topics, crm_writes, fields_for
from causeway.engine.schedule import REALTIME
from causeway.errors import ConfigError, InvalidPayloadError

SETTINGS = CustomerSettings()


def event(prop: str, value: str | None, occurred_ms: int = 1_700_000_000_000) -> dict[str, Any]:
    """A contact.propertyChange as HubSpot sends it (read by the connector: crm_change)."""
    return {
        "eventId": 1,
        "occurredAt": occurred_ms,
        "subscriptionType": "contact.propertyChange",
        "objectId": 512,
        "propertyName": prop,
        "propertyValue": value,
    }


def test_a_contact_change_names_the_golden_field_and_hubspots_time() -> None:
    assert contact_change(crm_change(event("phone", " +1 502 555 0199 "))) == (
        "512",
        "phone",
        "+1 502 555 0199",
        1_700_000_000.0,
    )
    assert contact_change(crm_change(event("causeway_payment_terms", "Net 30")))[1] == (
        "payment_terms"
    )
    assert contact_change(crm_change(event("lastname", "")))[2] is None  # cleared: says nothing


def test_a_change_of_a_property_the_hub_does_not_keep_is_refused_by_name() -> None:
    with pytest.raises(InvalidPayloadError, match="hs_lead_status"):
        contact_change(crm_change(event("hs_lead_status", "NEW")))
    with pytest.raises(InvalidPayloadError, match="occurredAt"):
        crm_change({k: v for k, v in event("phone", "1").items() if k != "occurredAt"})


def test_the_flow_listens_to_the_crm_owned_and_the_erp_owned_properties() -> None:
    topics = contact_topics()
    assert "contact.propertyChange.phone" in topics
    assert "contact.propertyChange.causeway_payment_terms" in topics
    assert not any("address" in t for t in topics)


def offer(record: GoldenRecord, system: str, at: float, **values: Any) -> dict[str, Any]:
    return apply(record, values, system, at, SETTINGS)


def test_an_older_crm_phone_never_overwrites_a_newer_one() -> None:
    record = GoldenRecord()
    offer(record, "crm", 200.0, phone="+15025550199")
    assert offer(record, "crm", 100.0, phone="+15025550111") == {}
    assert record.value("phone") == "+15025550199"


def test_the_erp_keeps_payment_terms_and_credit_limit_whatever_the_crm_sends() -> None:
    record = GoldenRecord()
    offer(record, "erp", 100.0, payment_terms="Net 30", credit_limit="5000")
    # Newer or older, the CRM's value loses to the owner's.
    assert offer(record, "crm", 300.0, payment_terms="Due on receipt") == {}
    assert offer(record, "crm", 50.0, credit_limit="9000") == {}
    assert record.value("payment_terms") == "Net 30"
    assert record.credit_limit() == Decimal("5000")


def test_the_crm_owns_the_phone_even_against_a_newer_erp_value() -> None:
    record = GoldenRecord()
    offer(record, "crm", 100.0, phone="+15025550199")
    assert offer(record, "erp", 500.0, phone="+15025550123") == {}


def test_each_system_is_checked_for_what_its_peer_owns_and_what_it_was_told() -> None:
    updates = {"crm": {"phone": "+15025550199"}}
    assert fields_for("erp", "erp", "crm", updates) == {"email", "phone"}
    assert fields_for("crm", "erp", "crm", updates) == {"payment_terms", "credit_limit", "phone"}
    assert fields_for("shop", "erp", "crm", updates) == set()


def test_the_contact_gets_only_values_it_does_not_already_show() -> None:
    golden = {"payment_terms": "Net 30", "credit_limit": "5000.00", "phone": "+15025550199"}
    fields = {"payment_terms", "credit_limit", "phone", "email"}
    held = {"causeway_payment_terms": "Net 30", "causeway_credit_limit": "5000", "phone": None}
    assert crm_writes(golden, fields, held) == {"phone": "+15025550199"}
    # The same number spelled as a rep typed it is no change; no golden email: not blanked.
    held["phone"] = "+1 (502) 555-0199"
    assert crm_writes(golden, fields, held) == {}
    held["causeway_payment_terms"] = "Due on receipt"
    assert crm_writes(golden, fields, held) == {"causeway_payment_terms": "Net 30"}


def test_customers_sync_reads_the_erp_and_writes_the_crm(tmp_path: Path) -> None:
    systems = {
        "erp": {
            "type": "tryton",
            "url": "http://127.0.0.1:9",
            "database": "d",
            "username": "u",
            "password": "p",
        },
        "crm": {
            "type": "hubspot",
            "base_url": "http://127.0.0.1:9",
            "access_token": "t",
            "client_secret": "s",
            "portal_id": 62515,
        },
    }
    store = {"url": f"sqlite:///{tmp_path / 'hub.db'}"}
    flows = {"customers-sync": {"source": "erp", "target": "crm"}}
    server = {"public_url": "https://hub.example.com"}
    parsed = parse_config({"store": store, "server": server, "systems": systems, "flows": flows})
    sync = parsed.flows.customers_sync
    assert sync is not None
    schedule = sync.effective_schedule()
    assert (schedule.mode, schedule.every_seconds) == (REALTIME, 300)
    with pytest.raises(ConfigError, match=r"customers-sync\.target: system 'erp'"):
        parse_config(
            {
                "store": store,
                "server": server,
                "systems": systems,
                "flows": {"customers-sync": {**flows["customers-sync"], "target": "erp"}},
            }
        )
