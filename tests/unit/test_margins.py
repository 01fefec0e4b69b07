"""Margin of a sale and of a customer, and the state a deal shows (no I/O)."""

from __future__ import annotations

from decimal import Decimal

from causeway.connectors.tryton.margins import Delivered, LineCost, SaleFigures, erp_state
from causeway.flows.margins_to_crm import customer_totals, fingerprint, money, sale_margin
from causeway.flows.quotes_to_erp import milestones_of

D = Decimal


def sale(
    sale_id: int = 1,
    *,
    untaxed: str = "100.00",
    lines: tuple[LineCost, ...] = (),
    email: str | None = "anna@example.com",
    state: str = "processing",
    shipment: str = "waiting",
    invoice: str = "pending",
) -> SaleFigures:
    return SaleFigures(
        sale_id=sale_id,
        number=f"S{sale_id}",
        reference=f"crm-deal-{sale_id}",
        state=state,
        shipment_state=shipment,
        invoice_state=invoice,
        untaxed_amount=D(untaxed),
        total_amount=D(untaxed),
        currency="USD",
        email=email,
        lines=lines,
    )


def test_an_unshipped_sale_costs_its_products_cost_price_times_quantity() -> None:
    figures = sale(lines=(LineCost(D(3), D("4.2500")), LineCost(D(1), D("12.0000"))))
    assert figures.cost == D("24.75")
    assert figures.margin == D("75.25")


def test_a_shipped_line_costs_what_the_erp_booked_on_its_moves() -> None:
    # The product's cost price moved to 5.00 after the goods left at 4.00.
    line = LineCost(D(3), D("5.0000"), delivered=(Delivered(D(3), D("4.0000")),))
    assert line.cost == D("12.0000")


def test_a_partly_shipped_line_costs_the_shipped_part_as_booked_and_the_rest_at_cost_price() -> (
    None
):
    line = LineCost(D(5), D("5.0000"), delivered=(Delivered(D(2), D("4.0000")),))
    assert line.cost == D("8.0000") + D("15.0000")


def test_a_delivered_move_without_a_cost_takes_the_products_cost_price() -> None:
    line = LineCost(D(2), D("3.0000"), delivered=(Delivered(D(2), None),))
    assert line.cost == D("6.0000")


def test_a_cancelled_sale_earns_nothing_and_counts_for_no_customer_total() -> None:
    cancelled = sale(2, state="cancelled", lines=(LineCost(D(1), D(10)),))
    live = sale(1, untaxed="80.00", lines=(LineCost(D(2), D(15)),))
    assert sale_margin(cancelled) == 0
    (totals,) = customer_totals([cancelled, live]).values()
    assert (totals.order_count, totals.lifetime_value, totals.margin) == (1, D("80.00"), D(50))


def test_a_customer_sums_the_margin_and_value_of_each_of_their_sales() -> None:
    totals = customer_totals(
        [
            sale(1, untaxed="100.00", lines=(LineCost(D(1), D(40)),)),
            sale(2, untaxed="50.50", lines=(LineCost(D(2), D("10.25")),)),
            sale(3, untaxed="70.00", email="bob@example.com"),
            sale(4, untaxed="10.00", email=None),
        ]
    )
    assert set(totals) == {"anna@example.com", "bob@example.com"}
    anna = totals["anna@example.com"]
    assert (anna.margin, anna.lifetime_value, anna.order_count) == (D("90.00"), D("150.50"), 2)
    assert anna.properties() == {
        "email": "anna@example.com",
        "causeway_margin": "90.00",
    }


def test_amounts_are_written_rounded_half_up_to_cents() -> None:
    assert money(D("10.005")) == "10.01"
    assert money(D("-3.3349")) == "-3.33"


def test_the_fingerprint_changes_when_amount_cost_customer_or_cancellation_change() -> None:
    base = sale(lines=(LineCost(D(1), D(10)),))
    variants = [
        sale(untaxed="99.00", lines=base.lines),
        sale(lines=(LineCost(D(1), D(11)),)),
        sale(lines=base.lines, email="other@example.com"),
        sale(lines=base.lines, state="cancelled"),
    ]
    assert len({fingerprint(base), *map(fingerprint, variants)}) == 5
    assert fingerprint(base) == fingerprint(sale(lines=base.lines, shipment="sent"))


def test_the_deal_shows_shipping_and_invoicing_progress() -> None:
    assert erp_state(sale(shipment="waiting", invoice="pending")) == "processing"
    assert erp_state(sale(shipment="sent", invoice="pending")) == "shipped"
    assert erp_state(sale(shipment="sent", invoice="awaiting payment")) == "shipped, invoiced"
    assert erp_state(sale(shipment="partially shipped", invoice="paid")) == (
        "partially shipped, paid"
    )
    assert erp_state(sale(shipment="waiting", invoice="awaiting payment")) == "invoiced"
    assert erp_state(sale(state="cancelled", shipment="sent")) == "cancelled"
    assert erp_state(sale(shipment="exception")) == "exception"


def test_the_erp_state_written_to_a_deal_marks_the_orders_milestones() -> None:
    assert milestones_of("processing") == []
    assert milestones_of("shipped, invoiced") == ["shipped", "invoiced"]
    assert milestones_of("partially shipped, paid") == ["partially_shipped", "paid"]
    assert milestones_of("cancelled") == ["cancelled"]
