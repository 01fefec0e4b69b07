"""What the ERP's people do in Tryton to make a business customer's history, over JSON-RPC:
a sale for the company's party (as a sales clerk keys it, or as the portal's checkout
places it under the portal's reference prefix), its shipment done with a carrier and a
tracking number (the warehouse), its invoice posted and paid (the accounts).

`invoices_as_pdf` is what the Tryton administrator sets once (docs/portal/history.md):
the invoice report rendered as PDF with LibreOffice. It must be set before an invoice is
posted, as Tryton stores the report of a posted invoice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.connectors.tryton.protocol import TrytonUserError
from causeway_sandbox.tryton.warehouse import open_shipments, ship


def invoices_as_pdf(tryton: TrytonConnector) -> None:
    rpc = tryton.rpc
    actions = rpc.model("ir.action.report", "search", [("report_name", "=", "account.invoice")])
    rpc.write("ir.action.report", actions, {"extension": "pdf"})


def party_id(tryton: TrytonConnector, name: str) -> int:
    (found,) = tryton.rpc.model("party.party", "search", [("name", "=", name)])
    return int(found)


def _address(tryton: TrytonConnector, party: int) -> int:
    (record,) = tryton.rpc.read("party.party", [party], ["addresses"])
    if record["addresses"]:
        return int(record["addresses"][0])
    (address,) = tryton.rpc.create("party.address", [{"party": party, "city": "Springfield"}])
    return address


def place_sale(
    tryton: TrytonConnector,
    party: int,
    reference: str,
    lines: Mapping[str, int],
    *,
    po_number: str | None = None,
    sale_date: dt.date | None = None,
) -> int:
    """A confirmed sale of `lines` (SKU -> quantity) at list price for the party."""
    rpc = tryton.rpc
    products = rpc.search_read(
        "product.product",
        [("code", "in", list(lines))],
        ["code", "name", "template.list_price", "template.default_uom"],
    )
    (warehouse,) = rpc.model(
        "stock.location", "search", [("type", "=", "warehouse"), ("code", "=", "WH")]
    )
    (company,) = rpc.read("company.company", [int(rpc.context["company"])], ["currency"])
    address = _address(tryton, party)
    values: dict[str, Any] = {
        "party": party,
        "invoice_address": address,
        "shipment_address": address,
        "reference": reference,
        "description": po_number,
        "sale_date": sale_date or dt.date.today(),
        "warehouse": warehouse,
        "currency": company["currency"],
        "lines": [
            [
                "create",
                [
                    {
                        "product": p["id"],
                        "quantity": float(lines[p["code"]]),
                        "description": p["name"],
                        "unit": p["template."]["default_uom"],
                        "unit_price": Decimal(str(p["template."]["list_price"])),
                    }
                    for p in products
                ],
            ]
        ],
    }
    (sale_id,) = rpc.create("sale.sale", [values])
    for button in ("quote", "confirm"):  # confirm: over the credit limit, the clerk goes on
        press(tryton, "sale.sale", button, sale_id)
    return sale_id


def press(tryton: TrytonConnector, model: str, button: str, record: int) -> None:
    """Press a button as the clerk does: answering "yes" to each warning Tryton asks."""
    rpc = tryton.rpc
    for _ in range(4):
        try:
            rpc.button(model, button, [record])
            return
        except TrytonUserError as exc:
            if not exc.warning:
                raise
            rpc.create("res.user.warning", [{"user": rpc.user_id, "name": exc.warning}])
    raise AssertionError(f"{model} {record}: {button} still warns after four answers")


def ship_sale(
    tryton: TrytonConnector, sale_id: int, *, tracking_number: str, carrier: str = "UPS"
) -> str:
    """The warehouse ships the sale's open shipment; its number."""
    (shipment,) = open_shipments(tryton.rpc, sale_id)
    done = ship(tryton.rpc, shipment, tracking_number=tracking_number, carrier=carrier)
    return str(done["number"])


def post_invoice(tryton: TrytonConnector, sale_id: int, *, date: dt.date | None = None) -> int:
    """The accounts post the sale's invoice; its id."""
    rpc = tryton.rpc
    (sale,) = rpc.read("sale.sale", [sale_id], ["invoices"])
    (invoice,) = sale["invoices"]
    if date is not None:
        rpc.write("account.invoice", [invoice], {"invoice_date": date})
    # The lines carry no taxes; a back-dated invoice's payment date is past.
    press(tryton, "account.invoice", "post", invoice)
    return int(invoice)


def pay_invoice(tryton: TrytonConnector, invoice_id: int, amount: Decimal) -> None:
    """The accounts book a customer payment on the invoice (its pay wizard)."""
    from causeway.connectors.tryton.invoices import InvoiceState

    (record,) = tryton.rpc.read("account.invoice", [invoice_id], ["number"])
    state = InvoiceState(invoice_id, record["number"], "posted", amount, amount, "USD")
    method = tryton.invoices.payment_method("Shop payments")
    tryton.invoices._pay(state, method, f"payment of {record['number']}")
