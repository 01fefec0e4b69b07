"""Stock-out days per SKU and location, the ERP's and a channel's, by hand."""

from __future__ import annotations

import pytest

from tests.reports.test_product_margin import snapshot
from tests.reports.warehouse_kit import Warehouse, by


def test_days_out_of_stock_per_sku_system_and_location(warehouse: Warehouse) -> None:
    # The ERP: A out on 2 and 3 March of 4 days observed.
    for day, quantity in (("01", "3"), ("02", "0"), ("03", "-1"), ("04", "5")):
        snapshot(warehouse, f"2026-03-{day}", "A", quantity)
    # The shop showed A sold out on 3 and 4 March (it lags the ERP).
    for day, quantity in (("02", "1"), ("03", "0"), ("04", "0")):
        snapshot(warehouse, f"2026-03-{day}", "A", quantity, kind="channel", system="shop",
                 location="online")  # fmt: skip

    rows = by(warehouse.run("stock-outs"), "kind", "system")
    erp = rows["erp", "erp"]
    assert (erp["out_of_stock_days"], erp["days_observed"]) == (2, 4)
    assert erp["share"] == pytest.approx(0.5)
    assert (str(erp["first_out"]), str(erp["last_out"])) == ("2026-03-02", "2026-03-03")
    shop = rows["channel", "shop"]
    assert (shop["out_of_stock_days"], shop["days_observed"]) == (2, 3)

    only_shop = warehouse.run("stock-outs", channel="shop", date_from="2026-03-04")
    assert [(r["system"], r["out_of_stock_days"]) for r in only_shop] == [("shop", 1)]
