"""What the warehouse reads from the real Tryton 8.2 (connectors/tryton/reporting.py):
a sale's cost of goods, its done shipments and invoices, the products and the exchange
rates, each in a fixed number of calls whatever the number of sales."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from causeway.connectors.tryton.connector import PlacedSale, TrytonConnector
from causeway.connectors.tryton.reporting import _shares
from causeway.model.ports.erp_reporting import ErpReporting
from causeway_sandbox.tryton.testkit import TrytonTestKit
from causeway_sandbox.tryton.warehouse import open_shipments, ship
from tests.tryton.test_tryton_connector import make_order

pytestmark = pytest.mark.tryton

D = Decimal


def place(tryton: TrytonConnector, reference: str, lines: list[tuple[str, int, str]]) -> int:
    order = make_order(f"#{reference}", lines, shipping="4.00")
    (placed,) = tryton.place_orders([(reference, order)]).values()
    assert isinstance(placed, PlacedSale), placed
    return placed.sale_id


def test_the_connector_is_the_reporting_port(tryton: TrytonConnector) -> None:
    assert isinstance(tryton, ErpReporting)
    assert tryton.company_currency() == "USD"


def test_a_sale_shipped_in_part_and_invoiced_gives_its_cost_shipment_and_invoice(
    tryton: TrytonConnector, unique: str
) -> None:
    kit = TrytonTestKit(tryton)
    sku = f"REP-{unique}"
    kit.ensure_product(sku, f"Lamp {unique}", D("10.00"), D("4.00"), D(50))
    sale_id = place(tryton, f"rep-{unique}", [(sku, 3, "10.00")])
    (shipment_id,) = open_shipments(tryton.rpc, sale_id)
    shipped = ship(tryton.rpc, shipment_id, tracking_number=None, carrier="UPS", only={sku: 2})
    tryton.pay_sale_invoices(
        f"rep-{unique}", D("37.00"), "USD",
        payment_method="Shop payments", note="paid",
    )  # fmt: skip

    before = tryton.rpc.calls
    costs = tryton.sale_costs([sale_id, 999_999_999])
    shipments = tryton.sale_shipments([sale_id, 999_999_999])
    invoices = tryton.sale_invoice_facts([sale_id, 999_999_999])
    assert tryton.rpc.calls - before == 3 + 4 + 2

    assert list(costs) == [sale_id]  # a sale Tryton does not have is left out
    (line,) = costs[sale_id].lines  # the shipping line is not goods
    # 2 shipped at the 4.00 Tryton booked on their moves, 1 still to ship at the product's 4.00
    assert (line.sku, line.quantity, line.cost) == (sku, D(3), D(2) * D("4.00") + D("4.00"))
    assert costs[sale_id].state == "processing"

    assert list(shipments) == [sale_id]
    (done,) = shipments[sale_id]
    assert (done.shipment_id, done.number, done.units) == (shipment_id, shipped["number"], D(2))
    assert (done.warehouse, done.carrier, done.sale_id) == ("WH", "UPS", sale_id)
    # UPS's cost: its carrier product's cost price (scripts/tryton/setup_business.py), which
    # module sale_shipment_cost's carrier gives a shipment when it is done.
    assert (done.cost, done.cost_currency) == (D("6.50"), "USD")
    assert dt.datetime.now(dt.UTC) - done.shipped_at < dt.timedelta(minutes=5)

    assert list(invoices) == [sale_id]
    (invoice,) = invoices[sale_id]
    assert (invoice.state, invoice.currency, invoice.sale_id) == ("paid", "USD", sale_id)
    assert invoice.total_amount == D("37.00")  # 3 x 10.00 + 10 % tax, 4.00 shipping
    assert invoice.invoice_date is not None


def test_a_shipment_of_several_sales_splits_its_cost_by_units() -> None:
    # Tryton would need a warehouse user to merge two sales' shipments; the split is ours.
    assert _shares(D("6.50"), {1: D(1), 2: D(2)}) == {1: D("2.17"), 2: D("4.33")}
    assert _shares(D("6.50"), {1: D(3)}) == {1: D("6.50")}
    assert _shares(None, {1: D(3)}) == {}


def test_products_come_with_their_cost_price(tryton: TrytonConnector, unique: str) -> None:
    sku = f"PRD-{unique}"
    TrytonTestKit(tryton).ensure_product(sku, f"Chair {unique}", D("80.00"), D("31.50"))
    before = tryton.rpc.calls
    products = {p.sku: p for p in tryton.product_facts()}
    assert tryton.rpc.calls - before == 1
    assert (products[sku].title, products[sku].cost_price) == (f"Chair {unique}", D("31.50"))


def unused_currency_code(tryton: TrytonConnector) -> str:
    taken = {r["code"] for r in tryton.rpc.search_read("currency.currency", [], ["code"])}
    return next(
        code
        for a in "QXZ"
        for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        if (code := f"{a}{b}T") not in taken
    )


def test_a_rate_added_in_tryton_comes_back_as_company_units_per_unit(
    tryton: TrytonConnector,
) -> None:
    company_rates = tryton.rpc.search_read(
        "currency.currency.rate", [("currency.code", "=", "USD")], ["rate"]
    )
    assert {D(str(r["rate"])) for r in company_rates} <= {D(1)}  # USD is Tryton's base here
    code = unused_currency_code(tryton)
    # Tryton's rate: 0.8 of the currency buys one dollar, so one unit is 1.25 dollars.
    currency = TrytonTestKit(tryton).ensure_currency(code, f"Test {code}", code, D("0.8"))
    tryton.rpc.create(
        "currency.currency.rate",
        [{"currency": currency, "date": dt.date(2026, 1, 1), "rate": D("0.5")}],
    )

    before = tryton.rpc.calls
    rates = tryton.currency_rates([code, "USD"])
    assert tryton.rpc.calls - before <= 2  # the rates, and the company currency once

    assert [(r.currency, r.date, r.rate) for r in rates] == [
        (code, dt.date(2020, 1, 1), D("1.25")),
        (code, dt.date(2026, 1, 1), D("2")),
    ]


def test_nothing_asked_costs_no_call(tryton: TrytonConnector) -> None:
    tryton.company_currency()  # read once per connector
    before = tryton.rpc.calls
    assert tryton.sale_costs([]) == {}
    assert tryton.sale_shipments([]) == {}
    assert tryton.sale_invoice_facts([]) == {}
    assert tryton.currency_rates([]) == []
    assert tryton.currency_rates(["USD"]) == []  # the company's own: 1 on every date
    assert tryton.rpc.calls == before
