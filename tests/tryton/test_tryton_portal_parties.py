"""ErpPortalParties against the real Tryton 8.2: the console's search for a party to make
a portal company of, a party as its company's admin sees it (e-mail contacts, addresses,
price list), and a delivery address added from the portal; reads in a fixed number of
calls whatever the number of parties."""

from __future__ import annotations

import uuid

import pytest

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.errors import PermanentError
from causeway.model.ports.portal import PartyAddress

pytestmark = pytest.mark.tryton


def calls(tryton: TrytonConnector) -> list[object]:
    seen: list[object] = []
    tryton.rpc.watch(seen.append)
    return seen


def test_a_search_finds_the_party_by_name_or_e_mail_with_its_contacts(tryton) -> None:
    (by_name,) = [p for p in tryton.find_parties("acme retail") if p.name == "Acme Retail Ltd"]
    assert "orders@acme-retail.example" in by_name.emails
    assert ("", "orders@acme-retail.example") in by_name.contacts or any(
        email == "orders@acme-retail.example" for _, email in by_name.contacts
    )
    assert by_name.price_list == "Acme wholesale"
    by_email = tryton.find_parties("orders@acme-retail")
    assert by_name.party_id in [p.party_id for p in by_email]
    assert tryton.find_parties("no party is called this " + uuid.uuid4().hex) == []
    assert tryton.find_parties("   ") == []
    assert tryton.find_parties("%") == [] or all(p.name for p in tryton.find_parties("%"))


def test_a_search_costs_the_same_calls_for_one_party_or_many(tryton) -> None:
    marker = uuid.uuid4().hex[:8]
    tryton.rpc.create(
        "party.party",
        [
            {
                "name": f"Portal test {marker} {n}",
                "contact_mechanisms": [
                    ["create", [{"type": "email", "value": f"buyer{n}@{marker}.example"}]]
                ],
                "addresses": [["create", [{"street": f"{n} High Street", "city": "York"}]]],
            }
            for n in range(12)
        ],
    )
    tryton.find_parties(marker)  # the build's optional fields, read once
    one = calls(tryton)
    assert len(tryton.find_parties(f"{marker} 0", limit=1)) == 1
    for_one = len(one)
    many = calls(tryton)
    found = tryton.find_parties(marker, limit=50)
    assert len(found) == 12 and all(len(p.addresses) == 1 and p.emails for p in found)
    assert len(many) == for_one == 4  # a search, then parties, e-mails, addresses


def test_an_unknown_party_is_none(tryton) -> None:
    assert tryton.portal_party(987654321) is None


def test_a_delivery_address_added_from_the_portal_is_the_partys(tryton) -> None:
    (birch,) = [p for p in tryton.find_parties("Birch Supplies") if p.name == "Birch Supplies"]
    if not tryton.rpc.model("country.country", "search", [("code", "=", "GB")], 0, 1):
        # The build loads no countries (a merchant's Tryton has them: `trytond-admin
        # --all` with the country module's data, or `trytond_import_countries`).
        tryton.rpc.create("country.country", [{"name": "United Kingdom", "code": "GB"}])
    street = f"{uuid.uuid4().hex[:6]} Mill Lane"
    address_id = tryton.add_party_address(
        birch.party_id,
        PartyAddress(
            address_id=0,
            name="Goods in",
            street=street,
            postal_code="LS1 4AP",
            city="Leeds",
            country="GB",
            invoice=False,
            delivery=True,
        ),
    )
    party = tryton.portal_party(birch.party_id)
    (added,) = [a for a in party.addresses if a.address_id == address_id]
    assert (added.street, added.city, added.postal_code, added.country) == (
        street,
        "Leeds",
        "LS1 4AP",
        "GB",
    )
    assert added.delivery and added.name == "Goods in"
    with pytest.raises(PermanentError, match="no country"):
        tryton.add_party_address(
            birch.party_id, PartyAddress(address_id=0, street="x", city="y", country="QQ")
        )
    with pytest.raises(PermanentError, match="no party"):
        tryton.add_party_address(987654321, PartyAddress(address_id=0, street="x", city="y"))
