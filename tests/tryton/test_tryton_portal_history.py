"""A business customer's history read from the real Tryton (connectors/tryton/portal_history.py):
its sales with shipments and tracking, its invoices and their PDF (Tryton's own report,
converted by LibreOffice), what it owes, and a statement for a period.

This module has its own Tryton: it sets the invoice report to PDF, which makes every
invoice posted afterwards run LibreOffice, a cost the other modules need not pay.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from causeway.connectors.tryton.connector import TrytonConnector
from causeway_sandbox.tryton.server import TrytonServer
from tests.portal.erp_history import (
    invoices_as_pdf,
    party_id,
    pay_invoice,
    place_sale,
    post_invoice,
    ship_sale,
)
from tests.tryton_fixtures import connect, own_tryton

tryton_server = own_tryton("tryton-history")

ACME, BIRCH = "Acme Retail Ltd", "Birch Supplies"


@pytest.fixture(scope="module")
def erp(tryton_server: TrytonServer) -> Iterator[TrytonConnector]:
    with connect(tryton_server) as connector:
        invoices_as_pdf(connector)
        yield connector


@pytest.fixture(scope="module")
def history(erp: TrytonConnector) -> dict[str, object]:
    """Acme's history: an older sale invoiced and unpaid, and today's sale shipped with
    UPS, invoiced and paid."""
    acme, birch = party_id(erp, ACME), party_id(erp, BIRCH)
    today = dt.date.today()
    run = uuid.uuid4().hex[:6]
    older = place_sale(
        erp, acme, f"hist-{run}-1", {"WID-001": 2}, sale_date=today - dt.timedelta(days=3)
    )
    older_invoice = post_invoice(erp, older, date=today - dt.timedelta(days=3))
    sale = place_sale(erp, acme, f"hist-{run}-2", {"WID-001": 3, "GAD-001": 2}, po_number="PO-77")
    shipment = ship_sale(erp, sale, tracking_number=f"1Z{run.upper()}")
    invoice = post_invoice(erp, sale)
    (total,) = erp.rpc.read("account.invoice", [invoice], ["total_amount"])
    pay_invoice(erp, invoice, Decimal(str(total["total_amount"])))
    return {
        "acme": acme,
        "birch": birch,
        "run": run,
        "sale": sale,
        "shipment": shipment,
        "invoice": invoice,
        "older_invoice": older_invoice,
        "today": today,
    }


def test_party_sales_show_the_sale_with_its_shipment_and_tracking(
    erp: TrytonConnector, history: dict
) -> None:
    calls = erp.rpc.calls
    sales = erp.party_sales(history["acme"])
    assert erp.rpc.calls - calls == 4  # sales, lines, shipments, invoices: whatever their number
    newest = sales[0]
    assert newest.sale_id == history["sale"]  # newest first
    assert newest.po_number == "PO-77"
    assert newest.party_email == "orders@acme-retail.example"
    assert {line.sku for line in newest.lines} == {"WID-001", "GAD-001"}
    (shipment,) = newest.shipments
    assert shipment.number == history["shipment"]
    assert (shipment.state, shipment.carrier) == ("done", "UPS")
    assert shipment.tracking_number == f"1Z{history['run'].upper()}"
    (invoice,) = newest.invoices
    assert invoice.state == "paid"
    assert history["sale"] not in {s.sale_id for s in erp.party_sales(history["birch"])}


def test_party_invoices_are_posted_or_paid_only(erp: TrytonConnector, history: dict) -> None:
    acme = history["acme"]
    draft = place_sale(erp, acme, f"hist-{history['run']}-draft", {"WID-001": 1})
    (draft_sale,) = erp.rpc.read("sale.sale", [draft], ["invoices"])
    invoices = {i.invoice_id: i for i in erp.party_invoices(acme)}
    assert history["invoice"] in invoices and history["older_invoice"] in invoices
    assert not set(draft_sale["invoices"]) & set(invoices)  # a draft is never shown
    paid, unpaid = invoices[history["invoice"]], invoices[history["older_invoice"]]
    assert (paid.state, paid.amount_to_pay) == ("paid", Decimal(0))
    assert unpaid.state == "posted" and unpaid.amount_to_pay == unpaid.total_amount > 0
    assert paid.sale_references == (f"hist-{history['run']}-2",)
    balance = erp.open_balance(acme)
    assert balance.amount >= unpaid.amount_to_pay and balance.currency == "USD"


def test_the_invoice_pdf_is_tryton_s_report_for_its_party_only(
    erp: TrytonConnector, history: dict
) -> None:
    found = erp.invoice_pdf(history["acme"], history["invoice"])
    assert found is not None
    pdf, name = found
    assert pdf.startswith(b"%PDF") and name.endswith(".pdf")
    assert erp.invoice_pdf(history["birch"], history["invoice"]) is None  # another party's
    assert erp.invoice_pdf(history["acme"], 10**9) is None  # no such invoice


def test_a_draft_invoice_has_no_pdf(erp: TrytonConnector, history: dict) -> None:
    sale = place_sale(erp, history["acme"], f"hist-{history['run']}-d2", {"WID-001": 1})
    (record,) = erp.rpc.read("sale.sale", [sale], ["invoices"])
    (draft,) = record["invoices"]
    assert erp.invoice_pdf(history["acme"], draft) is None


def test_the_statement_lists_the_period_s_invoices_and_payments_with_balances(
    erp: TrytonConnector, history: dict
) -> None:
    today = history["today"]
    (older, paid) = erp.rpc.read(
        "account.invoice",
        [history["older_invoice"], history["invoice"]],
        ["number", "total_amount"],
    )
    calls = erp.rpc.calls
    statement = erp.statement(history["acme"], today - dt.timedelta(days=1), today)
    assert erp.rpc.calls - calls <= 3
    assert statement.currency == "USD"
    # The older invoice is before the period: it is the opening balance.
    assert statement.opening_balance == Decimal(str(older["total_amount"]))
    kinds = [(ln.kind, ln.number) for ln in statement.lines]
    assert ("invoice", paid["number"]) in kinds and ("payment", paid["number"]) in kinds
    assert ("invoice", older["number"]) not in kinds
    invoice_line = next(ln for ln in statement.lines if ln.kind == "invoice")
    assert invoice_line.debit == Decimal(str(paid["total_amount"]))
    assert statement.closing_balance == statement.opening_balance  # invoiced and paid in it
    whole = erp.statement(history["acme"], today - dt.timedelta(days=5), today)
    assert whole.opening_balance == 0
    assert whole.closing_balance == Decimal(str(older["total_amount"]))


def test_a_statement_that_ends_before_it_starts_is_refused(
    erp: TrytonConnector, history: dict
) -> None:
    with pytest.raises(ValueError, match="starts"):
        erp.statement(history["acme"], history["today"], history["today"] - dt.timedelta(days=1))


def test_one_sale_is_read_with_its_returns(erp: TrytonConnector, history: dict) -> None:
    # Tryton's "Return sale" makes a copy whose origin is the sale (quantities negated).
    (returned,) = erp.rpc.model(
        "sale.sale",
        "copy",
        [history["sale"]],
        {"origin": f"sale.sale,{history['sale']}", "reference": f"hist-{history['run']}-r"},
    )
    found = erp.party_sales(history["acme"], sale_ids=[history["sale"]], with_returns=True)
    assert {s.sale_id: s.returns_sale_id for s in found} == {
        history["sale"]: None,
        returned: history["sale"],
    }
    assert erp.party_sales(history["birch"], sale_ids=[history["sale"]], with_returns=True) == []
