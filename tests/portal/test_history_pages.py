"""The history pages as a signed-in buyer gets them (web/portal/pages/orders.py,
invoices.py, statement.py), reading the real Tryton: a company sees its own orders,
invoices, PDFs and statements, and another company's ids answer 404 exactly as ids that
do not exist; a period that is not one is named, and nothing is read for it.

Its own Tryton: the invoice report is set to PDF here (every invoice posted afterwards
runs LibreOffice, a cost the other modules need not pay).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from causeway.hub import Hub
from causeway_sandbox.tryton.server import TrytonServer
from tests.portal.conftest import add_company, add_member, customer_client, portal_hub
from tests.portal.erp_history import (
    invoices_as_pdf,
    party_id,
    pay_invoice,
    place_sale,
    post_invoice,
    ship_sale,
)
from tests.portal.pdf_text import pdf_text
from tests.tryton_fixtures import connect, own_tryton
from tests.unit.hub_configs import systems

tryton_server = own_tryton("tryton-history-pages")


@pytest.fixture(scope="module")
def erp_history(tryton_server: TrytonServer) -> dict[str, Any]:
    """In Tryton: Acme's sale shipped with UPS, invoiced and paid; Birch's sale invoiced;
    Acme's second sale with its invoice still a draft."""
    with connect(tryton_server) as tryton:
        invoices_as_pdf(tryton)
        acme, birch = party_id(tryton, "Acme Retail Ltd"), party_id(tryton, "Birch Supplies")
        run = uuid.uuid4().hex[:6]
        sale = place_sale(tryton, acme, f"h{run}-1", {"WID-001": 4}, po_number="PO-ACME-9")
        ship_sale(tryton, sale, tracking_number="1ZACME123")
        invoice = post_invoice(tryton, sale)
        (record,) = tryton.rpc.read("account.invoice", [invoice], ["total_amount", "number"])
        pay_invoice(tryton, invoice, Decimal(str(record["total_amount"])))
        birch_sale = place_sale(tryton, birch, f"h{run}-2", {"WID-001": 1})
        birch_invoice = post_invoice(tryton, birch_sale)
        draft_sale = place_sale(tryton, acme, f"h{run}-3", {"WID-001": 1})
        ((draft,),) = (
            r["invoices"] for r in tryton.rpc.read("sale.sale", [draft_sale], ["invoices"])
        )
        return {
            "acme": acme,
            "birch": birch,
            "sale": sale,
            "invoice": invoice,
            "invoice_number": record["number"],
            "total": Decimal(str(record["total_amount"])),
            "birch_sale": birch_sale,
            "birch_invoice": birch_invoice,
            "draft_invoice": draft,
        }


@pytest.fixture
def hub(tmp_path: Path, tryton_server: TrytonServer) -> Hub:
    systems_now = systems(tmp_path)
    systems_now["erp"] = {
        "type": "tryton",
        "url": tryton_server.url,
        "database": tryton_server.database,
        "username": tryton_server.username,
        "password": tryton_server.password,
    }
    return portal_hub(
        tmp_path, systems=systems_now, notifications={"merchant": "Causeway Demo Company"}
    )


@pytest.fixture
def acme_buyer(hub: Hub, erp_history: dict[str, Any]) -> Iterator[TestClient]:
    company = add_company(hub, erp_history["acme"], "Acme Retail Ltd")
    add_company(hub, erp_history["birch"], "Birch Supplies")
    member = add_member(hub, company, f"buyer-{uuid.uuid4().hex[:6]}@acme.example")
    with customer_client(hub, member) as client:
        yield client


def test_the_orders_list_shows_the_company_s_erp_sales_only(
    acme_buyer: TestClient, erp_history: dict[str, Any]
) -> None:
    page = acme_buyer.get("/portal/orders")
    assert page.status_code == 200
    assert f'href="/portal/orders/{erp_history["sale"]}"' in page.text
    assert "PO-ACME-9" in page.text
    assert f'href="/portal/orders/{erp_history["birch_sale"]}"' not in page.text
    filtered = acme_buyer.get("/portal/orders", params={"po": "acme-9"})
    assert f'/portal/orders/{erp_history["sale"]}"' in filtered.text
    none = acme_buyer.get("/portal/orders", params={"po": "nothing-like-it"})
    assert (
        f'/portal/orders/{erp_history["sale"]}"' not in none.text
        and "No order matches" in none.text
    )


def test_an_order_shows_its_shipment_tracking_and_invoice_pdf(
    acme_buyer: TestClient, erp_history: dict[str, Any]
) -> None:
    page = acme_buyer.get(f"/portal/orders/{erp_history['sale']}")
    assert page.status_code == 200
    assert "https://www.ups.com/track?tracknum=1ZACME123" in page.text
    assert f'href="/portal/invoices/{erp_history["invoice"]}.pdf"' in page.text


def test_another_company_s_order_is_not_found_like_a_missing_one(
    acme_buyer: TestClient, erp_history: dict[str, Any]
) -> None:
    other = acme_buyer.get(f"/portal/orders/{erp_history['birch_sale']}")
    missing = acme_buyer.get("/portal/orders/999999999")
    assert other.status_code == missing.status_code == 404
    assert other.text == missing.text


def test_the_invoice_pdf_downloads_for_its_company_only(
    acme_buyer: TestClient, erp_history: dict[str, Any]
) -> None:
    mine = acme_buyer.get(f"/portal/invoices/{erp_history['invoice']}.pdf")
    assert mine.status_code == 200
    assert mine.headers["content-type"] == "application/pdf"
    assert mine.headers["content-disposition"].startswith("attachment;")
    assert mine.content.startswith(b"%PDF")
    missing = acme_buyer.get("/portal/invoices/999999999.pdf")
    assert missing.status_code == 404
    for refused in (erp_history["birch_invoice"], erp_history["draft_invoice"]):
        answer = acme_buyer.get(f"/portal/invoices/{refused}.pdf")
        assert answer.status_code == 404 and answer.text == missing.text
        assert not answer.content.startswith(b"%PDF")


def test_the_invoices_page_shows_the_open_balance_and_no_draft(
    acme_buyer: TestClient, erp_history: dict[str, Any]
) -> None:
    page = acme_buyer.get("/portal/invoices")
    assert page.status_code == 200
    assert "Open balance" in page.text and "USD" in page.text
    assert f"/portal/invoices/{erp_history['invoice']}.pdf" in page.text
    assert f"/portal/invoices/{erp_history['draft_invoice']}.pdf" not in page.text
    assert f"/portal/invoices/{erp_history['birch_invoice']}.pdf" not in page.text


def test_the_statement_lists_the_invoice_and_its_payment_in_all_three_forms(
    acme_buyer: TestClient, erp_history: dict[str, Any]
) -> None:
    today = dt.date.today().isoformat()
    period = {"start": today, "end": today}
    page = acme_buyer.get("/portal/statement", params=period)
    assert page.status_code == 200
    assert f"Payment of invoice {erp_history['invoice_number']}" in page.text
    rows = list(
        csv.reader(io.StringIO(acme_buyer.get("/portal/statement.csv", params=period).text))
    )
    assert rows[0][0].lstrip("\ufeff") == "date"
    kinds = [(r[1], r[2]) for r in rows[1:]]
    number = erp_history["invoice_number"]
    assert ("Invoice", number) in kinds and ("Payment", number) in kinds
    assert rows[1][1] == "Opening balance" and rows[-1][1] == "Closing balance"
    assert Decimal(rows[-1][6]) == Decimal(rows[1][6])  # invoiced and paid within the period
    pdf = acme_buyer.get("/portal/statement.pdf", params=period)
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Statement of account for Acme Retail Ltd" in text
    assert number in text and "Payment" in text
    assert f"{erp_history['total']:,.2f}" in text


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-13-01", "2026-12-31", "The start date &#39;2026-13-01&#39; is not a date"),
        ("2026-01-01", "yesterday", "The end date &#39;yesterday&#39; is not a date"),
        ("2026-06-01", "2026-05-01", "starts on 2026-06-01, after it ends on 2026-05-01"),
    ],
)
def test_a_period_that_is_not_one_is_named(
    acme_buyer: TestClient, start: str, end: str, message: str
) -> None:
    page = acme_buyer.get("/portal/statement", params={"start": start, "end": end})
    assert page.status_code == 400 and message in page.text
    for kind in ("pdf", "csv"):
        download = acme_buyer.get(f"/portal/statement.{kind}", params={"start": start, "end": end})
        assert download.status_code == 400 and message in download.text
