"""Tryton parties as the B2B portal sees them (ErpPortalParties, model/ports/portal.py):
a business customer's party with its e-mail contacts, addresses, price list and
language; the console's search for the party to make a portal company of; and a new
delivery address added by the company's admin.

Reads are batched: a party or any number of them is one read of the parties, one of
their e-mail contact mechanisms and one of their addresses, so a search that finds 20
parties costs four calls, not sixty. The party's credit position (the port's
credit_position) is read by the checkout's module, not this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.errors import PermanentError
from causeway.model.ports.portal import PartyAddress, PortalParty

PARTY_FIELDS = ["name", "code", "lang.code"]
PRICE_LIST = "sale_price_list"  # sale_price_list module: the party's price list
ADDRESS_FIELDS = [
    "party", "party_name", "street", "postal_code", "city", "country.code",
]  # fmt: skip
ADDRESS_FLAGS = ("invoice", "delivery")  # account_invoice's and stock's, when installed


class PortalParties:
    def __init__(self, rpc: TrytonRPC) -> None:
        self.rpc = rpc
        self._fields: set[str] | None = None  # which optional fields this build has

    def _optional(self) -> set[str]:
        """The optional fields of this build (price list, address flags): read once."""
        if self._fields is None:
            party = self.rpc.model("party.party", "fields_get", [PRICE_LIST])
            address = self.rpc.model("party.address", "fields_get", list(ADDRESS_FLAGS))
            self._fields = {f"party.{n}" for n in party} | {f"address.{n}" for n in address}
        return self._fields

    def parties(self, party_ids: Sequence[int]) -> dict[int, PortalParty]:
        """These parties (those that exist and are active), in three calls whatever
        their number."""
        ids = sorted({int(i) for i in party_ids if int(i) > 0})
        if not ids:
            return {}
        optional = self._optional()
        fields = PARTY_FIELDS + (
            [f"{PRICE_LIST}.name"] if f"party.{PRICE_LIST}" in optional else []
        )
        records = self.rpc.search_read("party.party", [("id", "in", ids)], fields)
        if not records:
            return {}
        found_ids = [int(r["id"]) for r in records]
        contacts = self._email_contacts(found_ids)
        addresses = self._addresses(found_ids, optional)
        parties = {}
        for record in records:
            party_id = int(record["id"])
            mine = contacts.get(party_id, [])
            parties[party_id] = PortalParty(
                party_id=party_id,
                name=record["name"],
                code=record.get("code"),
                emails=tuple(dict.fromkeys(email for _, email in mine)),
                contacts=tuple(mine),
                addresses=tuple(addresses.get(party_id, [])),
                price_list=(record.get(f"{PRICE_LIST}.") or {}).get("name"),
                language=(record.get("lang.") or {}).get("code"),
            )
        return parties

    def _email_contacts(self, party_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
        """party -> (name, e-mail) of its e-mail contact mechanisms, in their order."""
        records = self.rpc.search_read(
            "party.contact_mechanism",
            [("party", "in", party_ids), ("type", "=", "email")],
            ["party", "name", "value"],
            order=[("sequence", "ASC"), ("id", "ASC")],
        )
        found: dict[int, list[tuple[str, str]]] = {}
        for record in records:
            email = (record.get("value") or "").strip().lower()
            if email:
                found.setdefault(int(record["party"]), []).append((record.get("name") or "", email))
        return found

    def _addresses(self, party_ids: list[int], optional: set[str]) -> dict[int, list[PartyAddress]]:
        flags = [f for f in ADDRESS_FLAGS if f"address.{f}" in optional]
        records = self.rpc.search_read(
            "party.address",
            [("party", "in", party_ids)],
            ADDRESS_FIELDS + flags,
            order=[("sequence", "ASC"), ("id", "ASC")],
        )
        found: dict[int, list[PartyAddress]] = {}
        for record in records:
            found.setdefault(int(record["party"]), []).append(_address(record, flags))
        for addresses in found.values():
            # Tryton's rule: with no address flagged for a use, any address serves it.
            for flag in flags:
                if not any(getattr(a, flag) for a in addresses):
                    addresses[:] = [a.model_copy(update={flag: True}) for a in addresses]
        return found

    def party(self, party_id: int) -> PortalParty | None:
        return self.parties([party_id]).get(party_id)

    def find(self, text: str, limit: int = 20) -> list[PortalParty]:
        """Parties whose name, code or an e-mail contains `text` (case-insensitive), by
        name: one search and the three reads of parties()."""
        text = text.strip()
        if not text:
            return []
        pattern = f"%{text.replace('%', '').replace('_', '')}%"
        domain: list[Any] = [
            "OR",
            ("name", "ilike", pattern),
            ("code", "ilike", pattern),
            ("contact_mechanisms.value", "ilike", pattern),
        ]
        ids = self.rpc.model(
            "party.party", "search", domain, 0, max(1, min(limit, 100)), [["name", "ASC"]]
        )
        found = self.parties(ids)
        return [found[int(i)] for i in ids if int(i) in found]

    def add_address(self, party_id: int, address: PartyAddress) -> int:
        """A new delivery address on the party (its id)."""
        if not self.rpc.model("party.party", "search", [("id", "=", party_id)], 0, 1):
            raise PermanentError(f"Tryton has no party {party_id}")
        values: dict[str, Any] = {
            "party": party_id,
            "street": address.street or "",
            "postal_code": address.postal_code or "",
            "city": address.city or "",
        }
        if address.name:
            values["party_name"] = address.name
        if address.country:
            countries = self.rpc.model(
                "country.country", "search", [("code", "=", address.country.upper())], 0, 1
            )
            if not countries:
                raise PermanentError(f"Tryton knows no country with the code {address.country!r}")
            values["country"] = int(countries[0])
        optional = self._optional()
        for flag in ADDRESS_FLAGS:
            if f"address.{flag}" in optional:
                values[flag] = bool(getattr(address, flag))
        (address_id,) = self.rpc.create("party.address", [values])
        return int(address_id)


def _address(record: dict[str, Any], flags: list[str]) -> PartyAddress:
    return PartyAddress(
        address_id=int(record["id"]),
        name=record.get("party_name") or None,
        street=(record.get("street") or "").strip() or None,
        postal_code=record.get("postal_code") or None,
        city=record.get("city") or None,
        country=(record.get("country.") or {}).get("code"),
        **{flag: bool(record.get(flag)) for flag in flags},
    )
