"""Cancelling a Tryton 8.2 sale the way Tryton itself does it.

Tryton's `sale.sale.cancel` only applies to a draft or a quotation. A confirmed sale
has already made its customer shipment and its invoice (sale/sale.py `process`),
and the module's own scenario (sale/tests/scenario_sale_line_cancelled.rst) shows
the recipe for it:

1. cancel the customer shipments (`stock.shipment.out.cancel`) and the draft
   invoices (`account.invoice.cancel`); the sale's shipment and invoice states
   become `exception`;
2. run the wizards `sale.handle.invoice.exception` and
   `sale.handle.shipment.exception`, ignoring every cancelled invoice and move;
3. the sale then processes to `done` with nothing shipped and nothing invoiced
   (shipment_state and invoice_state `none`): that is a cancelled confirmed sale.

Nothing is changed when anything has left the warehouse (a shipment `shipped` or
`done`), or when an invoice is posted and the company does not allow cancelling
customer invoices: a person must decide, and the error says what to do.
Every step re-reads the sale first, so an attempt cut short by a crash is
finished, not repeated, by the next one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.errors import PermanentError

SHIPPED = ("shipped", "done")
SALE_FIELDS = ("reference", "number", "state", "shipment_state", "invoice_state")
_OPEN_SALE = ("confirmed", "processing", "done")


@dataclass(frozen=True)
class Document:
    id: int
    number: str | None
    state: str
    allow_cancel: bool = True

    @property
    def label(self) -> str:
        return self.number or f"id {self.id}"


@dataclass(frozen=True)
class SaleFacts:
    sale_id: int
    reference: str
    number: str | None
    state: str
    shipment_state: str
    invoice_state: str
    shipments: tuple[Document, ...]
    invoices: tuple[Document, ...]

    @property
    def label(self) -> str:
        return f"sale {self.number or self.sale_id} ({self.reference})"


@dataclass(frozen=True)
class CancelPlan:
    """What to do to a sale; empty when it is already cancelled."""

    cancel_quotation: bool = False
    process_first: bool = False
    shipments: tuple[int, ...] = ()
    invoices: tuple[int, ...] = ()
    handle_exceptions: bool = False

    @property
    def nothing_to_do(self) -> bool:
        return not (
            self.cancel_quotation
            or self.process_first
            or self.shipments
            or self.invoices
            or self.handle_exceptions
        )


@dataclass(frozen=True)
class SaleCancelled:
    sale_id: int
    reference: str
    number: str | None
    state: str  # the sale's state now: cancelled, or done with nothing shipped/invoiced
    changed: bool  # False: it was already cancelled (a redelivery, a replay)


def is_cancelled(facts: SaleFacts) -> bool:
    """Cancelled, or done the Tryton way with nothing shipped or invoiced."""
    if facts.state == "cancelled":
        return True
    return (
        facts.state == "done"
        and facts.shipment_state == "none"
        and facts.invoice_state == "none"
        and all(s.state == "cancelled" for s in facts.shipments)
        and all(i.state == "cancelled" for i in facts.invoices)
    )


def plan_cancellation(facts: SaleFacts, *, system: str = "erp") -> CancelPlan:
    """The steps that cancel this sale, or a PermanentError saying why a person must."""
    if is_cancelled(facts):
        return CancelPlan()
    gone = [s for s in facts.shipments if s.state in SHIPPED]
    if gone:
        names = ", ".join(f"{s.label} ({s.state})" for s in gone)
        raise PermanentError(
            f"{facts.label} was not cancelled: shipment {names} has already left the "
            f"warehouse, so nothing was changed in {system}. A person must decide: refund and "
            f"return the items in the store (the returns flow books the return), or handle the "
            f"sale in Tryton by hand; then discard or replay this job"
        )
    stuck = [i for i in facts.invoices if i.state != "cancelled" and not i.allow_cancel]
    if stuck:
        names = ", ".join(f"{i.label} ({i.state})" for i in stuck)
        raise PermanentError(
            f"{facts.label} was not cancelled: invoice {names} is posted and the company does "
            f"not allow cancelling customer invoices, so nothing was changed in {system}. Credit "
            f"the invoice in Tryton (Invoice > Credit), cancel the shipments, then replay"
        )
    if facts.state in ("draft", "quotation"):
        return CancelPlan(cancel_quotation=True)
    if facts.state not in _OPEN_SALE:
        raise PermanentError(f"{facts.label} is in state {facts.state!r}: cannot cancel it")
    if facts.state == "confirmed":
        # Confirmed but not processed yet: its shipments and invoice do not exist yet.
        return CancelPlan(process_first=True)
    return CancelPlan(
        shipments=tuple(s.id for s in facts.shipments if s.state != "cancelled"),
        invoices=tuple(i.id for i in facts.invoices if i.state != "cancelled"),
        handle_exceptions=True,
    )


class SaleCancellations:
    def __init__(self, rpc: TrytonRPC, *, system: str) -> None:
        self.rpc = rpc
        self.system = system

    def cancel(self, reference: str) -> SaleCancelled | None:
        """Cancel the sale of `reference`; None when Tryton has no such sale."""
        facts = self.facts(reference)
        if facts is None:
            return None
        plan = plan_cancellation(facts, system=self.system)
        if plan.nothing_to_do:
            return SaleCancelled(facts.sale_id, reference, facts.number, facts.state, False)
        if plan.process_first:
            self.rpc.button("sale.sale", "process", [facts.sale_id])
            facts = self.facts(reference) or facts
            plan = plan_cancellation(facts, system=self.system)
        if plan.cancel_quotation:
            self.rpc.button("sale.sale", "cancel", [facts.sale_id])
        if plan.shipments:
            self.rpc.button("stock.shipment.out", "cancel", list(plan.shipments))
        if plan.invoices:
            self.rpc.button("account.invoice", "cancel", list(plan.invoices))
        if plan.handle_exceptions:
            self._ignore_exceptions(self.facts(reference) or facts)
        final = self.facts(reference)
        if final is None or not is_cancelled(final):
            state = final and (final.state, final.shipment_state, final.invoice_state)
            raise PermanentError(
                f"{facts.label}: after cancelling its shipments and invoices Tryton left it as "
                f"(state, shipment, invoice) = {state}; check the sale in Tryton, then replay"
            )
        return SaleCancelled(final.sale_id, reference, final.number, final.state, True)

    def facts(self, reference: str) -> SaleFacts | None:
        sales = self.rpc.search_read(
            "sale.sale",
            [("reference", "=", reference)],
            [*SALE_FIELDS, "shipments", "invoices"],
            order=[("id", "ASC")],
            context={**self.rpc.context, "active_test": False},
        )
        if not sales:
            return None
        # Should two sales share the reference, the one not cancelled is the live one.
        sale = next((s for s in sales if s["state"] != "cancelled"), sales[0])
        shipments = self.rpc.read("stock.shipment.out", sale["shipments"], ["number", "state"])
        invoices = self.rpc.read(
            "account.invoice", sale["invoices"], ["number", "state", "allow_cancel"]
        )
        return facts_from_records(sale, shipments, invoices)

    def _ignore_exceptions(self, facts: SaleFacts) -> None:
        # Invoices first, as Tryton's own scenario does; only where there is an exception
        # (a sale invoiced on shipment has no invoice to cancel).
        if facts.invoice_state == "exception":
            self._run_wizard(
                "sale.handle.invoice.exception", facts.sale_id, "domain_invoices", "ignore_invoices"
            )
        if facts.shipment_state == "exception":
            self._run_wizard(
                "sale.handle.shipment.exception", facts.sale_id, "domain_moves", "ignore_moves"
            )

    def _run_wizard(self, wizard: str, sale_id: int, offered: str, ignore: str) -> None:
        """Run a handle-exception wizard as a user would: ignore everything it offers."""
        context = {
            **self.rpc.context,
            "active_model": "sale.sale",
            "active_id": sale_id,
            "active_ids": [sale_id],
        }
        session, start, _end = self.rpc.call(f"wizard.{wizard}.create", context=context)
        try:
            view = self.rpc.call(f"wizard.{wizard}.execute", session, {}, start, context=context)
            ids = list((view.get("view") or {}).get("defaults", {}).get(offered) or [])
            if ids:
                data = {start: {offered: ids, ignore: ids}}
                self.rpc.call(f"wizard.{wizard}.execute", session, data, "handle", context=context)
        finally:
            self.rpc.call(f"wizard.{wizard}.delete", session, context=context)


def facts_from_records(
    sale: Mapping[str, Any],
    shipments: Sequence[Mapping[str, Any]],
    invoices: Sequence[Mapping[str, Any]],
) -> SaleFacts:
    return SaleFacts(
        sale_id=int(sale["id"]),
        reference=str(sale["reference"]),
        number=sale.get("number") or None,
        state=str(sale["state"]),
        shipment_state=str(sale.get("shipment_state") or "none"),
        invoice_state=str(sale.get("invoice_state") or "none"),
        shipments=tuple(
            Document(int(s["id"]), s.get("number") or None, str(s["state"])) for s in shipments
        ),
        invoices=tuple(
            Document(
                int(i["id"]),
                i.get("number") or None,
                str(i["state"]),
                bool(i.get("allow_cancel", True)),
            )
            for i in invoices
        ),
    )
