"""The statement's files (portal/statements.py): a CSV a spreadsheet cannot be attacked
through, and a PDF with every line, its running balance and the totals, over as many
pages as it takes."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from causeway.model.ports.portal import Statement, StatementLine
from causeway.portal.statements import file_name, statement_csv, statement_pdf
from tests.portal.pdf_text import page_count, pdf_text

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def statement(*lines: StatementLine, opening: str = "100") -> Statement:
    balance = Decimal(opening) + sum((ln.debit - ln.credit for ln in lines), Decimal(0))
    return Statement(
        party_id=7,
        currency="EUR",
        start=START,
        end=END,
        opening_balance=Decimal(opening),
        lines=lines,
        closing_balance=balance,
    )


def line(day: int, kind: str, debit: str = "0", credit: str = "0", text: str = "") -> StatementLine:
    return StatementLine(
        date=dt.date(2026, 3, day),
        kind=kind,
        number=f"INV-{day}",
        description=text or f"{kind} {day}",
        debit=Decimal(debit),
        credit=Decimal(credit),
    )


def test_the_csv_has_the_running_balance_and_no_formula() -> None:
    rows = list(
        csv.reader(
            io.StringIO(
                statement_csv(
                    statement(
                        line(1, "invoice", debit="250.50"),
                        line(2, "payment", credit="100", text='=HYPERLINK("http://evil.example")'),
                        line(3, "credit_note", credit="-5", text="@SUM(A1:A2)"),
                    )
                ).decode("utf-8-sig")
            )
        )
    )
    assert rows[0] == [
        "date",
        "type",
        "number",
        "description",
        "debit",
        "credit",
        "balance",
        "currency",
    ]
    assert rows[1] == ["2026-01-01", "Opening balance", "", "", "", "", "100", "EUR"]
    assert [r[6] for r in rows[2:5]] == ["350.50", "250.50", "255.50"]
    assert rows[3][3] == '\'=HYPERLINK("http://evil.example")'  # shown as text, never run
    assert rows[4][3] == "'@SUM(A1:A2)" and rows[4][1] == "Credit note"
    assert rows[5] == ["2026-12-31", "Closing balance", "", "", "", "", "255.50", "EUR"]


def test_the_pdf_shows_every_line_over_several_pages_with_the_totals() -> None:
    lines = [line(1 + i % 28, "invoice", debit="10") for i in range(80)]
    pdf = statement_pdf(statement(*lines), company="Müller & Söhne GmbH", merchant="Causeway Demo")
    text = pdf_text(pdf)
    assert pdf.startswith(b"%PDF") and page_count(pdf) >= 2
    assert "Statement of account for Müller & Söhne GmbH" in text
    assert text.count("Balance") == page_count(pdf)  # the header on every page
    assert "Opening balance on 2026-01-01" in text and "100.00 EUR" in text
    assert "Closing balance on 2026-12-31" in text and "900.00 EUR" in text
    assert text.count("Invoice") == 80


def test_an_empty_period_says_so() -> None:
    text = pdf_text(statement_pdf(statement(), company="Acme", merchant="Causeway Demo"))
    assert "No invoices, credit notes or payments in this period." in text


def test_the_file_name_is_plain_ascii() -> None:
    assert file_name("Ötzi & Co. 東京", statement(), "pdf") == (
        "statement-tzi-co-2026-01-01-2026-12-31.pdf"
    )
