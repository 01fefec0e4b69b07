"""Product margin and sell-through, by hand: revenue and cost from the order lines,
ending stock from the ERP's snapshots on the last day up to the range's end."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from tests.reports.warehouse_kit import Warehouse, by


def snapshot(warehouse: Warehouse, day: str, sku: str, quantity: str, *, location: str = "WH",
             kind: str = "erp", system: str = "erp") -> None:  # fmt: skip
    warehouse.add("fact_stock_snapshots", date=date.fromisoformat(day), system=system, kind=kind,
                  location=location, sku=sku, quantity=quantity,
                  out_of_stock=D(quantity) <= 0)  # fmt: skip


@pytest.fixture
def sales(warehouse: Warehouse) -> Warehouse:
    warehouse.add("dim_product", sku="A", title="Anvil", company_currency="EUR")
    # A: 3 units for 90 (cost 54) on 1 March and 1 unit in USD 40 at 0.9 = 36 (cost 20).
    warehouse.line("o1", 1, "A", "3", "90", "54", day="2026-03-01")
    warehouse.line("o2", 1, "A", "1", "40", "20", currency="USD", rate="0.9", day="2026-03-05")
    # B: 2 units for 50, the ERP has not costed them yet; 1 unit for 30 costing 10.
    warehouse.line("o3", 1, "B", "2", "50", None, day="2026-03-02")
    warehouse.line("o3", 2, "B", "1", "30", "10", day="2026-03-02")
    # Cancelled: never sold.
    warehouse.line("o4", 1, "A", "100", "1000", "500", state="cancelled", day="2026-03-02")
    # A's stock: 10 in WH and 2 in WH2 on 31 March; 50 on 1 March (an earlier day).
    snapshot(warehouse, "2026-03-01", "A", "50")
    snapshot(warehouse, "2026-03-31", "A", "10")
    snapshot(warehouse, "2026-03-31", "A", "2", location="WH2")
    snapshot(warehouse, "2026-03-31", "A", "99", kind="channel", system="shop")  # not the ERP's
    # B is oversold: -3 on hand counts as none.
    snapshot(warehouse, "2026-03-31", "B", "-3")
    return warehouse


def test_margin_and_sell_through_per_sku(sales: Warehouse) -> None:
    rows = by(sales.run("product-margin"), "sku")
    a = rows["A"]
    assert a["title"] == "Anvil"
    assert a["units_sold"] == D("4")  # 3 + 1
    assert a["revenue"] == D("126")  # 90 + 40 USD x 0.9
    assert a["cogs"] == D("74")  # 54 + 20
    assert a["margin"] == D("52")  # 126 - 74
    assert a["margin_pct"] == pytest.approx(52 / 126)
    assert a["ending_stock"] == D("12")  # 10 + 2 on 31 March (the ERP's, not the shop's 99)
    assert a["sell_through"] == pytest.approx(4 / 16)  # 4 / (4 + 12)

    b = rows["B"]
    assert b["units_sold"] == D("3")  # every unit counts toward sell-through...
    assert b["uncosted_lines"] == 1  # ...but the uncosted line is left out of the money
    assert (b["revenue"], b["cogs"], b["margin"]) == (D("30"), D("10"), D("20"))
    assert b["ending_stock"] == D("0")
    assert b["sell_through"] == pytest.approx(1.0)  # 3 / (3 + 0)


def test_ending_stock_is_the_last_snapshot_up_to_the_range_s_end(sales: Warehouse) -> None:
    rows = by(sales.run("product-margin", date_to="2026-03-03"), "sku")
    a = rows["A"]
    assert a["units_sold"] == D("3")  # o2 (5 March) is after the range
    assert a["ending_stock"] == D("50")  # the 1 March snapshot
    assert a["sell_through"] == pytest.approx(3 / 53)
    assert rows["B"]["ending_stock"] is None  # no snapshot of B by then
    assert rows["B"]["sell_through"] is None
