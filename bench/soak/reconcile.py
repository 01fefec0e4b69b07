"""Reconcile the store with the ERP after a soak: the numbers that must all be zero.

Pure functions over plain data, so that a test can hand them a doubled sale, a missing
order or a stock difference and see it counted. Reading the systems is in readers.py.

- store orders: the sandbox's REST orders (`cancelled_at`, `financial_status`,
  `line_items[].current_quantity`, `current_total_price`, `name`);
- ERP sales: `reference`, `state`, `shipment_state`, `invoice_state`, `total_amount`,
  `lines` of (`product_code`, `quantity`, `unit_price`);
- stock: the store's `available` per SKU, and the ERP's forecast per SKU.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

NOT_GOODS = ("SHIPPING", "DISCOUNT")
LIVE_STATES = ("confirmed", "processing", "done")


@dataclass
class Reconciliation:
    orders_sent: int = 0
    orders_cancelled: int = 0
    orders_paid: int = 0
    orders_edited: int = 0
    orders_in_erp: int = 0  # distinct sale references of the run's prefix
    duplicates: list[str] = field(default_factory=list)  # one entry per extra sale
    lost: list[str] = field(default_factory=list)  # live store orders without a live sale
    wrong: list[str] = field(default_factory=list)  # a sale not matching its store order
    not_cancelled: list[str] = field(default_factory=list)  # cancelled order, live sale
    not_paid: list[str] = field(default_factory=list)  # paid order, invoice not paid
    unknown_sales: list[str] = field(default_factory=list)  # a sale no store order explains
    stock_mismatches: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    # ERP forecast vs starting stock minus every live store order's units.
    erp_stock_drift: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)

    @property
    def problems(self) -> dict[str, int]:
        """Every count that must be zero, by name."""
        return {
            "duplicates": len(self.duplicates),
            "lost": len(self.lost),
            "wrong orders": len(self.wrong),
            "cancellations not applied": len(self.not_cancelled),
            "payments not applied": len(self.not_paid),
            "unknown sales": len(self.unknown_sales),
            "stock mismatches": len(self.stock_mismatches),
            "ERP stock drift": len(self.erp_stock_drift),
        }

    @property
    def ok(self) -> bool:
        return self.orders_sent > 0 and not any(self.problems.values())


def reference_of(order: Mapping[str, Any], prefix: str) -> str:
    """sale.reference of a store order: orders-to-erp's prefix and the order number."""
    return f"{prefix}{str(order['name']).lstrip('#')}"


def is_cancelled_sale(sale: Mapping[str, Any]) -> bool:
    """Tryton cancels a draft sale; a confirmed one ends `done` with nothing to ship or
    invoice (docs/flows/cancellations.md)."""
    if sale["state"] == "cancelled":
        return True
    return (
        sale["state"] == "done"
        and sale.get("shipment_state") == "none"
        and sale.get("invoice_state") == "none"
    )


def current_units(order: Mapping[str, Any]) -> Counter[str]:
    units: Counter[str] = Counter()
    for item in order["line_items"]:
        units[item["sku"]] += int(item.get("current_quantity", item["quantity"]))
    return +units  # removed items (0) drop out


def sale_units(sale: Mapping[str, Any]) -> Counter[str]:
    units: Counter[str] = Counter()
    for line in sale["lines"]:
        if line["product_code"] not in NOT_GOODS:
            units[line["product_code"]] += Decimal(str(line["quantity"]))
    return +units


def sale_problem(sale: Mapping[str, Any], order: Mapping[str, Any]) -> str | None:
    """Why the sale does not match the store order, or None when it does."""
    if sale["state"] not in LIVE_STATES:
        return f"state {sale['state']}"
    wanted, got = current_units(order), sale_units(sale)
    if wanted != got:
        return f"lines {dict(got)} != store {dict(wanted)}"
    prices = {i["sku"]: Decimal(str(i["price"])) for i in order["line_items"]}
    for line in sale["lines"]:
        code = line["product_code"]
        if code in prices and line["quantity"] and Decimal(str(line["unit_price"])) != prices[code]:
            return f"{code} at {line['unit_price']} != store {prices[code]}"
    total = Decimal(str(order.get("current_total_price") or order["total_price"]))
    if Decimal(str(sale["total_amount"])) != total:
        return f"total {sale['total_amount']} != store {total}"
    return None


def reconcile_orders(
    orders: Sequence[Mapping[str, Any]], sales: Iterable[Mapping[str, Any]], prefix: str
) -> Reconciliation:
    result = Reconciliation(orders_sent=len(orders))
    by_reference: dict[str, list[Mapping[str, Any]]] = {}
    for sale in sales:
        by_reference.setdefault(str(sale["reference"]), []).append(sale)
    result.orders_in_erp = len(by_reference)
    known = set()
    for order in orders:
        reference = reference_of(order, prefix)
        known.add(reference)
        found = by_reference.get(reference, [])
        result.duplicates += [reference] * max(0, len(found) - 1)
        live = [s for s in found if not is_cancelled_sale(s)]
        edited = current_units(order) != Counter(
            {i["sku"]: int(i["quantity"]) for i in order["line_items"]}
        )
        result.orders_edited += edited
        if order.get("cancelled_at"):
            result.orders_cancelled += 1
            if live:
                result.not_cancelled.append(f"{reference}: sale {live[0]['state']}")
            continue
        if not live:
            result.lost.append(reference)
            continue
        problem = sale_problem(live[0], order)
        if problem:
            result.wrong.append(f"{reference}: {problem}")
        if order.get("financial_status") == "paid":
            result.orders_paid += 1
            if live[0].get("invoice_state") != "paid":
                result.not_paid.append(f"{reference}: invoice {live[0].get('invoice_state')}")
    result.unknown_sales = sorted(set(by_reference) - known)
    return result


def stock_mismatches(
    store_available: Mapping[str, int], erp_sellable: Mapping[str, int]
) -> dict[str, tuple[int | None, int | None]]:
    """SKU -> (store, ERP) wherever the store does not offer what the ERP can sell."""
    skus = set(store_available) | set(erp_sellable)
    return {
        sku: (store_available.get(sku), erp_sellable.get(sku))
        for sku in sorted(skus)
        if store_available.get(sku) != erp_sellable.get(sku)
    }


def sellable(forecast: Mapping[str, Decimal], safety_stock: int) -> dict[str, int]:
    """What the ERP can still sell: its forecast less the safety stock, whole units, >= 0."""
    return {sku: max(0, int(qty) - safety_stock) for sku, qty in forecast.items()}


def erp_stock_drift(
    starting: Mapping[str, Decimal],
    forecast: Mapping[str, Decimal],
    orders: Iterable[Mapping[str, Any]],
) -> dict[str, tuple[Decimal, Decimal]]:
    """SKU -> (ERP forecast, expected) where the ERP's forecast is not its starting stock
    less the units of every store order that is not cancelled."""
    sold: Counter[str] = Counter()
    for order in orders:
        if not order.get("cancelled_at"):
            sold.update(current_units(order))
    drift = {}
    for sku, start in starting.items():
        expected = Decimal(start) - sold.get(sku, 0)
        if Decimal(forecast.get(sku, 0)) != expected:
            drift[sku] = (Decimal(forecast.get(sku, 0)), expected)
    return drift
