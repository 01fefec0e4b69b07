"""The quantity a channel may sell: the one rule every stock flow publishes by.

    sellable = ERP forecast of the warehouses the channel sells from
             - quantities of orders taken that the ERP does not have yet and that will
               ship from one of those warehouses, or from a warehouse not known
             - safety stock (the SKU's own, or the channel's default)

in whole units, rounded down, never below zero.

- The forecast, not the quantity on hand: stock already promised to confirmed sales is
  not for sale again, and goods on their way in may be.
- Orders not yet in the ERP: a store counted them against its own stock when it took
  them; the ERP only will once the sale is confirmed. Publishing the forecast without
  them would let the same units be sold twice.
- Safety stock: units kept back for what no system knows yet (a shelf count, a
  breakage), so that a channel runs out a little early rather than oversells.

Many warehouses. A channel sells from a view: one ERP warehouse, or several added up.
An order held back comes off the view of the warehouse that will ship it (its sale's
warehouse: orders-to-erp's channel `warehouse`), and only off views that hold that
warehouse: an order the EU warehouse ships takes nothing from the US warehouse's stock.
An order the channel fulfils itself (Amazon FBA) is held off no view: it ships from the
channel's warehouse (`channel_fulfilled_warehouse`), whose stock no view publishes.
An order whose warehouse is not known (its channel's warehouse cannot be found in the
ERP, or its store is not an orders-to-erp channel of this ERP) comes off every view:
counted twice it costs a sale for a while; counted nowhere it could oversell.

Pure: the caller reads the forecast from the ERP and the pending orders from the hub
(stock/held.py). stock-to-channels and files-exchange both publish by it, which is why
it is here and not in either flow.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from causeway.model import Order, StockLevel


def pending_quantities(orders: Iterable[Order]) -> dict[str, Decimal]:
    """SKU -> quantity held by orders taken that the ERP does not have yet. A cancelled
    order holds nothing; a line without a SKU is no stock the hub publishes; an order the
    channel fulfils from its own warehouse (Amazon FBA) holds nothing either: its goods
    leave the channel's warehouse, whose stock the hub never publishes."""
    held: dict[str, Decimal] = {}
    for order in orders:
        if order.cancelled_at or order.fulfilled_by_channel:
            continue
        for line in order.lines:
            if line.sku:
                held[line.sku] = held.get(line.sku, Decimal(0)) + line.quantity
    return held


def _added(into: dict[str, Decimal], quantities: Mapping[str, Decimal]) -> None:
    for sku, quantity in quantities.items():
        into[sku] = into.get(sku, Decimal(0)) + quantity


@dataclass(frozen=True)
class HeldStock:
    """Quantities held back by orders not in the ERP yet, by the warehouse that will
    ship them (its key: ErpStock.warehouse_key). `anywhere`: orders whose warehouse is
    not known, which come off every view."""

    by_warehouse: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    anywhere: Mapping[str, Decimal] = field(default_factory=dict)

    @classmethod
    def of_channels(
        cls,
        held: Mapping[str, Mapping[str, Decimal]],
        ships_from: Mapping[str, str | None],
    ) -> HeldStock:
        """held: store -> SKU -> quantity (stock/held.py); ships_from: store -> the key of
        the warehouse its sales ship from, None (or absent) when not known."""
        by_warehouse: dict[str, dict[str, Decimal]] = {}
        anywhere: dict[str, Decimal] = {}
        for store, quantities in held.items():
            warehouse = ships_from.get(store)
            into = anywhere if warehouse is None else by_warehouse.setdefault(warehouse, {})
            _added(into, quantities)
        return cls(by_warehouse, anywhere)

    def skus(self) -> set[str]:
        return {sku for q in self.by_warehouse.values() for sku in q} | set(self.anywhere)

    def against(self, warehouses: Collection[str]) -> dict[str, Decimal]:
        """SKU -> what comes off a view of `warehouses`: the orders one of them ships, and
        every order whose warehouse is not known."""
        total = dict(self.anywhere)
        for warehouse in warehouses:
            _added(total, self.by_warehouse.get(warehouse, {}))
        return total


def sellable_quantities(
    levels: Sequence[StockLevel],
    *,
    safety_stock: int,
    safety_by_sku: Mapping[str, int],
    held: Mapping[str, Decimal],
) -> dict[str, int]:
    """SKU -> whole units a channel may sell. `levels` are those of the warehouses the
    channel sells from: a SKU's forecasts in several warehouses are added up; `held` is
    what comes off them (HeldStock.against). Rounds down: half a unit is not for sale."""
    forecast: dict[str, Decimal] = {}
    for level in levels:
        forecast[level.sku] = forecast.get(level.sku, Decimal(0)) + level.forecast
    result: dict[str, int] = {}
    for sku, quantity in forecast.items():
        safety = safety_by_sku.get(sku, safety_stock)
        value = quantity - held.get(sku, Decimal(0)) - safety
        result[sku] = max(0, int(value.to_integral_value(rounding="ROUND_FLOOR")))
    return result
