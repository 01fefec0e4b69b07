"""The decisions of payments-and-invoices and of order edits, without any system."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.connectors.shopify.mapping import order_from_rest
from causeway.connectors.shopify.payments import payment_from_rest
from causeway.connectors.tryton.amendments import SaleLineRow, plan_amendment, wanted_quantities
from causeway.connectors.tryton.invoices import InvoiceState, SaleInvoices, check_amount
from causeway.engine.inbox import InboxRecord
from causeway.engine.links import Link
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.flows.orders_to_erp.order_edits import is_edit, lines_fingerprint
from causeway.flows.payments_and_invoices import Action, decide, invoice_summary, milestones
from causeway.hub import Hub
from causeway.model import FinancialStatus
from causeway.model.payment import OrderPayment

D = Decimal


def rest_order(**extra: Any) -> dict[str, Any]:
    return {
        "id": 501,
        "name": "#1501",
        "currency": "EUR",
        "created_at": "2026-03-01T10:00:00+01:00",
        "updated_at": "2026-03-01T10:05:00+01:00",
        "subtotal_price": "30.00",
        "total_tax": "3.00",
        "total_price": "33.00",
        "financial_status": "paid",
        "line_items": [
            {"id": 1, "title": "Widget", "sku": "WID-001", "quantity": 2, "price": "10.00"},
            {"id": 2, "title": "Gadget", "sku": "GAD-001", "quantity": 1, "price": "10.00"},
        ],
        **extra,
    }


def payment(
    status: FinancialStatus = FinancialStatus.PAID, received: str = "33.00"
) -> OrderPayment:
    return OrderPayment(
        order_external_id="501",
        order_number="#1501",
        financial_status=status,
        currency="EUR",
        received=D(received),
        updated_at=datetime(2026, 3, 1, tzinfo=UTC),
    )


def invoice(state: str, number: str | None = "INV-7", total: str = "33.00") -> InvoiceState:
    return InvoiceState(7, number, state, D(total), D(total) if state != "paid" else D(0), "EUR")


def sale(*invoices: InvoiceState) -> SaleInvoices:
    return SaleInvoices("shop-1501", 3, "SO3", "processing", tuple(invoices))


# -- what a payment event asks --------------------------------------------------------------


def test_only_a_fully_paid_order_is_booked() -> None:
    assert decide(payment(FinancialStatus.PENDING), in_erp=True) == Action.IGNORE
    assert decide(payment(FinancialStatus.PARTIALLY_PAID), in_erp=True) == Action.IGNORE
    assert decide(payment(FinancialStatus.AUTHORIZED), in_erp=True) == Action.IGNORE
    assert decide(payment(), in_erp=True) == Action.PAY


def test_a_paid_order_not_yet_in_the_erp_waits() -> None:
    assert decide(payment(), in_erp=False) == Action.WAIT


def test_paid_with_nothing_received_is_an_invalid_payload() -> None:
    with pytest.raises(InvalidPayloadError, match="marked paid but received 0"):
        decide(payment(received="0"), in_erp=True)


def test_received_is_the_current_total_less_what_is_outstanding() -> None:
    assert payment_from_rest(rest_order()).received == D("33.00")  # paid, no outstanding field
    partly = rest_order(financial_status="partially_paid", total_outstanding="13.00")
    assert payment_from_rest(partly).received == D("20.00")
    edited = rest_order(current_total_price="22.00", total_outstanding="0.00")
    assert payment_from_rest(edited).received == D("22.00")
    assert payment_from_rest(rest_order(financial_status="pending")).received == 0


def test_a_payment_payload_that_is_not_an_order_names_the_field() -> None:
    with pytest.raises(InvalidPayloadError, match="total_price"):
        payment_from_rest({"id": 1, "name": "#1", "currency": "EUR", "updated_at": "2026-01-01"})


# -- the invoice side -------------------------------------------------------------------------


def test_the_store_amount_must_match_the_invoice_total() -> None:
    check_amount(sale(invoice("draft")), D("33.00"), "EUR")
    with pytest.raises(
        PermanentError, match=r"received 30\.00 EUR but the invoice total is 33\.00"
    ):
        check_amount(sale(invoice("draft")), D("30.00"), "EUR")
    with pytest.raises(PermanentError, match="paid in USD but the invoice is in EUR"):
        check_amount(sale(invoice("draft")), D("33.00"), "USD")


def test_an_orders_invoice_state_is_its_least_advanced_invoice() -> None:
    assert sale().state is None and not sale().paid
    assert sale(invoice("paid"), invoice("posted")).state == "posted"
    assert sale(invoice("paid"), invoice("paid")).paid


def test_milestones_follow_the_invoice() -> None:
    assert milestones(sale(invoice("draft", number=None))) == []
    assert [m for m, _ in milestones(sale(invoice("posted")))] == ["invoiced"]
    reached = dict(milestones(sale(invoice("paid"))))
    assert reached["paid"] == {"invoice": "INV-7", "amount": "33.00"}
    assert invoice_summary(sale(invoice("paid"))) == {
        "invoice_number": "INV-7",
        "invoice_state": "paid",
        "invoice_total": "33.00",
    }


# -- order edits ------------------------------------------------------------------------------


def link(updated_at: float | None) -> Link:
    return Link("hub1", "shop", "order", "501", "in_erp", updated_at)


def test_an_edit_is_a_newer_event_with_other_quantities() -> None:
    placed = order_from_rest(rest_order())
    known = lines_fingerprint(placed)
    edited = order_from_rest(
        rest_order(
            line_items=[
                {
                    "id": 1,
                    "title": "W",
                    "sku": "WID-001",
                    "quantity": 2,
                    "current_quantity": 3,
                    "price": "10.00",
                },
                {"id": 2, "title": "G", "sku": "GAD-001", "quantity": 1, "price": "10.00"},
            ]
        )
    )
    assert is_edit(edited, 200.0, link(100.0), known)
    assert not is_edit(edited, 100.0, link(100.0), known)  # not newer: a redelivery
    assert not is_edit(edited, 50.0, link(100.0), known)  # stale: never applies
    assert not is_edit(placed, 200.0, link(100.0), known)  # newer, lines unchanged
    assert is_edit(placed, 200.0, link(100.0), None)  # placed before fingerprints: check


def test_the_fingerprint_is_quantity_per_sku_whatever_the_line_order() -> None:
    a = order_from_rest(rest_order())
    b = order_from_rest(rest_order(line_items=list(reversed(rest_order()["line_items"]))))
    assert lines_fingerprint(a) == lines_fingerprint(b)


def test_a_removed_line_leaves_the_order_and_current_quantity_wins() -> None:
    order = order_from_rest(
        rest_order(
            line_items=[
                {
                    "id": 1,
                    "title": "W",
                    "sku": "WID-001",
                    "quantity": 2,
                    "current_quantity": 5,
                    "price": "10.00",
                },
                {
                    "id": 2,
                    "title": "G",
                    "sku": "GAD-001",
                    "quantity": 1,
                    "current_quantity": 0,
                    "price": "10.00",
                },
            ]
        )
    )
    assert [(line.sku, line.quantity) for line in order.lines] == [("WID-001", 5)]


def row(line_id: int, sku: str, quantity: str) -> SaleLineRow:
    return SaleLineRow(line_id, sku, D(quantity), {})


def test_the_amendment_plan_changes_only_what_differs() -> None:
    lines = [row(1, "WID-001", "2"), row(2, "GAD-001", "1"), row(3, "SKU-0001", "1")]
    wanted = {"WID-001": D(4), "SKU-0001": D(1)}  # GAD-001 removed
    assert plan_amendment("#1501", wanted, lines) == {1: D(4), 2: D(0)}
    assert (
        plan_amendment("#1501", {"WID-001": D(2), "GAD-001": D(1), "SKU-0001": D(1)}, lines) == {}
    )


def test_a_sku_on_two_sale_lines_gets_its_quantity_on_the_first() -> None:
    lines = [row(1, "WID-001", "2"), row(2, "WID-001", "1")]
    assert plan_amendment("#1501", {"WID-001": D(5)}, lines) == {1: D(5), 2: D(0)}


def test_an_added_sku_cannot_be_amended_and_is_named() -> None:
    with pytest.raises(PermanentError, match="the store added GAD-001"):
        plan_amendment("#1501", {"WID-001": D(1), "GAD-001": D(1)}, [row(1, "WID-001", "1")])


def test_service_skus_are_not_part_of_the_wanted_quantities() -> None:
    order = order_from_rest(rest_order())
    assert wanted_quantities(order, skip=("GAD-001",)) == {"WID-001": D(2)}


# -- wiring ---------------------------------------------------------------------------------


def test_a_paid_order_starts_a_payment_job_behind_the_orders_own_job(tmp_path: Path) -> None:
    systems = {
        "shop": {"type": "shopify", "shop_url": "http://127.0.0.1:9", "access_token": "t"}
        | {"webhook_secret": "s"},
        "erp": {"type": "tryton", "url": "http://127.0.0.1:9", "database": "d"}
        | {"username": "u", "password": "p"},
    }
    flows = {
        "orders-to-erp": {"source": "shop", "target": "erp"},
        "payments-and-invoices": {"source": "shop", "target": "erp"},
    }
    config = parse_config(
        {"store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"}, "systems": systems, "flows": flows},
        env={},
    )
    hub = Hub(config)
    try:
        wired = hub.wired["payments-and-invoices"]
        assert wired.schedule.describe() == "realtime, every 5m"
        assert wired.run_payload == {"refresh": True}
        assert config.flows.payments_and_invoices is not None
        assert config.flows.payments_and_invoices.payment_method == "Shop payments"
        record = InboxRecord("shop", "e1", "orders/paid", "order:501", b"{}")
        jobs = hub.route(record, 1)
        assert [(j.flow, j.ordering_key) for j in jobs] == [
            ("orders-to-erp", "shop:order:501"),
            ("payments-and-invoices", "shop:order:501"),
        ]
        created = InboxRecord("shop", "e2", "orders/create", "order:501", b"{}")
        assert [j.flow for j in hub.route(created, 2)] == ["orders-to-erp"]
    finally:
        hub.stop()
