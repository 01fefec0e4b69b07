"""Revenue by source, campaign, landing site and referrer (dim_campaign), by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.reports.warehouse_kit import Warehouse, by


def test_revenue_and_share_per_attribution(warehouse: Warehouse) -> None:
    warehouse.add("dim_campaign", campaign_key="k1", source="google", campaign="spring",
                  medium="cpc", landing_site="/sale", referrer="google.com")  # fmt: skip
    warehouse.add("dim_campaign", campaign_key="k2", source="newsletter", campaign="march",
                  medium="email", landing_site="/", referrer="direct")  # fmt: skip
    warehouse.order("o1", goods_net="100", campaign_key="k1")
    warehouse.order("o2", goods_net="50", currency="USD", rate="0.9", campaign_key="k1")  # 45
    warehouse.order("o3", goods_net="30", campaign_key="k2")
    warehouse.order("o4", goods_net="25")  # no attribution
    warehouse.order("o5", goods_net="999", campaign_key="k2", state="cancelled")

    rows = by(warehouse.run("attribution"), "source")
    google = rows["google"]
    assert (google["campaign"], google["landing_site"], google["referrer"]) == (
        "spring",
        "/sale",
        "google.com",
    )
    assert google["orders"] == 2
    assert google["revenue"] == D("145")  # 100 + 50 USD x 0.9
    assert google["average_order"] == D("72.5")  # 145 / 2
    assert google["share"] == pytest.approx(145 / 200)  # of 145 + 30 + 25
    assert rows["newsletter"]["revenue"] == D("30")  # the cancelled o5 left out
    assert rows["(none)"]["revenue"] == D("25")
    assert rows["(none)"]["share"] == pytest.approx(25 / 200)
