"""CRM pipeline to ERP orders, worked out by hand: the company's currency is EUR; one
deal is in dollars at 0.9, one in francs the ERP has no rate for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from causeway.reports import REPORTS, FilterError, ReportFilters
from tests.reports.warehouse_kit import Warehouse, by


@pytest.fixture
def pipeline(warehouse: Warehouse) -> Warehouse:
    warehouse.customer("acme", group="wholesale")
    warehouse.customer("bolt", group="retail")
    # The orders two won deals became: o1 placed (EUR 300 of goods), o2 cancelled.
    warehouse.order("o1", customer="acme", goods_net="300")
    warehouse.order("o2", customer="bolt", goods_net="80", state="cancelled")
    # Sales pipeline: two won (one an order, one lost to cancellation), one lost, one open
    # in USD, one open in CHF without a rate.
    warehouse.deal("d1", state="won", amount="320", customer="acme", order_key="o1")
    warehouse.deal("d2", state="won", amount="80", customer="bolt", order_key="o2")
    warehouse.deal("d3", state="lost", amount="500", customer="bolt")
    warehouse.deal("d4", state="open", amount="1000", currency="USD", rate="0.9",
                   customer="acme", created="2026-04-01")  # fmt: skip
    warehouse.deal("d5", state="open", amount="700", currency="CHF", rate=None)
    # Renewals: one deal whose state the CRM does not say, no amount.
    warehouse.deal("r1", pipeline="renewals", state=None, amount=None, customer="acme")
    return warehouse


def test_each_pipeline_counts_its_deals_by_state_and_the_orders_they_became(
    pipeline: Warehouse,
) -> None:
    rows = by(pipeline.run("crm-deals"), "pipeline")

    sales = rows["default"]
    assert (sales["deals"], sales["open"], sales["won"], sales["lost"]) == (5, 2, 2, 1)
    assert sales["win_rate"] == pytest.approx(2 / 3)  # 2 won of the 3 decided
    assert sales["won_amount"] == D("400")  # 320 + 80
    assert sales["lost_amount"] == D("500")
    assert sales["open_amount"] == D("900")  # USD 1000 x 0.9; the CHF deal left out
    assert sales["unconverted_deals"] == 1
    assert sales["in_erp"] == 2
    assert sales["erp_revenue"] == D("300")  # o1 only: o2 was cancelled
    assert sales["company_currency"] == "EUR"

    renewals = rows["renewals"]
    assert (renewals["deals"], renewals["open"], renewals["won"], renewals["lost"]) == (1, 0, 0, 0)
    assert renewals["win_rate"] is None  # nothing decided: no rate, never 0
    assert renewals["won_amount"] == D("0")
    assert renewals["unconverted_deals"] == 0  # no amount is not an unconverted amount

    assert [r["pipeline"] for r in pipeline.run("crm-deals")] == ["default", "renewals"]


def test_dates_and_customer_group_filter_the_deals(pipeline: Warehouse) -> None:
    april = by(pipeline.run("crm-deals", date_from=date(2026, 4, 1)), "pipeline")
    assert list(april) == ["default"]
    assert (april["default"]["deals"], april["default"]["open_amount"]) == (1, D("900"))

    retail = by(pipeline.run("crm-deals", customer_group="retail"), "pipeline")
    assert (retail["default"]["deals"], retail["default"]["won"]) == (2, 1)  # d2, d3: bolt's
    assert retail["default"]["erp_revenue"] == D("0")


def test_deals_cannot_be_filtered_by_channel(pipeline: Warehouse) -> None:
    pipeline.close()
    with pytest.raises(FilterError, match="cannot be filtered by channel"):
        REPORTS["crm-deals"].run(pipeline.path, ReportFilters(channel="shop"))
