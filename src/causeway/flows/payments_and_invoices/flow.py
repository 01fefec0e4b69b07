"""payments-and-invoices: the store's payment reaches the ERP invoice, and the
invoice's state comes back to the hub's order record.

Started by the orders/paid and orders/updated webhooks of each store it serves (only a
paid order does anything), with the order's ordering key, so it runs after
orders-to-erp's job for the same order; each store's payments are booked with its own
payment method. The ERP connector posts and pays the sale's invoice at most once
(the invoice's own state is the record). A scheduled run reads the invoice states
of recent orders back: an invoice posted or paid in the ERP by a person shows up on
the order too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from causeway.engine import entities, links, timeline
from causeway.engine.inbox import Inbox, InboxRecord, StoredEvent
from causeway.engine.jobs import NewJob, ordering_key
from causeway.engine.store import Store
from causeway.errors import InvalidPayloadError, RetryableError
from causeway.flows.base import FlowBase
from causeway.flows.channels import channel_of
from causeway.flows.events import json_object
from causeway.flows.orders_to_erp import ORDER
from causeway.model import FinancialStatus
from causeway.model.payment import OrderPayment
from causeway.model.ports.channel import PaymentChannel
from causeway.model.ports.erp import ErpInvoices, SaleInvoices
from causeway.model.topics import ORDER_PAID, ORDER_UPDATED
from causeway.notifications.order_mail import OrderMail
from causeway.orders.record import merge_summary, read_summary

log = logging.getLogger("causeway.flows.payments_and_invoices")

NAME = "payments-and-invoices"
TOPICS = (ORDER_PAID, ORDER_UPDATED)
INVOICE = "invoice"
# Invoice states after which nothing changes any more: not read back again.
FINAL = ("paid", "cancelled")


class Action(StrEnum):
    PAY = "pay"
    WAIT = "wait"  # the order is not in the ERP yet
    IGNORE = "ignore"  # not paid (yet), or only partly: nothing to book


def decide(payment: OrderPayment, in_erp: bool) -> Action:
    """What a payment event asks of the ERP.

    Only a fully paid order is booked: a partial payment would leave Tryton asking
    how to treat the rest, so it waits for the orders/paid that follows.
    """
    if payment.financial_status != FinancialStatus.PAID:
        return Action.IGNORE
    if payment.received <= 0:
        raise InvalidPayloadError(
            f"order {payment.order_number} is marked paid but received {payment.received} "
            f"{payment.currency}: check the order's transactions in the store"
        )
    return Action.PAY if in_erp else Action.WAIT


def invoice_summary(sale: SaleInvoices) -> dict[str, Any]:
    numbers = [i.number for i in sale.invoices if i.number]
    return {
        "invoice_number": ", ".join(numbers) or None,
        "invoice_state": sale.state,
        "invoice_total": str(sale.total),
    }


def milestones(sale: SaleInvoices) -> list[tuple[str, dict[str, Any]]]:
    """The timeline milestones an order's invoices have reached."""
    reached: list[tuple[str, dict[str, Any]]] = []
    detail = {"invoice": ", ".join(i.number for i in sale.invoices if i.number)}
    if sale.state in ("posted", "paid"):
        reached.append(("invoiced", detail))
    if sale.state == "paid":
        reached.append(("paid", detail | {"amount": str(sale.total)}))
    return reached


def payment_job(source: str, record: InboxRecord, inbox_id: int) -> NewJob:
    # The order's own key: this job runs after orders-to-erp's job of the same order.
    return NewJob(NAME, ordering_key(source, record.entity_key), {"inbox_id": inbox_id})


@dataclass(frozen=True)
class StorePayments:
    """One store the flow serves: its connector, and the ERP payment method its
    payments are booked with."""

    system: str
    connector: PaymentChannel
    payment_method: str


@dataclass(frozen=True)
class LinkedOrder:
    hub_id: str
    reference: str


class PaymentsAndInvoices(FlowBase[None]):
    name = NAME
    batch_size = 20
    exclusive = False

    def __init__(
        self,
        store: Store,
        inbox: Inbox,
        *,
        channels: Mapping[str, StorePayments],
        target: str,
        target_connector: ErpInvoices,
        refresh_recent: int = 200,
        mail: OrderMail | None = None,
    ) -> None:
        self.mail = mail  # one invoice_issued e-mail per invoice (docs/notifications.md)
        if not channels:
            raise ValueError(f"{NAME} needs at least one channel")
        self.store = store
        self.inbox: Inbox = inbox
        self.channels = dict(channels)
        self.target = target
        self.target_connector = target_connector
        self.refresh_recent = refresh_recent

    def on_run(self, payload: Mapping[str, Any]) -> None:
        self.refresh()

    # -- a payment event ----------------------------------------------------------------
    def validate_event(self, event: StoredEvent) -> object:
        """The payment the store's connector reads; nothing booked."""
        channel = channel_of(NAME, self.channels, event)
        return channel.connector.payment_from_webhook(json_object(event))

    def on_event(self, event: StoredEvent) -> None:
        channel = channel_of(NAME, self.channels, event)
        payment = channel.connector.payment_from_webhook(json_object(event))
        linked = self._linked(channel.system, payment.order_external_id)
        action = decide(payment, linked is not None)
        if action == Action.IGNORE:
            return
        if action == Action.WAIT or linked is None:
            raise RetryableError(
                f"order {payment.order_number} is not in {self.target} yet: its payment "
                f"waits for orders-to-erp"
            )
        sale, paid_now = self.target_connector.pay_sale_invoices(
            linked.reference,
            payment.received,
            payment.currency,
            payment_method=channel.payment_method,
            note=f"{channel.system} payment of order {payment.order_number}",
        )
        if paid_now:
            log.info("paid the invoice of %s: %s", payment.order_number, payment.received)
        self._record(linked.hub_id, sale)

    def _linked(self, source: str, external_id: str) -> LinkedOrder | None:
        with self.store.read() as conn:
            link = links.find(conn, source, ORDER, external_id)
            if link is None or link.fingerprint != "in_erp":
                return None
            reference = read_summary(conn, link.hub_id).get("reference")
        return LinkedOrder(link.hub_id, str(reference)) if reference else None

    def _record(self, hub_id: str, sale: SaleInvoices) -> None:
        with self.store.transaction() as conn:
            self._record_in(conn, hub_id, sale)

    def _record_in(self, conn: Connection, hub_id: str, sale: SaleInvoices) -> None:
        """Invoice links, summary and milestones of one order, in the caller's transaction."""
        for invoice in sale.invoices:
            links.save(
                conn,
                hub_id=hub_id,
                system=self.target,
                entity_type=INVOICE,
                external_id=str(invoice.invoice_id),
                fingerprint=invoice.state,
            )
        merge_summary(conn, hub_id, invoice_summary(sale))
        for milestone, detail in milestones(sale):
            timeline.record(conn, hub_id, milestone, detail=detail)
        if self.mail is not None:
            for invoice in sale.invoices:
                if invoice.number and invoice.state in ("posted", "paid"):
                    facts = {"invoice_number": invoice.number, "amount": str(sale.total)}
                    self.mail.send(
                        conn, hub_id, "invoice_issued", occurrence=invoice.number, facts=facts
                    )

    # -- the scheduled read-back ------------------------------------------------------------
    def refresh(self) -> int:
        """Read the invoice states of recent orders not yet final; returns how many changed."""
        with self.store.read() as conn:
            recent = entities.newest(conn, ORDER, self.refresh_recent)
        wanted: dict[str, tuple[str, str | None]] = {}
        for hub_id, summary in recent:
            if summary.get("reference") and summary.get("invoice_state") not in FINAL:
                wanted[summary["reference"]] = (hub_id, summary.get("invoice_state"))
        if not wanted:
            return 0
        found = self.target_connector.sale_invoices(list(wanted))
        changed = 0
        with self.store.transaction() as conn:
            for reference, sale in found.items():
                hub_id, known = wanted[reference]
                if sale.state is None or sale.state == known:
                    continue
                self._record_in(conn, hub_id, sale)
                changed += 1
        if changed:
            log.info("invoice states of %d orders changed in %s", changed, self.target)
        return changed
