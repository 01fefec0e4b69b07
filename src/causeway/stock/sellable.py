"""The quantity a channel may sell: the one rule every stock flow publishes by.

    sellable = ERP forecast
             - quantities of orders taken that the ERP does not have yet
             - safety stock (the SKU's own, or the channel's default)

in whole units, rounded down, never below zero.

- The forecast, not the quantity on hand: stock already promised to confirmed sales is
  not for sale again, and goods on their way in may be.
- Orders not yet in the ERP: a store counted them against its own stock when it took
  them; the ERP only will once the sale is confirmed. Publishing the forecast without
  them would let the same units be sold twice.
- Safety stock: units kept back for what no system knows yet (a shelf count, a
  breakage), so that a channel runs out a little early rather than oversells.

Pure: the caller reads the forecast from the ERP and the pending orders from the hub
(stock/held.py). stock-to-channels and files-exchange both publish by it, which is why
it is here and not in either flow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from causeway.model import Order, StockLevel


def pending_quantities(orders: Iterable[Order]) -> dict[str, Decimal]:
    """SKU -> quantity held by orders taken that the ERP does not have yet. A cancelled
    order holds nothing; a line without a SKU is no stock the hub publishes."""
    held: dict[str, Decimal] = {}
    for order in orders:
        if order.cancelled_at:
            continue
        for line in order.lines:
            if line.sku:
                held[line.sku] = held.get(line.sku, Decimal(0)) + line.quantity
    return held


def sellable_quantities(
    levels: Sequence[StockLevel],
    *,
    safety_stock: int,
    safety_by_sku: Mapping[str, int],
    held: Mapping[str, Decimal],
) -> dict[str, int]:
    """SKU -> whole units a channel may sell. Rounds down: half a unit is not for sale."""
    result: dict[str, int] = {}
    for level in levels:
        safety = safety_by_sku.get(level.sku, safety_stock)
        value = level.forecast - held.get(level.sku, Decimal(0)) - safety
        result[level.sku] = max(0, int(value.to_integral_value(rounding="ROUND_FLOOR")))
    return result
