"""What a store may sell: ERP forecast minus orders not yet in the ERP minus safety stock."""

from __future__ import annotations

from decimal import Decimal

from causeway.flows.stock_to_channels import changed_since_published, sellable_quantities
from causeway.model import StockLevel


def level(sku: str, forecast: str, on_hand: str = "1000") -> StockLevel:
    return StockLevel(sku=sku, location="WH", on_hand=Decimal(on_hand), forecast=Decimal(forecast))


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


def test_only_values_that_differ_from_the_last_published_are_pushed() -> None:
    sellable = {"A": 35, "B": 30, "C": 0}
    assert changed_since_published(sellable, {"A": "35", "B": "29"}) == {"B": 30, "C": 0}
    assert changed_since_published(sellable, {"A": "35", "B": "30", "C": "0"}) == {}
