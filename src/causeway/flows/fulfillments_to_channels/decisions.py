"""The decisions of fulfillments-to-channels, free of I/O: which store lines and how many
units a done ERP shipment fulfils, its tracking URL, and whether an earlier attempt already
reached the store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from causeway.errors import PermanentError
from causeway.model.ports.channel import FulfillmentLine, FulfillmentState, PublishedFulfillment
from causeway.model.ports.erp import DoneShipment, ShippedLine

PENDING = "pending:"  # shipment link fingerprint while its store write is under way
# Shipment link fingerprint of a shipment of an order the channel fulfilled itself.
BY_CHANNEL = "fulfilled-by-channel"


@dataclass(frozen=True)
class Plan:
    lines: tuple[FulfillmentLine, ...]
    complete: bool  # nothing is left to fulfil on the order afterwards


def shipped_units(shipped: Sequence[ShippedLine], shipment: str) -> dict[str, int]:
    """SKU -> whole units shipped; a fraction of a unit cannot be fulfilled in a store."""
    totals: dict[str, Decimal] = {}
    for line in shipped:
        if not line.sku:
            raise PermanentError(f"shipment {shipment} ships a product without a SKU (code)")
        totals[line.sku] = totals.get(line.sku, Decimal(0)) + line.quantity
    units: dict[str, int] = {}
    for sku, quantity in totals.items():
        if quantity != quantity.to_integral_value() or quantity < 0:
            raise PermanentError(
                f"shipment {shipment} ships {quantity} of {sku}: a store fulfils whole units only"
            )
        if quantity:
            units[sku] = int(quantity)
    return units


def plan_fulfillment(
    shipped: Sequence[ShippedLine], order: FulfillmentState, shipment: str
) -> Plan:
    """Which fulfillment order lines, and how many units of each, this shipment fulfils.

    Units of a SKU go to its open lines in the store's order of lines; a SKU the
    order does not have, or more units than the order still has to fulfil, is an
    error a person must look at (a wrong pick, or an order fulfilled by hand).
    """
    wanted = shipped_units(shipped, shipment)
    if not wanted:
        raise PermanentError(f"shipment {shipment} has no shipped quantities to fulfil")
    orders = order.fulfillment_orders
    if orders and all(fo.status == "cancelled" for fo in orders):
        raise PermanentError(
            f"shipment {shipment} was shipped, but store order {order.order_name} is cancelled: "
            f"settle it with the customer (or reopen the order), then replay"
        )
    open_lines = [(fo.id, line) for fo in orders if fo.status == "open" for line in fo.lines]
    known = {line.sku for fo in orders for line in fo.lines}
    missing = sorted(sku for sku in wanted if sku not in known)
    if missing:
        raise PermanentError(
            f"shipment {shipment} ships {', '.join(missing)}, which store order {order.order_name} "
            f"does not have: fix the shipment in the ERP or the order in the store, then replay"
        )
    lines: list[FulfillmentLine] = []
    left_after = 0
    for sku, units in wanted.items():
        todo = units
        for fo_id, line in open_lines:
            if line.sku != sku or not todo or line.remaining <= 0:
                continue
            take = min(todo, line.remaining)
            lines.append(FulfillmentLine(fo_id, line.id, take))
            todo -= take
        if todo:
            remaining = units - todo
            raise PermanentError(
                f"shipment {shipment} ships {units} x {sku}, but store order "
                f"{order.order_name} has only {remaining} left to fulfil: was it fulfilled in "
                f"the store by hand?"
            )
    taken = {(ln.fulfillment_order_id, ln.line_item_id): ln.quantity for ln in lines}
    for fo_id, line in open_lines:
        left_after += line.remaining - taken.get((fo_id, line.id), 0)
    return Plan(tuple(lines), complete=left_after == 0)


def tracking_url(
    templates: Mapping[str, str], carrier: str | None, number: str | None
) -> str | None:
    """The carrier's tracking page for this number, from its template (carrier name
    matched without regard to case); None when there is no number or no template."""
    if not number or not carrier:
        return None
    by_name = {name.casefold(): template for name, template in templates.items()}
    template = by_name.get(carrier.strip().casefold())
    return template.replace("{number}", number) if template else None


def reached_store(
    shipment: DoneShipment, order: FulfillmentState, intent: str | None
) -> PublishedFulfillment | None:
    """The fulfillment an earlier attempt made for this shipment, if it reached the store.

    Found by the shipment's tracking number; without one, by the intent noted before the
    store write ("pending:<n>"): the first fulfillment made after those n is ours.
    """
    standing = [f for f in order.fulfillments if f.stands]
    if shipment.tracking_number:
        return next((f for f in standing if shipment.tracking_number in f.tracking_numbers), None)
    if intent is None or not intent.startswith(PENDING):
        return None
    before = int(intent.removeprefix(PENDING))
    return order.fulfillments[before] if len(order.fulfillments) > before else None


def fulfilled_by_channel(order_summary: Mapping[str, Any]) -> bool:
    """The order was fulfilled by its channel from the channel's own warehouse (Amazon FBA;
    orders-to-erp records it): the channel shipped it and gets no shipment confirmation."""
    return order_summary.get("fulfilled_by_channel") is True
