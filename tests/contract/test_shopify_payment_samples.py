"""Shopify's own sample order, read as a payment (orders/paid and orders/updated bodies)."""

from __future__ import annotations

from decimal import Decimal

from causeway.connectors.shopify.payments import payment_from_rest
from causeway.flows.payments_and_invoices import Action, decide
from causeway.model import FinancialStatus
from tests.contract.test_shopify_vendor_samples import load


def test_the_sample_order_is_authorized_not_paid_so_nothing_is_booked() -> None:
    payment = payment_from_rest(load("order.json"))
    assert payment.order_external_id == "450789469" and payment.order_number == "#1001"
    assert payment.financial_status == FinancialStatus.AUTHORIZED
    assert payment.received == 0  # no total_outstanding in this older payload: not paid
    assert decide(payment, in_erp=True) == Action.IGNORE


def test_the_sample_order_once_paid_has_received_its_total() -> None:
    sample = load("order.json")
    sample["order"]["financial_status"] = "paid"
    payment = payment_from_rest(sample)
    assert payment.received == Decimal("409.94") and payment.currency == "USD"
    assert decide(payment, in_erp=True) == Action.PAY
    assert decide(payment, in_erp=False) == Action.WAIT
