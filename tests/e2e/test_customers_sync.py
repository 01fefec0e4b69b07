"""The golden customer kept in step: a phone changed in the CRM reaches the ERP's party,
the ERP's payment term reaches the CRM and stays the ERP's, and a late (older) CRM
change overwrites nothing. The hub in-process, the real Tryton, the Shopify sandbox
and the HubSpot sandbox."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from causeway.connectors.hubspot.connector import HubSpotConnector
from causeway.connectors.hubspot.webhooks import sign_v3
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.connectors.tryton.parties import has_credit_limit
from causeway.engine import golden_records, links
from causeway.flows import customers_sync, customers_to_crm
from causeway.hub import Hub
from causeway_sandbox.hubspot.server import HubSpotSandboxServer
from causeway_sandbox.hubspot.settings import HubSpotSandboxSettings
from causeway_sandbox.shopify import SandboxServer
from causeway_sandbox.tryton.server import TrytonServer
from tests.e2e.harness import CRM_SECRET, crm_system, hub_config, new_port, serving

pytestmark = pytest.mark.tryton

WATCHED = ["phone", "email", "firstname", "lastname", "causeway_payment_terms"]


@dataclass
class Running:
    hub: Hub
    url: str  # the hub's webhook endpoint for the CRM


@pytest.fixture
def crm() -> Iterator[HubSpotSandboxServer]:
    settings = HubSpotSandboxSettings(rate_max=1000, client_secret=CRM_SECRET)
    with HubSpotSandboxServer(settings) as server:
        yield server


@pytest.fixture
def running(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    crm: HubSpotSandboxServer,
    prefix: str,
) -> Iterator[Running]:
    port = new_port()
    config = hub_config(tmp_path, tryton_server, sandbox.url, port, prefix=prefix)
    config["systems"]["crm"] = crm_system(crm)
    config["flows"]["customers-to-crm"] = {"source": "shop", "target": "crm", "every": "1h"}
    config["flows"]["customers-sync"] = {"source": "erp", "target": "crm", "every": "1h"}
    subscriptions = [{"eventType": "contact.propertyChange", "propertyName": p} for p in WATCHED]
    with serving(config, shop, ["orders/create", "orders/updated"]) as (hub, server):
        crm.control(
            "POST",
            "webhooks",
            json={"target_url": f"{server.url}/webhooks/crm", "subscriptions": subscriptions},
        )
        yield Running(hub, f"{server.url}/webhooks/crm")


@pytest.fixture
def erp(tryton_server: TrytonServer) -> Iterator[TrytonConnector]:
    connector = TrytonConnector(
        tryton_server.url, tryton_server.database, tryton_server.username, tryton_server.password
    )
    yield connector
    connector.close()


@dataclass
class Customer:
    golden_id: str
    party_id: int
    contact_id: str


def customer_everywhere(
    running: Running, shop: httpx.Client, crm: HubSpotSandboxServer, email: str
) -> Customer:
    """A store order of Ana Lima: it reaches the ERP (a party) and the CRM (a contact),
    then customers-sync links the party to her golden record."""
    hub = running.hub
    shop.post(
        "/_sandbox/orders",
        json={
            "lines": [{"sku": "WID-001", "quantity": 1}],
            "email": email,
            "first_name": "Ana",
            "last_name": "Lima",
            "phone": "+1 (502) 555-0123",
        },
    ).raise_for_status()
    shop.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
    hub.new_worker().run_until_idle(timeout=120)
    hub.run_flow(customers_to_crm.NAME)
    hub.new_worker().run_until_idle(timeout=120)
    sync(running, crm)
    with hub.store.read() as conn:
        (contact,) = links.all_of_type(conn, "crm", "contact").values()
        (party,) = links.all_of_type(conn, "erp", "customer").values()
    assert party.hub_id == contact.hub_id
    return Customer(contact.hub_id, int(party.external_id), contact.external_id)


def sync(running: Running, crm: HubSpotSandboxServer) -> None:
    """A scheduled run of customers-sync, and the CRM webhooks its writes cause."""
    running.hub.run_flow(customers_sync.NAME)
    running.hub.new_worker().run_until_idle(timeout=120)
    deliver_crm_webhooks(running, crm)


def deliver_crm_webhooks(running: Running, crm: HubSpotSandboxServer) -> None:
    crm.control("POST", "webhooks/wait", params={"timeout": 30})
    running.hub.new_worker().run_until_idle(timeout=120)


def contact(crm: HubSpotSandboxServer, contact_id: str) -> dict[str, Any]:
    return crm.control("GET", f"objects/contacts/{contact_id}").json()  # type: ignore[no-any-return]


def party_details(erp: TrytonConnector, party_id: int) -> dict[str, Any]:
    found = erp.rpc.search_read(
        "party.contact_mechanism", [("party", "=", party_id)], ["type", "value"]
    )
    (party,) = erp.rpc.read("party.party", [party_id], ["customer_payment_term.name"])
    return {
        "phones": sorted(m["value"] for m in found if m["type"] == "phone"),
        "emails": sorted(m["value"] for m in found if m["type"] == "email"),
        "payment_terms": (party.get("customer_payment_term.") or {}).get("name"),
    }


def golden(running: Running, customer_id: str) -> dict[str, Any]:
    with running.hub.store.read() as conn:
        return golden_records.load(conn, customer_id).record.plain()


def late_crm_event(
    running: Running, contact_id: str, prop: str, value: str, occurred_at: float, event_id: int
) -> None:
    """A HubSpot delivery of a change that happened at `occurred_at` (a retry arriving
    late), signed like HubSpot signs."""
    body = json.dumps(
        [
            {
                "eventId": event_id,
                "subscriptionId": 1,
                "portalId": running.hub.config.systems["crm"].portal_id,  # type: ignore[union-attr]
                "occurredAt": int(occurred_at * 1000),
                "subscriptionType": "contact.propertyChange",
                "attemptNumber": 3,
                "objectId": int(contact_id),
                "propertyName": prop,
                "propertyValue": value,
                "changeSource": "CRM_UI",
            }
        ]
    ).encode()
    stamp = str(int(time.time() * 1000))
    signature = sign_v3(CRM_SECRET, "POST", running.url, body, stamp)
    response = httpx.post(
        running.url,
        content=body,
        headers={
            "content-type": "application/json",
            "x-hubspot-signature-v3": signature,
            "x-hubspot-request-timestamp": stamp,
        },
    )
    response.raise_for_status()
    running.hub.new_worker().run_until_idle(timeout=60)


def test_a_phone_changed_in_the_crm_reaches_the_erp_party(
    running: Running,
    shop: httpx.Client,
    crm: HubSpotSandboxServer,
    hubspot: HubSpotConnector,
    erp: TrytonConnector,
    prefix: str,
) -> None:
    ana = customer_everywhere(running, shop, crm, f"{prefix}ana@example.com")
    assert party_details(erp, ana.party_id)["phones"] == ["+1 (502) 555-0123"]

    hubspot.update_contact(ana.contact_id, {"phone": "+1 502 555 0199"})
    deliver_crm_webhooks(running, crm)

    details = party_details(erp, ana.party_id)
    assert details["phones"] == ["+15025550199"]
    assert details["emails"] == [f"{prefix}ana@example.com"]
    assert golden(running, ana.golden_id)["phone"] == "+15025550199"
    assert running.hub.jobs.dead() == []

    # Another run reads the party again: its phone is the golden one, nothing is written.
    with running.hub.store.transaction() as conn:
        conn.exec_driver_sql("DELETE FROM cursors WHERE stream LIKE 'customers-sync%'")
    before = contact(crm, ana.contact_id)["updatedAt"]
    sync(running, crm)
    assert party_details(erp, ana.party_id)["phones"] == ["+15025550199"]
    assert contact(crm, ana.contact_id)["updatedAt"] == before


def test_the_erps_payment_term_wins_over_a_crm_edit_and_the_contact_shows_it(
    running: Running,
    shop: httpx.Client,
    crm: HubSpotSandboxServer,
    hubspot: HubSpotConnector,
    erp: TrytonConnector,
    prefix: str,
) -> None:
    ana = customer_everywhere(running, shop, crm, f"{prefix}ana@example.com")
    term_name = f"Net 30 {prefix}"
    (term_id,) = erp.rpc.create(
        "account.invoice.payment_term",
        [{"name": term_name, "lines": [["create", [{"type": "remainder"}]]]}],
    )
    # The credit controller sets Ana's payment term in the ERP.
    erp.rpc.write("party.party", [ana.party_id], {"customer_payment_term": term_id})
    sync(running, crm)
    assert contact(crm, ana.contact_id)["properties"]["causeway_payment_terms"] == term_name
    assert golden(running, ana.golden_id)["payment_terms"] == term_name

    # A sales rep types other terms on the contact: the ERP owns them, the contact is
    # put back, the party keeps its term.
    hubspot.update_contact(ana.contact_id, {"causeway_payment_terms": "Due on receipt"})
    deliver_crm_webhooks(running, crm)
    assert contact(crm, ana.contact_id)["properties"]["causeway_payment_terms"] == term_name
    assert golden(running, ana.golden_id)["payment_terms"] == term_name
    assert party_details(erp, ana.party_id)["payment_terms"] == term_name
    assert running.hub.jobs.dead() == []


def test_an_older_crm_change_arriving_late_overwrites_nothing(
    running: Running,
    shop: httpx.Client,
    crm: HubSpotSandboxServer,
    hubspot: HubSpotConnector,
    erp: TrytonConnector,
    prefix: str,
) -> None:
    ana = customer_everywhere(running, shop, crm, f"{prefix}ana@example.com")
    hubspot.update_contact(ana.contact_id, {"phone": "+1 502 555 0199"})
    deliver_crm_webhooks(running, crm)
    before = contact(crm, ana.contact_id)["updatedAt"]

    # HubSpot retries an hour-old change of the phone, and an old payment term.
    an_hour_ago = time.time() - 3600
    late_crm_event(running, ana.contact_id, "phone", "+1 502 555 0111", an_hour_ago, 9001)
    late_crm_event(running, ana.contact_id, "causeway_payment_terms", "Net 90", an_hour_ago, 9002)

    assert golden(running, ana.golden_id)["phone"] == "+15025550199"
    assert golden(running, ana.golden_id).get("payment_terms") != "Net 90"
    assert party_details(erp, ana.party_id)["phones"] == ["+15025550199"]
    shown = contact(crm, ana.contact_id)
    assert shown["properties"]["phone"] == "+1 502 555 0199"  # as the rep typed it
    assert shown["properties"].get("causeway_payment_terms") != "Net 90"
    assert shown["updatedAt"] == before  # nothing to correct: the contact was right
    assert running.hub.jobs.dead() == []


def test_a_malformed_crm_value_is_parked_with_its_reason_and_blocks_no_other_change(
    running: Running,
    shop: httpx.Client,
    crm: HubSpotSandboxServer,
    hubspot: HubSpotConnector,
    erp: TrytonConnector,
    prefix: str,
) -> None:
    ana = customer_everywhere(running, shop, crm, f"{prefix}ana@example.com")
    late_crm_event(running, ana.contact_id, "causeway_credit_limit", "lots", time.time(), 9101)
    hubspot.update_contact(ana.contact_id, {"phone": "+1 502 555 0177"})
    deliver_crm_webhooks(running, crm)

    (dead,) = running.hub.jobs.dead()
    assert dead["flow"] == customers_sync.NAME
    assert "credit_limit" in dead["last_error"] and ana.contact_id in dead["last_error"]
    assert party_details(erp, ana.party_id)["phones"] == ["+15025550177"]


def test_the_erps_credit_limit_reaches_the_contact_and_survives_an_older_crm_value(
    running: Running,
    shop: httpx.Client,
    crm: HubSpotSandboxServer,
    erp: TrytonConnector,
    prefix: str,
) -> None:
    if not has_credit_limit(erp.rpc):
        pytest.skip("this Tryton build predates account_credit_limit: rebuild it (make tryton)")
    ana = customer_everywhere(running, shop, crm, f"{prefix}ana@example.com")
    erp.rpc.write("party.party", [ana.party_id], {"credit_limit_amount": Decimal("5000")})
    sync(running, crm)
    assert contact(crm, ana.contact_id)["properties"]["causeway_credit_limit"] == "5000.00"
    assert golden(running, ana.golden_id)["credit_limit"] == "5000.00"

    # A week-old edit of the limit in the CRM arrives: the ERP owns it, nothing changes.
    before = contact(crm, ana.contact_id)["updatedAt"]
    week_ago = time.time() - 7 * 86400
    late_crm_event(running, ana.contact_id, "causeway_credit_limit", "9000", week_ago, 9201)
    assert golden(running, ana.golden_id)["credit_limit"] == "5000.00"
    assert contact(crm, ana.contact_id)["updatedAt"] == before
    (party,) = erp.rpc.read("party.party", [ana.party_id], ["credit_limit_amount"])
    assert Decimal(str(party["credit_limit_amount"])) == Decimal("5000")
    assert running.hub.jobs.dead() == []
