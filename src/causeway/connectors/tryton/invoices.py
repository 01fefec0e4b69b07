"""Customer invoices of sales in Tryton 8.2: read their state, post them, pay them.

Tryton creates a sale's customer invoice (draft) when it processes the confirmed sale
(invoice method "on order"). Paying it is what a bookkeeper does in the client: post the
invoice, then run the `account.invoice.pay` wizard (state `start`: amount, payment
method, date; transition `choice` goes straight to `pay` when the amount settles the
invoice exactly). Over JSON-RPC a wizard is a session: `wizard.<name>.create`, then
`execute(session, data, state)` with the invoice as `active_id` in the context, then
`delete`.

Exactly once: the invoice's own state is the record of payment. An invoice already
paid is never paid again, and the wizard's `pay` transition books and reconciles in
one Tryton transaction, so a crash leaves the invoice either paid or not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.protocol import TrytonUserError
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.errors import (
    AmountMismatchError,
    MissingMasterDataError,
    PermanentError,
    RetryableError,
)

INVOICE_FIELDS = ("number", "state", "total_amount", "amount_to_pay", "currency.code", "type")
PAY_WIZARD = "account.invoice.pay"
# States in which a store payment may be booked on the invoice.
PAYABLE = ("draft", "validated", "posted")
# The name (after "<hash>.") of Tryton's warning that an invoice's taxes are not its
# products' defaults (account_invoice, Invoice._check_taxes).
STORE_TAXES_WARNING = ".invoice_taxes"


@dataclass(frozen=True)
class InvoiceState:
    """One customer invoice of a sale, as Tryton holds it."""

    invoice_id: int
    number: str | None
    state: str  # draft, validated, posted, paid, cancelled
    total_amount: Decimal
    amount_to_pay: Decimal
    currency: str


@dataclass(frozen=True)
class SaleInvoices:
    """A sale's customer invoices (cancelled ones left out), oldest first."""

    reference: str
    sale_id: int
    sale_number: str | None
    sale_state: str
    invoices: tuple[InvoiceState, ...]

    @property
    def total(self) -> Decimal:
        return sum((i.total_amount for i in self.invoices), Decimal(0))

    @property
    def paid(self) -> bool:
        return bool(self.invoices) and all(i.state == "paid" for i in self.invoices)

    @property
    def state(self) -> str | None:
        """One state for the order: paid once all are paid, else the least advanced one."""
        if not self.invoices:
            return None
        order = ("draft", "validated", "posted", "paid")
        return min((i.state for i in self.invoices), key=order.index)


def invoice_state(record: Mapping[str, Any]) -> InvoiceState:
    currency = record.get("currency.") or {}
    return InvoiceState(
        invoice_id=int(record["id"]),
        number=record.get("number") or None,
        state=str(record["state"]),
        total_amount=Decimal(record.get("total_amount") or 0),
        amount_to_pay=Decimal(record.get("amount_to_pay") or 0),
        currency=str(currency.get("code") or ""),
    )


def check_amount(sale: SaleInvoices, amount: Decimal, currency: str) -> None:
    """The store's payment must settle the sale's invoices exactly; say why not."""
    invoiced_currency = {i.currency for i in sale.invoices}
    if invoiced_currency and invoiced_currency != {currency}:
        raise AmountMismatchError(
            f"sale {sale.sale_number} ({sale.reference}): the store was paid in {currency} "
            f"but the invoice is in {', '.join(sorted(invoiced_currency))}: book the payment "
            f"in Tryton by hand, then mark this job done"
        )
    if amount != sale.total:
        raise AmountMismatchError(
            f"sale {sale.sale_number} ({sale.reference}): the store received {amount} "
            f"{currency} but the invoice total is {sale.total} {currency}: nothing was paid; "
            f"correct the sale or book the payment in Tryton by hand, then replay"
        )


class Invoices:
    """The customer-invoice operations the payments flow needs, over one RPC session."""

    def __init__(self, rpc: TrytonRPC, *, system: str) -> None:
        self.rpc = rpc
        self.system = system
        self._payment_methods: dict[str, int] = {}

    def of_sales(self, references: Sequence[str]) -> dict[str, SaleInvoices]:
        """The customer invoices of the sales with these references, in two calls."""
        if not references:
            return {}
        sales = self.rpc.search_read(
            "sale.sale",
            [("reference", "in", list(references)), ("state", "!=", "cancelled")],
            ["reference", "number", "state", "invoices"],
            order=[("id", "ASC")],
        )
        invoice_ids = sorted({i for s in sales for i in s["invoices"]})
        records = (
            {
                r["id"]: r
                for r in self.rpc.read("account.invoice", invoice_ids, list(INVOICE_FIELDS))
            }
            if invoice_ids
            else {}
        )
        found: dict[str, SaleInvoices] = {}
        for sale in sales:
            invoices = tuple(
                invoice_state(records[i])
                for i in sorted(sale["invoices"])
                if records[i]["type"] == "out" and records[i]["state"] != "cancelled"
            )
            found[sale["reference"]] = SaleInvoices(
                reference=sale["reference"],
                sale_id=int(sale["id"]),
                sale_number=sale.get("number") or None,
                sale_state=str(sale["state"]),
                invoices=invoices,
            )
        return found

    def pay_sale(
        self,
        reference: str,
        amount: Decimal,
        currency: str,
        *,
        payment_method: str,
        description: str,
    ) -> tuple[SaleInvoices, bool]:
        """Post and pay the sale's invoices with the store's payment, at most once.

        Returns the invoices as they stand afterwards, and whether anything was paid now.
        """
        sale = self.of_sales([reference]).get(reference)
        if sale is None:
            raise RetryableError(f"no sale {reference} in {self.system} yet")
        if sale.paid:
            return sale, False
        if not sale.invoices:
            # Tryton creates the invoice when it processes the confirmed sale.
            raise RetryableError(
                f"sale {sale.sale_number} ({reference}) has no customer invoice yet "
                f"(state {sale.sale_state}); trying again"
            )
        check_amount(sale, amount, currency)
        method = self.payment_method(payment_method)
        drafts = [i.invoice_id for i in sale.invoices if i.state in ("draft", "validated")]
        if drafts:
            self._post(drafts)
            sale = self.of_sales([reference])[reference]
        for invoice in sale.invoices:
            if invoice.state not in PAYABLE or invoice.amount_to_pay <= 0:
                continue
            self._pay(invoice, method, description)
        after = self._processed(self.of_sales([reference])[reference])
        if not after.paid:
            states = ", ".join(f"{i.number}: {i.state}" for i in after.invoices)
            raise RetryableError(f"invoices of {reference} not paid after payment ({states})")
        return after, True

    def _processed(self, sale: SaleInvoices) -> SaleInvoices:
        """The sale with its settled invoices marked paid. Tryton marks an invoice paid
        in a task it queues when the payment's transaction commits; a Tryton stopped in
        between (a restart right after the pay wizard) leaves the invoice posted with
        nothing left to pay, which no payment can settle again. Tryton's own Process
        button does what the task would have done."""
        settled = [
            i.invoice_id for i in sale.invoices if i.state == "posted" and i.amount_to_pay <= 0
        ]
        if not settled:
            return sale
        self.rpc.button("account.invoice", "process", settled)
        return self.of_sales([sale.reference])[sale.reference]

    def _post(self, invoice_ids: list[int]) -> None:
        """Post the invoices. Tryton warns when a line's taxes are not its product's
        default ones; a store order's lines carry the taxes the customer was charged (a
        state's rate, a channel's tax map), which the invoice must show, so the hub
        accepts that warning for these invoices, as a user would in Tryton; any other
        warning stops the post."""
        try:
            self.rpc.button("account.invoice", "post", invoice_ids)
        except TrytonUserError as exc:
            if not (exc.warning or "").endswith(STORE_TAXES_WARNING):
                raise
            warning = {"user": self.rpc.user_id, "name": exc.warning, "always": False}
            self.rpc.create("res.user.warning", [warning])
            self.rpc.button("account.invoice", "post", invoice_ids)

    def _pay(self, invoice: InvoiceState, method: int, description: str) -> None:
        context = {
            **self.rpc.context,
            "active_model": "account.invoice",
            "active_id": invoice.invoice_id,
            "active_ids": [invoice.invoice_id],
        }
        wizard = f"wizard.{PAY_WIZARD}"
        session, start, _end = self.rpc.call(f"{wizard}.create", context=context)
        try:
            view = self.rpc.call(f"{wizard}.execute", session, {}, start, context=context)
            defaults = view["view"]["defaults"]
            data = {
                "payee": defaults["payee"],
                "payees": defaults.get("payees", []),
                "currency": defaults["currency"],
                "company": defaults["company"],
                "invoice_account": defaults["invoice_account"],
                "amount": invoice.amount_to_pay,
                "payment_method": method,
                "date": dt.date.today(),
                "description": description,
            }
            result = self.rpc.call(
                f"{wizard}.execute", session, {start: data}, "choice", context=context
            )
        finally:
            self.rpc.call(f"{wizard}.delete", session, context=context)
        if result.get("view"):
            # The wizard asks how to treat a difference: the amount did not settle it.
            raise PermanentError(
                f"invoice {invoice.number}: paying {invoice.amount_to_pay} did not settle it "
                f"(Tryton asks about a {result['view'].get('state')}); pay it in Tryton by hand"
            )

    def payment_method(self, name: str) -> int:
        if name not in self._payment_methods:
            found = self.rpc.search_read(
                "account.invoice.payment.method", [("name", "=", name)], ["id"]
            )
            if not found:
                raise MissingMasterDataError(
                    f"no invoice payment method {name!r} in {self.system}: "
                    f"create it in Tryton (Financial > Configuration > Payment Methods) or set "
                    f"flows.payments-and-invoices.payment_method (or the channel's own), "
                    f"then replay"
                )
            self._payment_methods[name] = int(found[0]["id"])
        return self._payment_methods[name]
