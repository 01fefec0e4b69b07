"""Tryton parties as customers: what the ERP says about them, and the contact details
the hub keeps in step on them.

The ERP owns a customer's payment term (party.customer_payment_term, a per-company
value of the party) and, with the account_credit_limit module, their credit limit
(party.credit_limit_amount; read only when the build has the module); the CRM owns
the email and phone, which live on the party's contact mechanisms. Reading is one
search of the parties written since a cursor plus one read of their contact
mechanisms; writing compares first, so a value the party already has is never
written again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.mapping import latest_stamp
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.customers import normalise
from causeway.errors import MissingMasterDataError
from causeway.model.ports.erp import PartyCustomer

PARTY_FIELDS = [
    "name",
    "write_date",
    "create_date",
    "contact_mechanisms",
    "customer_payment_term.name",
]
CREDIT_LIMIT = "credit_limit_amount"  # account_credit_limit
# The golden fields a party's contact mechanisms hold, by mechanism type.
MECHANISM_OF = {"email": "email", "phone": "phone"}


def has_credit_limit(rpc: TrytonRPC) -> bool:
    """Whether the party model has the credit limit (account_credit_limit installed)."""
    return CREDIT_LIMIT in rpc.model("party.party", "fields_get", [CREDIT_LIMIT])


def _mechanisms(rpc: TrytonRPC, ids: list[int]) -> dict[int, dict[str, str]]:
    """party id -> mechanism type -> the first value of that type (by sequence)."""
    if not ids:
        return {}
    found: dict[int, dict[str, str]] = {}
    records = rpc.search_read(
        "party.contact_mechanism",
        [("id", "in", ids), ("type", "in", list(MECHANISM_OF.values()))],
        ["party", "type", "value"],
        order=[("sequence", "ASC"), ("id", "ASC")],
    )
    for record in records:
        found.setdefault(int(record["party"]), {}).setdefault(record["type"], record["value"])
    return found


def customers_since(
    rpc: TrytonRPC, since: dt.datetime | None, *, credit_limit: bool = False
) -> tuple[list[PartyCustomer], dt.datetime | None]:
    """Parties with an email, created or written at or after `since` (all when None),
    oldest first, and the latest timestamp seen (the next cursor). A party without an
    email is no customer the hub can match."""
    domain: list[Any] = [("contact_mechanisms.type", "=", "email")]
    if since is not None:
        naive = since.astimezone(dt.UTC).replace(tzinfo=None)
        domain.append(["OR", ("write_date", ">=", naive), ("create_date", ">=", naive)])
    fields = PARTY_FIELDS + ([CREDIT_LIMIT] if credit_limit else [])
    records = rpc.search_read(
        "party.party", domain, fields, order=[("write_date", "ASC"), ("id", "ASC")]
    )
    mechanisms = _mechanisms(rpc, [m for r in records for m in r.get("contact_mechanisms") or []])
    parties = []
    for record in records:
        held = mechanisms.get(record["id"], {})
        stamp: dt.datetime = record.get("write_date") or record["create_date"]
        term = record.get("customer_payment_term.") or {}
        parties.append(
            PartyCustomer(
                id=record["id"],
                name=record["name"],
                changed_at=stamp.replace(tzinfo=dt.UTC),
                email=held.get("email"),
                phone=held.get("phone"),
                payment_terms=term.get("name"),
                credit_limit=_amount(record.get(CREDIT_LIMIT)),
            )
        )
    parties.sort(key=lambda p: (p.changed_at, p.id))
    return parties, latest_stamp(records)


def _amount(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _same(kind: str, held: str | None, wanted: str, region: str) -> bool:
    if held is None:
        return False
    if kind == "email":
        return (normalise.email(held) or held.strip().lower()) == wanted.strip().lower()
    # "+1 502-555-0199" on the party is the number the hub holds as "+15025550199".
    return (normalise.phone(held, region) or held.strip()) == (
        normalise.phone(wanted, region) or wanted.strip()
    )


def update_contact_details(
    rpc: TrytonRPC, party_id: int, values: Mapping[str, Any], region: str = "US"
) -> list[str]:
    """Give the party these email/phone values: the first mechanism of that type is
    rewritten, or one is added. Returns the fields written (none when all were held)."""
    wanted = {f: str(v) for f, v in values.items() if f in MECHANISM_OF and v}
    if not wanted:
        return []
    parties = rpc.read("party.party", [party_id], ["contact_mechanisms"])
    if not parties:
        raise MissingMasterDataError(f"Tryton party {party_id} does not exist any more")
    ids = parties[0].get("contact_mechanisms") or []
    records = (
        rpc.search_read(
            "party.contact_mechanism",
            [("id", "in", ids)],
            ["type", "value"],
            order=[("sequence", "ASC"), ("id", "ASC")],
        )
        if ids
        else []
    )
    written = []
    for field, value in sorted(wanted.items()):
        kind = MECHANISM_OF[field]
        same_kind = [r for r in records if r["type"] == kind]
        if any(_same(kind, r["value"], value, region) for r in same_kind[:1]):
            continue
        if same_kind:
            rpc.write("party.contact_mechanism", [same_kind[0]["id"]], {"value": value})
        else:
            rpc.create(
                "party.contact_mechanism", [{"party": party_id, "type": kind, "value": value}]
            )
        written.append(field)
    return written
