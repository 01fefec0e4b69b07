"""Customer profitability, per customer and per RFM segment, worked out by hand: the
company's currency is EUR; one of Alice's orders is in dollars at 0.9 EUR per USD.
profit = revenue + shipping charged - cost of goods - shipping cost - refunds - fees."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from causeway.reports import REPORTS, ReportFilters
from tests.reports.warehouse_kit import Warehouse, by


@pytest.fixture
def shop(warehouse: Warehouse) -> Warehouse:
    warehouse.customer("alice", group="retail", rfm="champions")
    warehouse.customer("bob", group="wholesale", rfm="new")
    # o1: Alice, EUR: 2 x A for 100 net (10 off), 5 shipping charged, cost 60, shipped
    # for 7, fee 3.20, 1 A refunded 50: 100 + 5 - 60 - 7 - 50 - 3.2 = -15.2.
    warehouse.order("o1", customer="alice", goods_net="100", discounts="10", shipping="5")
    warehouse.shipped("o1", 1, "7")
    warehouse.line("o1", 1, "A", "2", "100", "60", customer="alice")
    warehouse.fee("o1", "3.20")
    warehouse.refund("o1", "A", "1", "50", customer="alice")
    # o2: Alice, USD 200 at 0.9 = EUR 180; cost EUR 90 (the ERP books in EUR);
    # fee USD 6 = EUR 5.40; its carrier charged USD 10 at 0.9 on the ship date = EUR 9:
    # 180 - 90 - 9 - 5.4 = 75.6.
    warehouse.order("o2", channel="amazon", customer="alice", currency="USD", rate="0.9",
                    goods_net="200", day="2026-03-10")  # fmt: skip
    warehouse.line("o2", 1, "B", "4", "200", "90", channel="amazon", customer="alice",
                   currency="USD", rate="0.9", day="2026-03-10")  # fmt: skip
    warehouse.fee("o2", "6", channel="amazon", currency="USD", rate="0.9", day="2026-03-10")
    warehouse.shipped("o2", 2, "10", channel="amazon", currency="USD", rate="0.9")
    # o3: Bob, cancelled: counts for nothing.
    warehouse.order("o3", customer="bob", goods_net="500", state="cancelled")
    warehouse.line("o3", 1, "A", "10", "500", "300", customer="bob", state="cancelled")
    # o4: Bob, EUR 40, cost 25, no fee configured, shipped for 4 EUR: 40 - 25 - 4 = 11;
    # a second parcel's cost is in CHF, which the ERP has no rate for: not summed.
    warehouse.order("o4", customer="bob", goods_net="40", day="2026-04-01")
    warehouse.line("o4", 1, "C", "1", "40", "25", customer="bob", day="2026-04-01")
    warehouse.shipped("o4", 4, "4", day="2026-04-02")
    warehouse.shipped("o4", 5, "3", currency="CHF", rate=None, day="2026-04-02")
    # o5: a guest's order in CHF the ERP has no rate for: counted, never summed.
    warehouse.order("o5", currency="CHF", rate=None, goods_net="1000")
    warehouse.line("o5", 1, "A", "1", "1000", "30", currency="CHF", rate=None)
    warehouse.shipped("o5", 6, "6")  # left out with the order's revenue
    return warehouse


def test_each_customer_earns_revenue_less_cost_refunds_and_fees_in_the_company_currency(
    shop: Warehouse,
) -> None:
    rows = by(shop.run("customer-profitability"), "customer_id")

    alice = rows["alice"]
    assert alice["orders"] == 2
    assert alice["revenue"] == D("280")  # 100 EUR + 200 USD x 0.9 (never 100 + 200 = 300)
    assert alice["cogs"] == D("150")  # 60 + 90
    assert alice["refunds"] == D("50")
    assert alice["fees"] == D("8.6")  # 3.20 + 6 USD x 0.9
    assert alice["shipping_cost"] == D("16")  # 7 + 10 USD x 0.9
    assert alice["profit"] == D("60.4")  # 280 + 5 - 150 - 16 - 50 - 8.6
    assert alice["margin"] == pytest.approx(60.4 / 280)
    assert alice["discounts"] == D("10")  # shown: revenue is already net of it
    assert alice["shipping_charged"] == D("5")
    assert (alice["customer_group"], alice["rfm_segment"]) == ("retail", "champions")
    assert alice["company_currency"] == "EUR"

    bob = rows["bob"]  # the cancelled o3 is left out
    assert (bob["orders"], bob["revenue"], bob["cogs"], bob["profit"]) == (1, 40, 25, 11)
    assert bob["shipping_cost"] == D("4")  # the CHF parcel has no rate: not summed

    guest = rows["guest"]  # CHF without a rate: counted apart, no franc in a euro sum
    assert (guest["orders"], guest["unconverted_orders"]) == (1, 1)
    assert (guest["revenue"], guest["cogs"], guest["profit"]) == (0, 0, 0)
    assert guest["shipping_cost"] == 0
    assert guest["rfm_segment"] == "unknown"

    assert [r["customer_id"] for r in shop.run("customer-profitability")] == [
        "alice",  # 60.4
        "bob",  # 11
        "guest",  # 0
    ]


def test_goods_returned_to_stock_are_no_cost_of_the_order(warehouse: Warehouse) -> None:
    # 3 x A at 30 each: net 90, cost 3 x 12 = 36. Two come back and go on the shelf (cost
    # 2 x 12 = 24 off), one is refunded without coming back (damaged: its cost stays).
    warehouse.order("o1", customer="carol", goods_net="90")
    warehouse.line("o1", 1, "A", "3", "90", "36", customer="carol")
    warehouse.refund("o1", "A", "2", "60", reason="too small", customer="carol",
                     restocked="2", restocked_cost="24")  # fmt: skip
    warehouse.refund("o1", "A", "1", "30", reason="damaged", customer="carol", restocked="0")
    carol = by(warehouse.run("customer-profitability"), "customer_id")["carol"]
    assert carol["cogs"] == D("12")  # 36 - 24
    assert carol["refunds"] == D("90")  # 60 + 30
    assert carol["profit"] == D("-12")  # 90 - 12 - 90: the damaged unit's cost is lost


def test_the_filters_narrow_to_a_date_range_a_channel_and_a_customer_group(
    shop: Warehouse,
) -> None:
    march = by(shop.run("customer-profitability", date_from="2026-03-01",
                        date_to="2026-03-31"), "customer_id")  # fmt: skip
    assert set(march) == {"alice", "guest"}  # Bob's o4 is in April
    amazon = shop.run("customer-profitability", channel="amazon")
    assert [(r["customer_id"], r["profit"]) for r in amazon] == [
        ("alice", D("75.6"))  # o2 alone: 180 - 90 - 9 - 0 - 5.4
    ]
    wholesale = shop.run("customer-profitability", customer_group="wholesale")
    assert [(r["customer_id"], r["profit"]) for r in wholesale] == [("bob", D("11"))]


def test_per_rfm_segment_the_customers_figures_add_up(shop: Warehouse) -> None:
    rows = by(shop.run("segment-profitability"), "rfm_segment")
    assert rows["champions"]["customers"] == 1
    assert rows["champions"]["profit"] == D("60.4")
    assert rows["champions"]["shipping_cost"] == D("16")
    assert rows["new"]["profit"] == D("11")
    assert rows["unknown"]["unconverted_orders"] == 1


def test_channel_pnl_sums_the_same_figures_per_channel(shop: Warehouse) -> None:
    rows = by(shop.run("channel-pnl"), "channel")
    # shop: o1 + o4 (+ o5 unconverted): revenue 100 + 40 = 140; shipping charged 5;
    # cogs 60 + 25 = 85; shipping cost 7 + 4 = 11; refunds 50; fees 3.20;
    # profit 140 + 5 - 85 - 11 - 50 - 3.2 = -4.2; average 140 / 2 = 70.
    assert rows["shop"]["orders"] == 3
    assert rows["shop"]["unconverted_orders"] == 1
    assert rows["shop"]["revenue"] == D("140")
    assert rows["shop"]["shipping_cost"] == D("11")
    assert rows["shop"]["profit"] == D("-4.2")
    assert rows["shop"]["average_order"] == D("70")
    # amazon: o2: 180 - 90 - 9 - 5.4 = 75.6.
    assert rows["amazon"]["profit"] == D("75.6")
    assert rows["amazon"]["average_order"] == D("180")


@pytest.fixture
def with_account_fees(shop: Warehouse) -> Warehouse:
    # amazon: USD 20 at 0.9 = EUR 18 for the period ending 15 March, EUR 10 for the one
    # ending 27 February, CHF 3 the ERP has no rate for (counted, never summed);
    # ebay: EUR 5 ending 20 March, and no order at all.
    shop.account_fees("amazon", "A1", "20", end="2026-03-15", currency="USD", rate="0.9")
    shop.account_fees("amazon", "A0", "10", end="2026-02-27")
    shop.account_fees("amazon", "A2", "3", end="2026-03-14", currency="CHF", rate=None)
    shop.account_fees("ebay", "E1", "5", end="2026-03-20")
    return shop


def test_channel_pnl_takes_the_account_fees_off_each_channels_profit(
    with_account_fees: Warehouse,
) -> None:
    rows = by(with_account_fees.run("channel-pnl"), "channel")
    # amazon: 75.6 - (18 + 10) = 47.6; margin 47.6 / 180.
    amazon = rows["amazon"]
    assert (amazon["account_fees"], amazon["unconverted_account_fees"]) == (D("28"), 1)
    assert amazon["profit"] == D("47.6")
    assert amazon["margin"] == pytest.approx(47.6 / 180)
    assert amazon["fees"] == D("5.4")  # the order's fees stay as they were
    # ebay: no order, still a row: -5 profit and no margin (no revenue).
    ebay = rows["ebay"]
    assert (ebay["orders"], ebay["revenue"], ebay["account_fees"]) == (0, D("0"), D("5"))
    assert (ebay["profit"], ebay["margin"], ebay["average_order"]) == (D("-5"), None, None)
    # shop has none: as before.
    assert (rows["shop"]["account_fees"], rows["shop"]["profit"]) == (D("0"), D("-4.2"))
    assert list(rows) == ["amazon", "shop", "ebay"]  # by profit


def test_account_fees_count_in_the_range_their_periods_end_in(
    with_account_fees: Warehouse,
) -> None:
    rows = by(with_account_fees.run("channel-pnl", date_from="2026-03-01",
                                    date_to="2026-03-31"), "channel")  # fmt: skip
    # The period ending 27 February is February's: amazon 75.6 - 18 = 57.6, margin 0.32.
    assert (rows["amazon"]["account_fees"], rows["amazon"]["profit"]) == (D("18"), D("57.6"))
    assert rows["amazon"]["margin"] == pytest.approx(0.32)
    assert rows["ebay"]["account_fees"] == D("5")
    only_ebay = with_account_fees.run("channel-pnl", channel="ebay")
    assert [(r["channel"], r["profit"]) for r in only_ebay] == [("ebay", D("-5"))]


def test_account_fees_belong_to_no_customer(with_account_fees: Warehouse) -> None:
    # A customer group's P&L has none (and no row for a channel with only account fees).
    retail = by(with_account_fees.run("channel-pnl", customer_group="retail"), "channel")
    assert set(retail) == {"amazon", "shop"}
    assert (retail["amazon"]["account_fees"], retail["amazon"]["profit"]) == (D("0"), D("75.6"))
    # Per customer, nothing changes: Alice's -15.2 + 75.6.
    customers = by(with_account_fees.run("customer-profitability"), "customer_id")
    assert customers["alice"]["profit"] == D("60.4")
    assert "account_fees" not in customers["alice"]


def test_the_channel_pnl_formula_says_how_account_fees_count() -> None:
    formula = REPORTS["channel-pnl"].formula
    assert "- channel fees - account fees;" in formula
    assert "last day" in formula and "customer group" in formula


def test_two_company_currencies_are_two_rows_and_the_chart_draws_only_one(
    warehouse: Warehouse,
) -> None:
    # Two ERP companies' facts in one file (a migration, say): never one sum.
    warehouse.order("o1", customer="alice", goods_net="100")
    warehouse.add("fact_orders", order_key="o2", channel="shop", customer_id="alice",
                  state="placed", currency="USD", company_currency="USD", rate="1",
                  goods_net="70", goods_net_company="70")  # fmt: skip
    result = warehouse.run("customer-profitability")
    rows = by(result, "company_currency")
    assert (rows["EUR"]["revenue"], rows["USD"]["revenue"]) == (D("100"), D("70"))
    spec = REPORTS["customer-profitability"].chart(result)
    assert [v["company_currency"] for v in spec["data"]["values"]] == ["EUR"]


def test_a_page_is_the_first_rows_of_the_whole_with_the_count_of_all(shop: Warehouse) -> None:
    """The console's page asks for the first rows only (one per customer can be tens of
    thousands): they are the whole report's first rows, in its order, and it knows how
    many there are; a page cannot be downloaded as if it were the whole."""
    report = REPORTS["customer-profitability"]
    shop.close()
    whole = report.run(shop.path, ReportFilters())
    page = report.run(shop.path, ReportFilters(), limit=2)
    assert len(whole) == len(page) == len(whole.rows) == 3  # alice, bob, the guest
    assert page.rows == whole.rows[:2]
    assert not page.complete and whole.complete
    with pytest.raises(ValueError, match="run without a limit"):
        page.csv()
