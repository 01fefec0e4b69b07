"""Paying a sale's invoice and amending a processing sale, against the real Tryton 8.2."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from causeway.connectors.tryton.connector import PlacedSale, TrytonConnector
from causeway.errors import PermanentError
from causeway.model import TaxLine
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.testkit import TrytonTestKit
from tests.tryton.test_tryton_connector import make_order

pytestmark = pytest.mark.tryton

D = Decimal
METHOD = "Shop payments"
STATE_TAX_6 = TaxLine(title="State Tax", rate=D("0.06"), amount=D(0))


def place(tryton: TrytonConnector, reference: str, lines: list[tuple[str, int, str]]) -> PlacedSale:
    order = make_order(f"#{reference}", lines)
    (result,) = tryton.place_orders([(reference, order)]).values()
    assert isinstance(result, PlacedSale), result
    return result


def test_a_store_payment_posts_and_pays_the_invoice_once(
    tryton: TrytonConnector, unique: str
) -> None:
    reference = f"pay-{unique}"
    sale = place(tryton, reference, [("WID-001", 2, "10.00")])
    before = tryton.sale_invoices([reference])[reference]
    assert [i.state for i in before.invoices] == ["draft"]
    assert before.total == sale.total_amount == D("22.00")

    after, paid_now = tryton.pay_sale_invoices(
        reference, D("22.00"), "USD", payment_method=METHOD, note="store payment"
    )
    assert paid_now
    assert after.paid and after.state == "paid"
    assert after.invoices[0].number and after.invoices[0].amount_to_pay == 0

    again, paid_again = tryton.pay_sale_invoices(
        reference, D("22.00"), "USD", payment_method=METHOD, note="store payment"
    )
    assert not paid_again and again.paid
    (invoice,) = tryton.rpc.read(
        "account.invoice", [after.invoices[0].invoice_id], ["payment_lines"]
    )
    assert len(invoice["payment_lines"]) == 1  # booked once: the second call did nothing


def test_an_invoice_taxed_as_the_store_charged_not_as_the_product_defaults_is_paid(
    tryton: TrytonConnector, unique: str
) -> None:
    # A US state's 6 % where the product's default tax is VAT 10 %: Tryton warns on
    # posting, and the hub accepts that warning because the customer paid the 6 %.
    reference = f"state-tax-{unique}"
    order = make_order(f"#{reference}", [("WID-001", 2, "10.00")], tax=STATE_TAX_6)
    (placed,) = tryton.place_orders([(reference, order)]).values()
    assert isinstance(placed, PlacedSale) and placed.total_amount == D("21.20")

    after, paid_now = tryton.pay_sale_invoices(
        reference, D("21.20"), "USD", payment_method=METHOD, note="store payment"
    )
    assert paid_now and after.paid


def test_an_amount_that_does_not_match_the_invoice_pays_nothing_and_says_why(
    tryton: TrytonConnector, unique: str
) -> None:
    reference = f"short-{unique}"
    place(tryton, reference, [("WID-001", 1, "10.00")])
    with pytest.raises(PermanentError, match=r"received 9\.00 USD but the invoice total is 11"):
        tryton.pay_sale_invoices(reference, D("9.00"), "USD", payment_method=METHOD, note="x")
    invoice = tryton.sale_invoices([reference])[reference].invoices[0]
    assert invoice.state == "draft"


def test_an_unknown_payment_method_is_named(tryton: TrytonConnector, unique: str) -> None:
    reference = f"method-{unique}"
    place(tryton, reference, [("WID-001", 1, "10.00")])
    with pytest.raises(PermanentError, match="no invoice payment method 'Bitcoin'"):
        tryton.pay_sale_invoices(reference, D("11.00"), "USD", payment_method="Bitcoin", note="")


def test_an_edited_quantity_amends_the_processing_sale(
    tryton: TrytonConnector, unique: str
) -> None:
    reference = f"edit-{unique}"
    place(tryton, reference, [("WID-001", 2, "10.00"), ("GAD-001", 1, "25.00")])
    edited = make_order(f"#{reference}", [("WID-001", 5, "10.00")])  # GAD-001 removed

    amended = tryton.amend_sale(reference, edited)
    assert amended.changed == 2
    lines = TrytonTestKit(tryton).read_sale(amended.sale_id)["lines"]
    quantities = {line["product_code"]: D(str(line["quantity"])) for line in lines}
    assert quantities == {"WID-001": 5, "GAD-001": 0}
    assert amended.total_amount == D("55.00")
    assert tryton.amend_sale(reference, edited).changed == 0  # already applied: nothing twice


def test_an_added_line_cannot_be_amended_and_is_named(tryton: TrytonConnector, unique: str) -> None:
    reference = f"add-{unique}"
    place(tryton, reference, [("WID-001", 1, "10.00")])
    edited = make_order(f"#{reference}", [("WID-001", 1, "10.00"), ("GAD-001", 1, "25.00")])
    with pytest.raises(PermanentError, match="the store added GAD-001"):
        tryton.amend_sale(reference, edited)


def test_an_edit_after_shipping_started_is_refused(tryton: TrytonConnector, unique: str) -> None:
    reference = f"shipped-{unique}"
    sale = place(tryton, reference, [("WID-001", 1, "10.00")])
    (record,) = tryton.rpc.read("sale.sale", [sale.sale_id], ["shipments"])
    tryton.rpc.button("stock.shipment.out", "assign_try", record["shipments"])
    tryton.rpc.button("stock.shipment.out", "pick", record["shipments"])
    edited = make_order(f"#{reference}", [("WID-001", 3, "10.00")])
    with pytest.raises(PermanentError, match=r"started shipping \(.*picked\)"):
        tryton.amend_sale(reference, edited)


def test_a_payment_tryton_did_not_finish_marking_is_finished_not_paid_twice(
    tryton: TrytonConnector, tryton_server: TrytonServer, unique: str
) -> None:
    """Tryton marks an invoice paid in a task queued at the payment's commit; a Tryton
    stopped in between leaves it posted with nothing to pay (as the soak's ERP restart
    once did). The retried payment finishes it with Tryton's Process button."""
    reference = f"pay-unfinished-{unique}"
    place(tryton, reference, [("WID-001", 1, "10.00")])
    paid, _ = tryton.pay_sale_invoices(
        reference, D("11.00"), "USD", payment_method=METHOD, note="store payment"
    )
    (invoice,) = paid.invoices
    with sqlite3.connect(tryton_server.db_path) as db:  # the queued task, never run
        db.execute(
            "UPDATE account_invoice SET state = 'posted' WHERE id = ?", (invoice.invoice_id,)
        )
    stuck = tryton.sale_invoices([reference])[reference]
    assert not stuck.paid and stuck.invoices[0].amount_to_pay == 0

    after, _ = tryton.pay_sale_invoices(
        reference, D("11.00"), "USD", payment_method=METHOD, note="store payment"
    )

    assert after.paid
    (read,) = tryton.rpc.read("account.invoice", [invoice.invoice_id], ["payment_lines"])
    assert len(read["payment_lines"]) == 1  # finished, not paid a second time
