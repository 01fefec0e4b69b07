"""What a channel may sell: ERP forecast, minus orders taken that the ERP does not have
yet, minus safety stock, in whole units, never below zero (stock/sellable.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from causeway.model import Customer, Order, OrderLine, StockLevel
from causeway.stock.sellable import HeldStock, pending_quantities, sellable_quantities

STAMP = datetime(2026, 11, 22, tzinfo=UTC)


def level(sku: str, forecast: str, on_hand: str = "1000") -> StockLevel:
    return StockLevel(sku=sku, location="WH", on_hand=Decimal(on_hand), forecast=Decimal(forecast))


def order(*lines: tuple[str | None, int], cancelled: bool = False) -> Order:
    """An order with (SKU, quantity) lines; a line without a SKU is a service (a tip)."""
    return Order(
        external_id="1",
        number="#1001",
        currency="USD",
        created_at=STAMP,
        updated_at=STAMP,
        customer=Customer(email="a@example.com"),
        lines=tuple(
            OrderLine(
                external_id=str(n),
                sku=sku,
                title=sku or "tip",
                quantity=Decimal(quantity),
                unit_price=Decimal(1),
            )
            for n, (sku, quantity) in enumerate(lines)
        ),
        subtotal=Decimal(0),
        total_tax=Decimal(0),
        total=Decimal(0),
        cancelled_at=STAMP if cancelled else None,
    )


def test_sellable_is_forecast_minus_safety_stock_not_on_hand() -> None:
    result = sellable_quantities(
        [level("A", "40", on_hand="100")], safety_stock=5, safety_by_sku={}, held={}
    )
    assert result == {"A": 35}


def test_a_per_sku_safety_stock_overrides_the_default() -> None:
    result = sellable_quantities(
        [level("A", "40"), level("B", "40")], safety_stock=5, safety_by_sku={"B": 10}, held={}
    )
    assert result == {"A": 35, "B": 30}


def test_orders_not_yet_in_the_erp_are_held_back() -> None:
    result = sellable_quantities(
        [level("A", "40")], safety_stock=0, safety_by_sku={}, held={"A": Decimal(3)}
    )
    assert result == {"A": 37}


def test_never_below_zero_and_fractions_round_down() -> None:
    result = sellable_quantities(
        [level("A", "1"), level("B", "7.9")], safety_stock=2, safety_by_sku={}, held={}
    )
    assert result == {"A": 0, "B": 5}


def test_pending_orders_hold_their_lines_and_a_cancelled_order_holds_nothing() -> None:
    pending = [
        order(("A", 2), ("B", 1)),
        order(("A", 3)),
        order(("A", 50), cancelled=True),
        order((None, 1)),
    ]
    assert pending_quantities(pending) == {"A": Decimal(5), "B": Decimal(1)}


def test_a_flash_sale_between_two_stock_runs_cannot_oversell() -> None:
    # 10 in the ERP, 2 kept back; a store took 7 that the ERP has not confirmed yet.
    # Publishing the forecast alone would offer 8 more units: one store could sell 15.
    held = pending_quantities([order(("A", 4)), order(("A", 3))])
    sellable = sellable_quantities([level("A", "10")], safety_stock=2, safety_by_sku={}, held=held)
    assert sellable == {"A": 1}
    assert held["A"] + sellable["A"] + 2 == 10


# -- many warehouses: each channel sells from its own, and a held order comes off the
# warehouse its sale will ship from (stock/sellable.py, "Many warehouses").
def test_a_held_order_comes_off_only_the_warehouse_that_will_ship_it() -> None:
    # The EU store took 3 units its sale will ship from EU; the US store took 2 from US.
    held = HeldStock.of_channels(
        {"shop_eu": {"A": Decimal(3)}, "shop_us": {"A": Decimal(2)}},
        {"shop_eu": "EU", "shop_us": "US"},
    )
    eu = sellable_quantities(
        [level("A", "10")], safety_stock=0, safety_by_sku={}, held=held.against(["EU"])
    )
    us = sellable_quantities(
        [level("A", "40")], safety_stock=0, safety_by_sku={}, held=held.against(["US"])
    )
    assert (eu, us) == ({"A": 7}, {"A": 38})


def test_an_order_whose_warehouse_is_not_known_comes_off_every_warehouse() -> None:
    # A store whose sales' warehouse is not known (not an orders-to-erp channel of this
    # ERP, or its warehouse is not in the ERP): its 4 units could leave from either.
    held = HeldStock.of_channels(
        {"shop_eu": {"A": Decimal(3)}, "pos": {"A": Decimal(4)}}, {"shop_eu": "EU"}
    )
    assert held.against(["EU"]) == {"A": Decimal(7)}
    assert held.against(["US"]) == {"A": Decimal(4)}
    assert held.skus() == {"A"}


def test_a_channel_selling_from_two_warehouses_adds_them_up_less_what_either_ships() -> None:
    held = HeldStock.of_channels(
        {"shop_eu": {"A": Decimal(3)}, "shop_us": {"B": Decimal(1)}, "x": {"A": Decimal(1)}},
        {"shop_eu": "EU", "shop_us": "US", "x": "ELSEWHERE"},
    )
    levels = [level("A", "10"), level("B", "5"), level("A", "20"), level("B", "0")]
    result = sellable_quantities(
        levels, safety_stock=2, safety_by_sku={}, held=held.against(["EU", "US"])
    )
    # A: 10 + 20 - 3 (EU ships it; ELSEWHERE's order is no part of this view) - 2
    assert result == {"A": 25, "B": 2}


def test_every_store_of_unknown_warehouse_is_the_sum_of_all_held_orders() -> None:
    # The single-warehouse case (and files-exchange): all held orders come off.
    held = HeldStock.of_channels({"a": {"A": Decimal(3)}, "b": {"A": Decimal(2)}}, {})
    assert held.anywhere == {"A": Decimal(5)} and held.by_warehouse == {}


def test_an_order_amazon_fulfils_holds_none_of_the_merchants_stock() -> None:
    # Amazon (FBA) shipped 5 from its own warehouse, the merchant ships 2 from WH: only the
    # merchant's order comes off what the channels may sell from WH.
    by_amazon = order(("A", 5)).model_copy(update={"fulfilled_by_channel": True})
    held = HeldStock.of_channels(
        {"amazon": pending_quantities([by_amazon, order(("A", 2))])}, {"amazon": "WH"}
    )
    assert sellable_quantities(
        [level("A", "10")], safety_stock=0, safety_by_sku={}, held=held.against(["WH"])
    ) == {"A": 8}
