"""A business customer looks up its history in the portal: orders with the ERP's state
and the shipment's tracking link, invoices with Tryton's PDF, a statement for a period
(PDF and CSV). The warehouse and the accounts play their part in Tryton itself; the
portal-progress flow tells the hub and the customer (one e-mail per shipment)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from causeway.engine.schema import mail_outbox
from causeway.flows.portal_progress import NAME as PROGRESS
from tests.portal.browser.conftest import ACME, BIRCH, PortalWorld, screenshot
from tests.portal.erp_history import (
    invoices_as_pdf,
    pay_invoice,
    place_sale,
    post_invoice,
    ship_sale,
)
from tests.portal.pdf_text import page_count, pdf_text

ACME_EMAIL = "orders@acme-retail.example"


@pytest.fixture(scope="module", autouse=True)
def pdf_invoices(world: PortalWorld) -> None:
    """Tryton's administrator has the invoice report rendered as PDF (docs/portal/history.md)."""
    invoices_as_pdf(world.tryton)


def until(what: str, done: Callable[[], Any], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while not (answer := done()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not there after {timeout:.0f} s: {what}")
        time.sleep(0.1)
    return answer


def run_progress(world: PortalWorld) -> None:
    """Run portal-progress now and wait for its run to finish."""
    world.hub.run_flow(PROGRESS)

    def finished() -> bool:
        counts = world.hub.jobs.counts()
        return not any(n for (f, s), n in counts.items() if f == PROGRESS and s not in ("done",))

    until("portal-progress ran", finished)


def queued(world: PortalWorld, event: str, text: str) -> list[str]:
    """The recipients of the queued e-mails of `event` whose text contains `text`."""
    with world.hub.store.read() as conn:
        rows = conn.execute(
            select(mail_outbox.c.recipient, mail_outbox.c.text_body).where(
                mail_outbox.c.event == event
            )
        ).all()
    return [r.recipient for r in rows if text in r.text_body]


def portal_reference(world: PortalWorld) -> str:
    """A sale reference as the portal's checkout makes them (prefix + its number)."""
    return f"{world.hub.config.portal.reference_prefix}{random.randint(10_000, 99_999)}"


def sale_number(world: PortalWorld, sale_id: int) -> str:
    (sale,) = world.tryton.rpc.read("sale.sale", [sale_id], ["number"])
    return str(sale["number"])


def test_shipment_done_in_tryton_shows_tracking_in_the_portal_and_sends_one_shipped_email(
    world: PortalWorld, page: Page
) -> None:
    acme = world.companies[ACME].party_id
    tracking = f"1Z{uuid.uuid4().hex[:10].upper()}"
    reference = portal_reference(world)
    sale = place_sale(
        world.tryton,
        acme,
        reference,
        {"WID-001": 3, "GAD-001": 2},
        po_number="PO-4471",
    )
    number = sale_number(world, sale)
    ship_sale(world.tryton, sale, tracking_number=tracking)  # the warehouse, in Tryton
    run_progress(world)
    assert queued(world, "shipped", tracking) == [ACME_EMAIL]

    buyer = world.member(ACME)
    world.sign_in(page, buyer)
    page.goto("/portal/orders")
    row = page.get_by_role("row").filter(has_text=reference)  # other scenarios order too
    expect(row).to_contain_text("PO-4471")
    expect(row).to_contain_text("Shipped")  # the hub's timeline
    screenshot(page, "orders")
    row.get_by_role("link", name=number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {number}")
    link = page.get_by_role("link", name=tracking)
    expect(link).to_have_attribute("href", f"https://www.ups.com/track?tracknum={tracking}")
    expect(page.get_by_role("row").filter(has_text=tracking)).to_contain_text("UPS")
    screenshot(page, "order")

    run_progress(world)  # again: the poll reads the same shipment over its overlap
    assert queued(world, "shipped", tracking) == [ACME_EMAIL]
    pytest.importorskip("causeway.notifications.sender", reason="the SMTP sender (notifications)")
    (mail,) = world.mail.wait_for(lambda m: tracking in m.get_body(("plain",)).get_content())
    assert ACME_EMAIL in str(mail["To"])
    time.sleep(2)  # a second e-mail, were there one, would be sent by now
    assert len([m for m in world.mail.to(ACME_EMAIL) if tracking in str(m)]) == 1


def test_the_invoice_pdf_downloads_for_its_company_and_is_refused_to_the_other(
    world: PortalWorld, page: Page
) -> None:
    acme = world.companies[ACME].party_id
    reference = portal_reference(world)
    sale = place_sale(world.tryton, acme, reference, {"WID-001": 5})
    invoice = post_invoice(world.tryton, sale)  # the accounts, in Tryton
    (record,) = world.tryton.rpc.read("account.invoice", [invoice], ["number"])

    world.sign_in(page, world.member(ACME))
    page.goto("/portal/invoices")
    expect(page.locator(".open-balance")).to_contain_text("USD")
    row = page.get_by_role("row").filter(has_text=reference)  # its order's reference
    expect(row.get_by_role("cell").nth(1)).to_have_text(record["number"])
    expect(row).to_contain_text("Open")
    screenshot(page, "invoices")
    with page.expect_download() as download_info:
        row.get_by_role("link", name="PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    page.context.clear_cookies()
    world.sign_in(page, world.member(BIRCH))
    refused = page.request.get(f"/portal/invoices/{invoice}.pdf")
    missing = page.request.get("/portal/invoices/999999999.pdf")
    assert refused.status == missing.status == 404
    assert not refused.body().startswith(b"%PDF")
    assert refused.text() == missing.text()


def test_a_statement_pdf_for_a_period_lists_the_right_invoices_and_payments(
    world: PortalWorld, page: Page
) -> None:
    birch = world.companies[BIRCH].party_id
    today = dt.date.today()
    # The accounts, in Tryton: two invoices today, the second one paid.
    unpaid_sale = place_sale(world.tryton, birch, portal_reference(world), {"WID-001": 1})
    unpaid_invoice = post_invoice(world.tryton, unpaid_sale)
    paid_sale = place_sale(world.tryton, birch, portal_reference(world), {"WID-001": 2})
    paid_invoice = post_invoice(world.tryton, paid_sale)
    unpaid, paid = world.tryton.rpc.read(
        "account.invoice", [unpaid_invoice, paid_invoice], ["number", "total_amount"]
    )
    pay_invoice(world.tryton, paid_invoice, Decimal(str(paid["total_amount"])))

    world.sign_in(page, world.member(BIRCH))
    page.goto("/portal/statement")
    page.get_by_label("From").fill((today - dt.timedelta(days=30)).isoformat())
    page.get_by_label("To").fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statement of account")
    # Invoiced and paid today: not in the month before.
    expect(
        page.get_by_role("row").filter(has_text=f"Payment of invoice {paid['number']}")
    ).to_have_count(0)
    page.get_by_label("From").fill(today.isoformat())
    page.get_by_label("To").fill(today.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(
        page.get_by_role("row").filter(has_text=f"Payment of invoice {paid['number']}")
    ).to_be_visible()
    screenshot(page, "statement")

    with page.expect_download() as pdf_info:
        page.get_by_role("button", name="Download PDF").click()
    pdf = Path(pdf_info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and page_count(pdf) >= 1
    text = pdf_text(pdf)
    assert "Statement of account for Birch Supplies" in text
    assert f"Period: {today.isoformat()} to {today.isoformat()}   (amounts in USD)" in text
    assert unpaid["number"] in text and paid["number"] in text and "Payment" in text

    with page.expect_download() as csv_info:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(Path(csv_info.value.path()).read_text("utf-8-sig"))))
    opening, lines, closing = rows[1], rows[2:-1], rows[-1]
    assert (opening[1], closing[1]) == ("Opening balance", "Closing balance")
    listed = [(r[1], r[2], Decimal(r[4]), Decimal(r[5])) for r in lines]
    unpaid_total, paid_total = (Decimal(str(i["total_amount"])) for i in (unpaid, paid))
    assert ("Invoice", unpaid["number"], unpaid_total, 0) in listed
    assert ("Invoice", paid["number"], paid_total, 0) in listed
    assert ("Payment", paid["number"], 0, paid_total) in listed
    assert ("Payment", unpaid["number"], 0, unpaid_total) not in listed
    assert Decimal(closing[6]) == Decimal(opening[6]) + sum(r[2] - r[3] for r in listed)
    # The PDF's balances are the CSV's.
    assert f"{Decimal(opening[6]):,.2f} USD" in text and f"{Decimal(closing[6]):,.2f} USD" in text
