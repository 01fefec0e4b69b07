"""Reading a sale as it stands (the console's "refresh from the systems"), against the
real Tryton 8.2: its amounts, lines, shipment with carrier and tracking, and invoice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from causeway.connectors.tryton.connector import PlacedSale, TrytonConnector
from causeway_sandbox.tryton.warehouse import open_shipments, ship
from tests.tryton.test_tryton_connector import make_order

pytestmark = pytest.mark.tryton

D = Decimal


def test_a_shipped_and_paid_sale_reads_with_its_lines_tracking_and_invoice(
    tryton: TrytonConnector, unique: str
) -> None:
    reference = f"read-{unique}"
    order = make_order(
        f"#{reference}", [("WID-001", 2, "10.00"), ("GAD-001", 1, "5.00")], shipping="4.00"
    )
    (placed,) = tryton.place_orders([(reference, order)]).values()
    assert isinstance(placed, PlacedSale), placed
    (shipment_id,) = open_shipments(tryton.rpc, placed.sale_id)
    ship(tryton.rpc, shipment_id, tracking_number="1Z999AA10123456784", carrier="UPS")
    tryton.pay_sale_invoices(
        reference, placed.total_amount, "USD", payment_method="Shop payments", note="paid"
    )

    sales = tryton.read_sales([reference, f"nothing-{unique}"])

    assert list(sales) == [reference]  # a reference without a sale is left out
    sale = sales[reference]
    assert (sale.sale_id, sale.number, sale.currency) == (placed.sale_id, placed.number, "USD")
    assert sale.total_amount == placed.total_amount
    assert sale.untaxed_amount + sale.tax_amount == sale.total_amount
    goods = {line.sku: (line.quantity, line.unit_price) for line in sale.lines if not line.service}
    assert goods["WID-001"] == (D(2), D("10.00"))
    assert goods["GAD-001"] == (D(1), D("5.00"))
    (shipment,) = sale.shipments
    assert (shipment.state, shipment.carrier, shipment.tracking_number) == (
        "done",
        "UPS",
        "1Z999AA10123456784",
    )
    (invoice,) = sale.invoices
    assert invoice.state == "paid" and invoice.total_amount == placed.total_amount
    assert sale.invoice_state == "paid" and sale.shipment_state == "sent"
    assert [(line.sku, line.amount) for line in sale.lines if line.service] == [
        ("SHIPPING", D("4.00"))
    ]
