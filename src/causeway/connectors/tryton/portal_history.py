"""A business customer's history in Tryton 8.2, as the B2B portal reads it (ErpPortalHistory,
model/ports/portal.py): its sales with shipments and invoices, its invoices and their PDF
(Tryton's own invoice report), what it owes, and a statement of its account for a period.

Every read is filtered by the party in the ERP's own domain: an invoice or a sale of
another party is never read, so it cannot leak even if the portal asked for it (the
portal checks ownership too; this is the second wall). Each method costs a fixed number
of calls whatever the number of records: party_sales four (sales, then lines, shipments
and invoices of all of them, sale_reading.build_sales), statement three.

The invoice PDF is Tryton's `account.invoice` report. Tryton renders its OpenDocument
template and converts it with LibreOffice (soffice) when the report action's `extension`
is "pdf"; posting an invoice stores the rendered report on it (invoice_report_cache), so
the extension must be "pdf" before invoices are posted: an invoice posted before keeps
its OpenDocument report. The connector does not change the ERP's configuration itself;
it says so when the report is not a PDF (docs/portal/history.md, "Invoice PDFs").

The statement reads the party's lines on receivable accounts in posted moves: a line of
an invoice's own move is the invoice (or a credit note, when it credits), any other line
whose move comes from an invoice is a payment of it (Tryton's pay wizard makes the move
with the invoice as its origin), and the rest are other payments or adjustments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.connectors.tryton.sale_reading import SALE_FIELDS, build_sales
from causeway.errors import MissingMasterDataError
from causeway.model.ports.portal import (
    InvoiceSummary,
    OpenBalance,
    PartySale,
    Statement,
    StatementLine,
)

PARTY_SALE_FIELDS = (
    *SALE_FIELDS,
    *("party", "party.email", "sale_date", "description", "origin"),
)
INVOICE_FIELDS = (
    "number",
    "invoice_date",
    "state",
    "currency.code",
    "total_amount",
    "amount_to_pay",
    "sales",
    "move",
)
SHOWN_STATES = ("posted", "paid")  # drafts and validated invoices are not the customer's yet
LINE_FIELDS = ("date", "debit", "credit", "description", "move", "move.origin", "move.number")
INVOICE_REPORT = "report.account.invoice.execute"


def _invoice_id(origin: Any) -> int | None:
    if isinstance(origin, str) and origin.startswith("account.invoice,"):
        tail = origin.split(",", 1)[1]
        return int(tail) if tail.isdigit() else None
    return None


def _sale_id(origin: Any) -> int | None:
    if isinstance(origin, str) and origin.startswith("sale.sale,"):
        tail = origin.split(",", 1)[1]
        return int(tail) if tail.isdigit() else None
    return None


def _decimal(value: Any) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))


class PortalHistory:
    """The history reads of one party, over the connector's RPC session."""

    def __init__(self, rpc: TrytonRPC, *, system: str, service_skus: Collection[str] = ()):
        self.rpc = rpc
        self.system = system
        self.service_skus = service_skus
        self._company_currency: str | None = None

    # -- sales --------------------------------------------------------------------------
    def party_sales(
        self,
        party_id: int,
        *,
        references: Sequence[str] | None = None,
        sale_ids: Sequence[int] | None = None,
        with_returns: bool = False,
        limit: int = 200,
    ) -> list[PartySale]:
        domain: list[Any] = [("party", "=", party_id)]
        if references is not None:
            if not references:
                return []
            domain.append(("reference", "in", list(references)))
        if sale_ids is not None:
            if not sale_ids:
                return []
            wanted: list[Any] = [("id", "in", list(sale_ids))]
            if with_returns:
                origins = [f"sale.sale,{i}" for i in sale_ids]
                wanted = ["OR", wanted[0], ("origin", "in", origins)]
            domain.append(wanted)
        return self._sales(domain, limit=limit)

    def sales_by_reference(self, references: Sequence[str]) -> dict[str, PartySale]:
        if not references:
            return {}
        chosen: dict[str, PartySale] = {}
        for sale in self._sales([("reference", "in", list(references))], limit=None):
            current = chosen.get(sale.reference)
            # Two sales of one reference: the one not cancelled is the order's.
            if current is None or (current.state == "cancelled" and sale.state != "cancelled"):
                chosen[sale.reference] = sale
        return chosen

    def _sales(self, domain: list[Any], *, limit: int | None) -> list[PartySale]:
        records = self.rpc.search_read(
            "sale.sale",
            domain,
            PARTY_SALE_FIELDS,
            limit=limit,
            order=[("sale_date", "DESC"), ("id", "DESC")],
        )
        sales = build_sales(self.rpc, records, service_skus=self.service_skus)
        return [
            PartySale(
                **sale.model_dump(),
                party_id=int(record["party"]),
                sale_date=record.get("sale_date"),
                po_number=(record.get("description") or "").strip() or None,
                party_email=(record.get("party.") or {}).get("email") or None,
                returns_sale_id=_sale_id(record.get("origin")),
            )
            for sale, record in zip(sales, records, strict=True)
        ]

    # -- invoices -----------------------------------------------------------------------
    def party_invoices(self, party_id: int, limit: int = 500) -> list[InvoiceSummary]:
        records = self.rpc.search_read(
            "account.invoice",
            [("party", "=", party_id), ("type", "=", "out"), ("state", "in", SHOWN_STATES)],
            INVOICE_FIELDS,
            limit=limit,
            order=[("invoice_date", "DESC"), ("id", "DESC")],
        )
        sale_ids = sorted({s for r in records for s in r.get("sales") or []})
        references = (
            {
                s["id"]: s.get("reference")
                for s in self.rpc.read("sale.sale", sale_ids, ["reference"])
            }
            if sale_ids
            else {}
        )
        return [self._summary(r, references) for r in records]

    @staticmethod
    def _summary(record: Mapping[str, Any], references: Mapping[int, Any]) -> InvoiceSummary:
        total = _decimal(record.get("total_amount"))
        return InvoiceSummary(
            invoice_id=int(record["id"]),
            number=record.get("number") or None,
            date=record.get("invoice_date"),
            state=str(record["state"]),
            currency=str((record.get("currency.") or {}).get("code") or ""),
            total_amount=total,
            amount_to_pay=_decimal(record.get("amount_to_pay")),
            sale_references=tuple(
                str(references[s]) for s in record.get("sales") or [] if references.get(s)
            ),
            credit_note=total < 0,
        )

    def invoice_pdf(self, party_id: int, invoice_id: int) -> tuple[bytes, str] | None:
        """Tryton's invoice report of the party's posted or paid invoice; None for any
        other invoice (another party's, a draft, none)."""
        found = self.rpc.search_read(
            "account.invoice",
            [
                ("id", "=", invoice_id),
                ("party", "=", party_id),
                ("type", "=", "out"),
                ("state", "in", SHOWN_STATES),
            ],
            ["number"],
        )
        if not found:
            return None
        extension, content, _direct, _name = self.rpc.call(INVOICE_REPORT, [invoice_id], {})
        data = content.encode() if isinstance(content, str) else bytes(content)
        if extension != "pdf" or not data.startswith(b"%PDF"):
            raise MissingMasterDataError(
                f"{self.system} rendered invoice {found[0].get('number')} as {extension}, not "
                f"PDF: in Tryton set the Invoice report's extension to pdf (Administration > "
                f"User Interface > Actions > Reports > Invoice; LibreOffice must be installed "
                f"beside Tryton); invoices posted before keep the report they were posted with"
            )
        number = found[0].get("number") or str(invoice_id)
        safe = "".join(
            ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in number
        )
        return data, f"invoice-{safe}.pdf"

    # -- the account ----------------------------------------------------------------------
    def open_balance(self, party_id: int) -> OpenBalance:
        (party,) = self.rpc.read("party.party", [party_id], ["receivable"])
        return OpenBalance(
            amount=_decimal(party.get("receivable")), currency=self.company_currency()
        )

    def company_currency(self) -> str:
        if self._company_currency is None:
            if not self.rpc.context:
                self.rpc.login()  # the user's context names the company
            company = int(self.rpc.context["company"])
            (record,) = self.rpc.read("company.company", [company], ["currency.code"])
            self._company_currency = str((record.get("currency.") or {}).get("code") or "")
        return self._company_currency

    def statement(self, party_id: int, start: dt.date, end: dt.date) -> Statement:
        """The party's receivable lines up to `end`: those before `start` make the
        opening balance, the rest are the period's lines (three calls)."""
        if start > end:
            raise ValueError(f"the statement starts ({start}) after it ends ({end})")
        records = self.rpc.search_read(
            "account.move.line",
            [
                ("party", "=", party_id),
                ("account.type.receivable", "=", True),
                ("move.state", "=", "posted"),
                ("date", "<=", end),
            ],
            LINE_FIELDS,
            order=[("date", "ASC"), ("id", "ASC")],
        )
        in_period = [r for r in records if r["date"] >= start]
        invoice_ids = sorted(
            {i for r in in_period if (i := _invoice_id((r.get("move.") or {}).get("origin")))}
        )
        invoices = (
            {i["id"]: i for i in self.rpc.read("account.invoice", invoice_ids, ["number", "move"])}
            if invoice_ids
            else {}
        )
        opening = sum(
            (_decimal(r["debit"]) - _decimal(r["credit"]) for r in records if r["date"] < start),
            Decimal(0),
        )
        lines = tuple(self._line(r, invoices) for r in in_period)
        closing = opening + sum((ln.debit - ln.credit for ln in lines), Decimal(0))
        return Statement(
            party_id=party_id,
            currency=self.company_currency(),
            start=start,
            end=end,
            opening_balance=opening,
            lines=lines,
            closing_balance=closing,
        )

    @staticmethod
    def _line(
        record: Mapping[str, Any], invoices: Mapping[int, Mapping[str, Any]]
    ) -> StatementLine:
        move = record.get("move.") or {}
        invoice = invoices.get(_invoice_id(move.get("origin")) or 0)
        debit, credit = _decimal(record.get("debit")), _decimal(record.get("credit"))
        if invoice is not None and invoice.get("move") == record.get("move"):
            kind = "credit_note" if credit > debit else "invoice"
            number = invoice.get("number")
            description = ("Credit note " if kind == "credit_note" else "Invoice ") + str(number)
        elif invoice is not None:
            kind, number = "payment", invoice.get("number")
            description = f"Payment of invoice {number}"
        else:
            kind = "payment" if credit > debit else "adjustment"
            number = move.get("number")
            description = str(record.get("description") or move.get("number") or "")
        return StatementLine(
            date=record["date"],
            kind=kind,
            number=number or None,
            description=description,
            debit=debit,
            credit=credit,
        )
