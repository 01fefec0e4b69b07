"""A CSV order's amounts: taxed per line as the ERP taxes it, so its sale matches to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from causeway.connectors.files.reading import parse_orders
from causeway.connectors.tryton.sale_lines import Services, TrytonProduct, sale_lines
from causeway.connectors.tryton.taxes import TrytonTax
from causeway.model.amounts import order_amounts
from causeway.model.consistency import inconsistencies
from tests.tryton_arithmetic import computed_by_tryton
from tests.unit.test_files_orders import csv_bytes, folder

D = Decimal
VAT = TrytonTax(1, "VAT 10%", D("0.10"))
PRODUCTS = {s: TrytonProduct(i, s, 1, "goods") for i, s in enumerate(["WID-001", "GAD-001"], 1)}
SERVICES = Services(shipping=TrytonProduct(90, "SHIPPING", 1, "service"))


@pytest.mark.parametrize("included", [False, True])
def test_three_lines_of_1_23_at_10_percent_are_taxed_per_line(included: bool) -> None:
    # Once over the order, 10 % of 3.69 is 0.369 -> 0.37; Tryton rounding per line can only
    # make 3 x 0.12 = 0.36 of it. The file's order is taxed per line, as the ERP will.
    rows = [f"1001,2026-11-27,a@example.com,Ann,,,,,WID-00{n},,1,1.23,,10%" for n in (1, 1, 1)]
    (order,) = parse_orders("o.csv", csv_bytes(*rows), folder(prices_include_tax=included)).orders
    assert order.total_tax == (D("0.33") if included else D("0.36"))
    assert [t.amount for line in order.lines for t in line.tax_lines] == [order.total_tax / 3] * 3
    assert inconsistencies(order) == []

    values = sale_lines(order, PRODUCTS, [VAT], SERVICES, rounding="line")
    erp, amounts = computed_by_tryton(values, [VAT]), order_amounts(order)
    assert (erp.untaxed, erp.tax) == (amounts.untaxed, amounts.tax)


def test_shipping_is_taxed_on_its_own_line() -> None:
    row = "1001,2026-11-27,a@example.com,Ann,,,,,GAD-001,,1,25.00,4.95,10%"
    (order,) = parse_orders("o.csv", csv_bytes(row), folder()).orders
    (ship,) = order.shipping_lines
    assert ship.tax_lines[0].amount == D("0.50")  # 0.495, half up
    assert (order.total_tax, order.total) == (D("3.00"), D("32.95"))
    assert inconsistencies(order) == []
