"""What a warehouse user does in Tryton to ship a sale, over JSON-RPC (the recipe in
docs/connectors/tryton.md): set carrier and tracking number, assign, pick, pack, done.
The hub never ships anything itself: the demo and the tests play the warehouse with it.

A partial shipment ships less than ordered: in the `waiting` state the picking
(inventory) move of a line is lowered to what is really there, picking carries
that quantity to the outgoing move, and once the shipment is done Tryton's sale
process puts the rest on a new back-order shipment.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.rpc import TrytonRPC


def open_shipments(rpc: TrytonRPC, sale_id: int) -> list[int]:
    """The sale's customer shipments not done or cancelled yet, oldest first."""
    (sale,) = rpc.read("sale.sale", [sale_id], ["shipments"])
    if not sale["shipments"]:
        return []
    records = rpc.search_read(
        "stock.shipment.out",
        [("id", "in", sale["shipments"]), ("state", "not in", ["done", "cancelled"])],
        ["id"],
        order=[("id", "ASC")],
    )
    return [r["id"] for r in records]


def ship(
    rpc: TrytonRPC,
    shipment_id: int,
    *,
    tracking_number: str | None,
    carrier: str | None = "UPS",
    only: Mapping[str, Decimal | int] | None = None,
) -> dict[str, Any]:
    """Ship a waiting shipment; `only` (SKU -> quantity) ships less than ordered."""
    values: dict[str, Any] = {}
    if carrier:
        (found,) = rpc.search_read("carrier", [("party.name", "=", carrier)], ["id"])
        values["carrier"] = found["id"]
    if tracking_number:
        values["shipping_reference"] = tracking_number
    if values:
        rpc.write("stock.shipment.out", [shipment_id], values)
    if only is not None:
        (shipment,) = rpc.read(
            "stock.shipment.out", [shipment_id], ["inventory_moves", "outgoing_moves"]
        )
        # With a separate output location the picking moves carry the quantity;
        # without one the outgoing moves do.
        move_ids = shipment["inventory_moves"] or shipment["outgoing_moves"]
        for move in rpc.read("stock.move", move_ids, ["product.code", "quantity"]):
            sku = (move.get("product.") or {}).get("code")
            if (
                isinstance(sku, str)
                and sku in only
                and Decimal(str(only[sku])) != Decimal(str(move["quantity"]))
            ):
                rpc.write("stock.move", [move["id"]], {"quantity": float(only[sku])})
    for button in ("assign_try", "pick", "pack", "do"):
        rpc.button("stock.shipment.out", button, [shipment_id])
    (done,) = rpc.read("stock.shipment.out", [shipment_id], ["number", "state"])
    if done["state"] != "done":
        raise RuntimeError(f"shipment {done['number']} is {done['state']}, not done")
    return done
