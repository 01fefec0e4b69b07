"""Two portal companies with records of their own, for the isolation tests to attack:
"Acme Retail Ltd" (company A: the attackers sign in there) and "Birch Supplies"
(company B: the victim), both from the Tryton build (scripts/tryton/setup_business.py).

Each company gets, in the real Tryton over RPC: a delivery address, a sale confirmed,
shipped (with a tracking number) and invoiced (the invoice posted), with sale and invoice
numbers of their own (prefixes SOA-/SOB-, INA-/INB-) so that a page showing one can be
caught; and in the hub: members of each role, cart lines, and two checkouts (one waiting
for approval, one placed as the sale). `Side.values` are the ids and numbers of a
company's records by what they name (tests/portal/attack.py CONCEPTS); `Side.secrets`
are the strings and amounts no page of the other company may ever show.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.connectors.tryton.protocol import TrytonUserError
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.engine import portal_carts
from causeway.engine.portal_accounts import Company, Membership
from causeway.engine.schema import portal_checkouts, portal_members
from causeway.engine.store import now
from causeway.hub import Hub
from causeway_sandbox.tryton.warehouse import open_shipments, ship
from tests.portal.conftest import add_company, add_member

ACME, BIRCH = "Acme Retail Ltd", "Birch Supplies"
CENT = Decimal("0.01")


@dataclass
class Side:
    """One company and what is its own."""

    company: Company
    party_id: int
    members: dict[str, Membership]  # role -> a person of that role
    values: dict[str, list[str]] = field(default_factory=dict)  # concept -> its ids, as text
    secrets: set[str] = field(default_factory=set)  # what no other company may see
    prices: set[Decimal] = field(default_factory=set)  # its own prices and totals
    # Every id of its own by concept, to tell them from the other company's; `values`
    # holds those an attempt may use (for people: a spare member, whom an attempt may
    # well remove, never the attackers themselves).
    taken: dict[str, set[str]] = field(default_factory=dict)


def party_id(rpc: TrytonRPC, name: str) -> int:
    (found,) = rpc.model("party.party", "search", [("name", "=", name)])
    return int(found)


def _numbered(rpc: TrytonRPC, model: str, sequence_id: int, prefix: str, run: Any) -> None:
    """Run `run()` (which numbers a record from this sequence) with the sequence's prefix
    set to `prefix`, then put the sequence back as it was."""
    (before,) = rpc.read(model, [sequence_id], ["prefix"])
    rpc.write(model, [sequence_id], {"prefix": prefix})
    try:
        run()
    finally:
        rpc.write(model, [sequence_id], {"prefix": before["prefix"]})


def _post(rpc: TrytonRPC, invoice_ids: list[int]) -> None:
    """Post, accepting Tryton's warning that the lines lack the product's default taxes
    (the test sale has no taxes), as a user would in Tryton."""
    try:
        rpc.button("account.invoice", "post", invoice_ids)
    except TrytonUserError as exc:
        rpc.create("res.user.warning", [{"user": rpc.user_id, "name": exc.warning}])
        rpc.button("account.invoice", "post", invoice_ids)


def invoices_as_pdf(rpc: TrytonRPC) -> None:
    """What the Tryton administrator sets once (docs/portal/history.md): the invoice report
    rendered as PDF, before any invoice is posted (Tryton keeps a posted one's report)."""
    actions = rpc.model("ir.action.report", "search", [("report_name", "=", "account.invoice")])
    rpc.write("ir.action.report", actions, {"extension": "pdf"})


def erp_records(tryton: TrytonConnector, side: Side, letter: str, unique: str) -> None:
    """A delivery address and a shipped, invoiced sale of the company's party in Tryton."""
    rpc = tryton.rpc
    invoices_as_pdf(rpc)
    street = f"{unique} {letter} Secret Lane"
    (address,) = rpc.create(
        "party.address",
        [{"party": side.party_id, "party_name": f"{letter} dock", "street": street,
          "postal_code": "99001", "city": f"{letter}ville", "delivery": True}],
    )  # fmt: skip
    (party,) = rpc.read("party.party", [side.party_id], ["addresses", "customer_payment_term"])
    (widget,) = rpc.search_read("product.product", [("code", "=", "WID-001")], ["default_uom"])
    reference = f"iso-{letter}-{unique}"
    po_number = f"PO-{letter}-{unique}"
    (sale,) = rpc.create(
        "sale.sale",
        [{"party": side.party_id, "invoice_address": address, "shipment_address": address,
          "reference": reference, "description": po_number,
          "payment_term": party["customer_payment_term"],
          "lines": [("create", [{"type": "line", "product": widget["id"], "quantity": 2,
                                 "unit": widget["default_uom"], "unit_price": "9.1100",
                                 "description": "Widget"}])]}],
    )  # fmt: skip
    (config,) = rpc.read("sale.configuration", [1], ["sale_sequence"])
    _numbered(
        rpc, "ir.sequence", config["sale_sequence"], f"SO{letter}{unique}-",
        lambda: rpc.button("sale.sale", "quote", [sale]),
    )  # fmt: skip
    rpc.button("sale.sale", "confirm", [sale])
    tracking = f"1Z{letter}{unique}".upper()
    (shipment,) = open_shipments(rpc, sale)
    ship(rpc, shipment, tracking_number=tracking)
    (record,) = rpc.read("sale.sale", [sale], ["number", "invoices", "total_amount"])
    sequences = rpc.search_read("account.fiscalyear.invoice_sequence", [], ["out_invoice_sequence"])
    invoice_prefix = f"IN{letter}{unique}-"
    for sequence in sequences:
        rpc.write(
            "ir.sequence.strict", [sequence["out_invoice_sequence"]], {"prefix": invoice_prefix}
        )
    try:
        _post(rpc, record["invoices"])
    finally:
        for sequence in sequences:
            rpc.write("ir.sequence.strict", [sequence["out_invoice_sequence"]], {"prefix": None})
    invoices = rpc.read("account.invoice", record["invoices"], ["number", "total_amount"])
    side.values.update(
        address=[str(a) for a in sorted({address, *party["addresses"]})],
        sale=[str(sale)],
        shipment=[str(shipment)],
        invoice=[str(i["id"]) for i in invoices],
        number=[record["number"], reference, *(i["number"] for i in invoices)],
    )
    emails = rpc.search_read(
        "party.contact_mechanism",
        [("party", "=", side.party_id), ("type", "=", "email")],
        ["value"],
    )
    side.secrets |= {street, reference, po_number, tracking, record["number"]}
    side.secrets |= {e["value"] for e in emails}
    side.secrets |= {i["number"] for i in invoices}
    side.prices |= {Decimal(str(record["total_amount"])), Decimal("9.11"), Decimal("18.22")}


def price_lists(tryton: TrytonConnector, sides: list[Side]) -> None:
    """Each company's unit prices for every goods product (list price x its price list's
    factors: the formulas of the build's lists are `list_price * <factor>`)."""
    rpc = tryton.rpc
    templates = rpc.search_read("product.template", [("type", "=", "goods")], ["list_price"])
    list_prices = {Decimal(str(t["list_price"])) for t in templates if t["list_price"]}
    for side in sides:
        (party,) = rpc.read("party.party", [side.party_id], ["sale_price_list"])
        lines = rpc.search_read(
            "product.price_list.line", [("price_list", "=", party["sale_price_list"])], ["formula"]
        )
        for line in lines:
            factor = re.fullmatch(r"list_price \* ([0-9.]+)", line["formula"].strip())
            assert factor, f"price list formula {line['formula']!r}: the test reads only factors"
            side.prices |= {(p * Decimal(factor.group(1))).quantize(CENT) for p in list_prices}
        side.prices |= list_prices  # the list price itself: not a secret of anyone's


def hub_records(hub: Hub, side: Side, letter: str, unique: str) -> None:
    """The company's checkouts (one waiting for approval, one placed as its ERP sale) and
    cart lines of each member, and the ids of its members (their row and user ids)."""
    checkouts = []
    with hub.store.transaction() as conn:
        for state in ("awaiting_approval", "placed"):
            placed = state == "placed"
            reference = f"p{letter}{unique}-{state[:4]}"
            values = {
                "company_id": side.company.id,
                "user_id": side.members["buyer"].user_id,
                "idempotency_key": uuid.uuid4().hex,
                "reference": reference,
                "state": state,
                "lines": json.dumps([{"sku": "WID-001", "quantity": "2", "unit_price": "9.11"}]),
                "shipment_address_id": int(side.values["address"][0]),
                "po_number": f"PO-{letter}-{unique}",
                "currency": "USD",
                "total": "18.22",
                "hold_reason": f"over the credit limit ({letter})" if not placed else None,
                "created_at": now(),
                "sale_id": int(side.values["sale"][0]) if placed else None,
                "erp_number": side.values["number"][0] if placed else None,
            }
            checkouts.append(conn.execute(insert(portal_checkouts).values(**values)))
            side.secrets.add(reference)
            side.values.setdefault("number", []).append(reference)
        rows = conn.execute(
            select(portal_members.c.id, portal_members.c.user_id).where(
                portal_members.c.company_id == side.company.id
            )
        ).all()
    side.values["checkout"] = [str(c.inserted_primary_key[0]) for c in checkouts]
    spare = side.members["spare"]
    spare_row = next(str(r.id) for r in rows if r.user_id == spare.user_id)
    side.values["member"] = [spare_row, str(spare.user_id)]
    side.taken["member"] = {str(r.id) for r in rows} | {str(r.user_id) for r in rows}
    side.values["company"] = [str(side.company.id)]
    # Carts with lines, so that a checkout attempt gets as far as its address.
    for member in side.members.values():
        portal_carts.put(hub.store, side.company.id, member.user_id, "GAD-001", Decimal(4))
        side.secrets.add(member.email)


def make_side(hub: Hub, tryton: TrytonConnector, name: str, letter: str) -> Side:
    company = add_company(hub, party_id(tryton.rpc, name), name)
    domain = f"{name.split()[0].lower()}-iso.example"
    members = {
        role: add_member(hub, company, f"{role}@{domain}", role)
        for role in ("buyer", "approver", "admin")
    }
    members["spare"] = add_member(hub, company, f"spare@{domain}", "buyer")
    return Side(company, company.party_id, members, secrets={name})
