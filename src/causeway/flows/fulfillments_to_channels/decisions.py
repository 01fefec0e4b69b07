"""The decisions of fulfillments-to-channels, free of I/O: which store lines and how many
units a done ERP shipment fulfils, its tracking URL, and whether an earlier attempt already
reached the store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from causeway.connectors.shopify.fulfillments import (
    FulfillmentLine,
    GqlFulfillment,
    GqlOrderFulfillment,
)
from causeway.connectors.tryton.shipments import DoneShipment, ShippedLine
from causeway.errors import PermanentError

PENDING = "pending:"  # shipment link fingerprint while its store write is under way
FAILED = ("CANCELLED", "ERROR", "FAILURE")  # fulfillments that do not stand


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
    shipped: Sequence[ShippedLine], order: GqlOrderFulfillment, shipment: str
) -> Plan:
    """Which fulfillment order lines, and how many units of each, this shipment fulfils.

    Units of a SKU go to its open lines in the store's order of lines; a SKU the
    order does not have, or more units than the order still has to fulfil, is an
    error a person must look at (a wrong pick, or an order fulfilled by hand).
    """
    wanted = shipped_units(shipped, shipment)
    if not wanted:
        raise PermanentError(f"shipment {shipment} has no shipped quantities to fulfil")
    orders = order.fulfillmentOrders.nodes
    if orders and all(fo.status == "CANCELLED" for fo in orders):
        raise PermanentError(
            f"shipment {shipment} was shipped, but store order {order.name} is cancelled: "
            f"settle it with the customer (or reopen the order), then replay"
        )
    open_lines = [
        (fo.id, line)
        for fo in order.fulfillmentOrders.nodes
        if fo.status not in ("CLOSED", "CANCELLED")
        for line in fo.lineItems.nodes
    ]
    known = {line.sku for fo in order.fulfillmentOrders.nodes for line in fo.lineItems.nodes}
    missing = sorted(sku for sku in wanted if sku not in known)
    if missing:
        raise PermanentError(
            f"shipment {shipment} ships {', '.join(missing)}, which store order {order.name} "
            f"does not have: fix the shipment in the ERP or the order in the store, then replay"
        )
    lines: list[FulfillmentLine] = []
    left_after = 0
    for sku, units in wanted.items():
        todo = units
        for fo_id, line in open_lines:
            if line.sku != sku or not todo or line.remainingQuantity <= 0:
                continue
            take = min(todo, line.remainingQuantity)
            lines.append(FulfillmentLine(fo_id, line.id, take))
            todo -= take
        if todo:
            remaining = units - todo
            raise PermanentError(
                f"shipment {shipment} ships {units} x {sku}, but store order {order.name} has "
                f"only {remaining} left to fulfil: was it fulfilled in the store by hand?"
            )
    taken = {(ln.fulfillment_order_id, ln.line_item_id): ln.quantity for ln in lines}
    for fo_id, line in open_lines:
        left_after += line.remainingQuantity - taken.get((fo_id, line.id), 0)
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
    shipment: DoneShipment, order: GqlOrderFulfillment, intent: str | None
) -> GqlFulfillment | None:
    """The fulfillment an earlier attempt made for this shipment, if it reached the store.

    Found by the shipment's tracking number; without one, by the intent noted before the
    store write ("pending:<n>"): the first fulfillment made after those n is ours.
    """
    standing = [f for f in order.fulfillments if f.status not in FAILED]
    if shipment.tracking_number:
        return next(
            (
                f
                for f in standing
                if any(t.number == shipment.tracking_number for t in f.trackingInfo)
            ),
            None,
        )
    if intent is None or not intent.startswith(PENDING):
        return None
    before = int(intent.removeprefix(PENDING))
    return order.fulfillments[before] if len(order.fulfillments) > before else None
