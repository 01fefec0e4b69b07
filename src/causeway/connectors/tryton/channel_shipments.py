"""Sales of orders the channel fulfilled from its own warehouse (Amazon FBA), shipped at once.

The goods have left the marketplace's warehouse before the hub sees the order, so the
sale's customer shipment (made by Tryton's sale process, from the channel's warehouse:
SaleTerms.warehouse) is taken through the warehouse's steps straight away: assigned,
picked, packed, done. Nobody picks it in the merchant's warehouse; the done shipment is
what the ERP's stock and invoicing (invoice method "on shipment") need.

Assignment: the channel's warehouse in the ERP often holds no counted stock (the
marketplace counts it), so a shipment `assign_try` cannot reserve is force-assigned
(`assign_force`, which Tryton's group "Stock Force Assignment" may run: the hub's user
must be in it; Tryton's admin is).

Carrier: the marketplace's carrier took the goods, and the ERP may know none. Packing a
shipment without a carrier raises Tryton's "no carrier" warning (sale_shipment_cost); the
hub answers it for these shipments once, as a user answering "Yes" in Tryton would
(res.user.warning.skip); any other warning stops the shipment with Tryton's message.

Exactly once and resumable: every step is asked of the shipments in the state it takes
them from, read again before each step, so a re-run (a replayed job, a crash halfway)
carries on where Tryton stands and does nothing to a shipment already done. A few calls
per batch whatever its size: one read of the sales, then at most one read and one button
per step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from causeway.connectors.tryton.mapping import PlacedSale
from causeway.connectors.tryton.protocol import TrytonUserError
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.errors import CausewayError, PermanentError

# state -> the button that takes a shipment on from it ("waiting": assign, see below).
NEXT_STEP = {"assigned": "pick", "picked": "pack", "packed": "do"}
FINISHED = ("done", "cancelled")
NO_CARRIER = ".no_carrier"  # the end of the name of Tryton's warning on packing
STEPS = 6  # waiting -> assigned -> picked -> packed -> done, with a margin


def ship_at_once(
    rpc: TrytonRPC, results: Mapping[str, PlacedSale | CausewayError], *, system: str
) -> dict[str, PlacedSale | CausewayError]:
    """`results` (reference -> placed sale or error, from Sales.place) with every placed
    sale's customer shipments done; a sale whose shipments could not be finished gets the
    error instead (its job retries, and the next attempt finds the sale and carries on)."""
    out = dict(results)
    sales = {ref: r.sale_id for ref, r in results.items() if isinstance(r, PlacedSale)}
    if not sales:
        return out
    try:
        records = rpc.read("sale.sale", sorted(set(sales.values())), ["shipments"])
        shipments_of = {int(r["id"]): list(r.get("shipments") or []) for r in records}
        states = _finish(rpc, sorted({s for ids in shipments_of.values() for s in ids}))
    except CausewayError as exc:
        return {ref: exc if ref in sales else result for ref, result in out.items()}
    for reference, sale_id in sales.items():
        stuck = {
            s: states[s] for s in shipments_of.get(sale_id, []) if states.get(s) not in FINISHED
        }
        if stuck:
            shown = ", ".join(f"{s} ({state})" for s, state in sorted(stuck.items()))
            out[reference] = PermanentError(
                f"sale {reference} was fulfilled by the channel, but its shipments {shown} "
                f"could not be done in {system}: finish them there (Inventory & Stock > "
                f"Customer Shipments), then replay"
            )
    return out


def _finish(rpc: TrytonRPC, shipment_ids: list[int]) -> dict[int, str]:
    """Take the shipments to done, step by step; returns each one's state at the end."""
    states = _states(rpc, shipment_ids)
    for _ in range(STEPS):
        waiting = [s for s, state in states.items() if state == "waiting"]
        if waiting:
            rpc.button("stock.shipment.out", "assign_try", waiting)
            states = _states(rpc, shipment_ids)
            still = [s for s in waiting if states[s] == "waiting"]
            if still:  # no counted stock in the channel's warehouse: the goods left anyway
                _force(rpc, still)
        moved = False
        for state, button in NEXT_STEP.items():
            ready = [s for s, current in states.items() if current == state]
            if ready:
                _press(rpc, button, ready)
                moved = True
        if not waiting and not moved:
            break
        states = _states(rpc, shipment_ids)
    return states


def _force(rpc: TrytonRPC, shipment_ids: list[int]) -> None:
    try:
        rpc.button("stock.shipment.out", "assign_force", shipment_ids)
    except TrytonUserError as exc:
        raise PermanentError(
            f"{exc}: the shipments of orders the channel fulfilled are force-assigned when "
            f"their warehouse holds no counted stock; add the hub's Tryton user to the group "
            f"Stock Force Assignment (or count the stock there), then replay"
        ) from exc


def _press(rpc: TrytonRPC, button: str, shipment_ids: list[int]) -> None:
    """Run the button; the "no carrier" warning is answered once (module docstring)."""
    try:
        rpc.button("stock.shipment.out", button, shipment_ids)
    except TrytonUserError as exc:
        if exc.warning is None or not exc.warning.endswith(NO_CARRIER):
            raise
        rpc.model("res.user.warning", "skip", exc.warning, False)
        rpc.button("stock.shipment.out", button, shipment_ids)


def _states(rpc: TrytonRPC, shipment_ids: list[int]) -> dict[int, str]:
    if not shipment_ids:
        return {}
    records: list[dict[str, Any]] = rpc.read("stock.shipment.out", shipment_ids, ["state"])
    return {int(r["id"]): str(r["state"]) for r in records}
