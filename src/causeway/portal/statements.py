"""A company's statement of account as files it downloads from the portal: a PDF made in
the hub (fpdf2) and a CSV of the same lines. The statement itself is the ERP's
(ErpPortalHistory.statement); these only lay it out, with a running balance.

The PDF uses the standard Helvetica font (no font file to ship or embed): text outside
Latin-1 is shown as "?". The CSV is safe to open in a spreadsheet: a text cell that
starts like a formula (=, +, -, @, tab, carriage return: OWASP's CSV injection rule, as
connectors/files/safe_csv.py applies to every CSV the hub writes) gets a quote in
front, so a description such as =HYPERLINK(...) shows as text and never runs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from fpdf import FPDF

from causeway.model.ports.portal import Statement, StatementLine

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
KIND_LABELS = {
    "invoice": "Invoice",
    "credit_note": "Credit note",
    "payment": "Payment",
    "adjustment": "Adjustment",
}
CSV_HEADER = ("date", "type", "number", "description", "debit", "credit", "balance", "currency")


@dataclass(frozen=True)
class StatementRow:
    """One line of the statement with the balance after it."""

    line: StatementLine
    balance: Decimal

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.line.kind, self.line.kind)


def running(statement: Statement) -> list[StatementRow]:
    balance = statement.opening_balance
    rows = []
    for line in statement.lines:
        balance += line.debit - line.credit
        rows.append(StatementRow(line, balance))
    return rows


def amount(value: Decimal, currency: str) -> str:
    return f"{value.quantize(Decimal('0.01')):,.2f} {currency}"


def file_name(company: str, statement: Statement, extension: str) -> str:
    # ASCII letters and digits only: the name goes in a Content-Disposition header.
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in company.lower())
    slug = re.sub("-+", "-", slug).strip("-") or "company"
    return f"statement-{slug}-{statement.start}-{statement.end}.{extension}"


# -- CSV ------------------------------------------------------------------------------
def neutralise(cell: str | Decimal) -> str | Decimal:
    """A text cell a spreadsheet would run as a formula gets a quote in front."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def statement_csv(statement: Statement) -> bytes:
    """The opening balance, every line with the balance after it, the closing balance."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    currency = statement.currency
    blank = ("", "", "", "")
    writer.writerow(
        (
            statement.start.isoformat(),
            "Opening balance",
            *blank,
            statement.opening_balance,
            currency,
        )
    )
    for row in running(statement):
        line = row.line
        cells: list[str | Decimal] = [
            line.date.isoformat(),
            row.label,
            line.number or "",
            line.description,
            line.debit,
            line.credit,
            row.balance,
            currency,
        ]
        writer.writerow([neutralise(c) for c in cells])
    writer.writerow(
        (statement.end.isoformat(), "Closing balance", *blank, statement.closing_balance, currency)
    )
    return out.getvalue().encode("utf-8-sig")  # the BOM: Excel reads it as UTF-8


# -- PDF ------------------------------------------------------------------------------
def _latin(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


# Widths in mm: 190 in all, the width of A4 inside its 10 mm margins.
COLUMNS = (("Date", 20), ("Type", 22), ("Number", 26), ("Description", 42))
MONEY_COLUMNS = (("Debit", 26), ("Credit", 26), ("Balance", 28))


def statement_pdf(
    statement: Statement, *, company: str, merchant: str, made_on: dt.date | None = None
) -> bytes:
    """An A4 statement: who it is from and for, the period, the opening balance, the
    lines with a running balance, the closing balance."""
    currency = statement.currency
    pdf = FPDF(format="A4")
    pdf.set_title(_latin(f"Statement of account, {company}"))
    pdf.set_author(_latin(merchant))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, _latin(merchant), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 7, _latin(f"Statement of account for {company}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(
        0,
        6,
        f"Period: {statement.start.isoformat()} to {statement.end.isoformat()}"
        f"   (amounts in {currency})",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    made = made_on or dt.date.today()
    pdf.cell(0, 6, f"Issued on {made.isoformat()}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    def header() -> None:
        pdf.set_font("Helvetica", "B", 9)
        for label, width in COLUMNS:
            pdf.cell(width, 7, label, border="B")
        for label, width in MONEY_COLUMNS:
            pdf.cell(width, 7, label, border="B", align="R")
        pdf.ln()
        pdf.set_font("Helvetica", "", 9)

    def total_row(label: str, value: Decimal) -> None:
        pdf.set_font("Helvetica", "B", 9)
        widths = [w for _, w in (*COLUMNS, *MONEY_COLUMNS)]
        pdf.cell(sum(widths[:-1]), 7, label)
        pdf.cell(widths[-1], 7, amount(value, currency), align="R")
        pdf.ln()
        pdf.set_font("Helvetica", "", 9)

    header()
    total_row(f"Opening balance on {statement.start.isoformat()}", statement.opening_balance)
    for row in running(statement):
        if pdf.will_page_break(7):
            pdf.add_page()
            header()
        line = row.line
        cells = (line.date.isoformat(), row.label, line.number or "", line.description)
        for (_, width), text in zip(COLUMNS, cells, strict=True):
            pdf.cell(width, 7, _latin(_fit(pdf, text, width)))
        amounts = (line.debit or None, line.credit or None, row.balance)  # blank: no amount
        for (_, width), value in zip(MONEY_COLUMNS, amounts, strict=True):
            pdf.cell(width, 7, "" if value is None else f"{value:,.2f}", align="R")
        pdf.ln()
    if not statement.lines:
        pdf.cell(0, 7, "No invoices, credit notes or payments in this period.")
        pdf.ln()
    total_row(f"Closing balance on {statement.end.isoformat()}", statement.closing_balance)
    return bytes(pdf.output())


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """The text cut (with an ellipsis) to fit its column."""
    text = _latin(text)
    if pdf.get_string_width(text) <= width - 2:
        return text
    while text and pdf.get_string_width(text + "...") > width - 2:
        text = text[:-1]
    return text + "..."
