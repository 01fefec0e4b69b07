"""Customer shipments the warehouse has done in Tryton: what left, for which sale, with
which carrier and tracking number.

Read in three batched calls whatever the number of shipments: the done shipments
changed since a cursor, their outgoing moves (product, quantity, origin sale line),
and the sales behind those lines. A shipment's `write_date` moves when it is done,
so the cursor follows it; Tryton's timestamps are naive UTC.

A partial shipment is simply a done shipment with less than the sale line ordered:
Tryton's sale process then puts the rest on a new (back-order) shipment, which is
done later and read here like any other. See docs/connectors/tryton.md for the recipe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.mapping import latest_stamp
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.model.ports.erp import DoneShipment, ShippedLine

SHIPMENT_FIELDS = [
    "number",
    "state",
    "effective_date",
    "write_date",
    "create_date",
    "shipping_reference",
    "carrier.party.name",
    "outgoing_moves",
]
MOVE_FIELDS = ["product.code", "quantity", "state", "origin"]


def nested(record: Mapping[str, Any], *path: str) -> Any:
    """A dotted field as Tryton returns it: "carrier.party.name" -> carrier. / party. / name."""
    value: Any = record
    for key in path[:-1]:
        value = value.get(f"{key}.") if isinstance(value, Mapping) else None
    return value.get(path[-1]) if isinstance(value, Mapping) else None


def origin_id(origin: Any, model: str) -> int | None:
    """The id of a Reference value like "sale.line,12" when it points at `model`."""
    if isinstance(origin, str) and origin.startswith(f"{model},"):
        tail = origin.split(",", 1)[1]
        return int(tail) if tail.lstrip("-").isdigit() and int(tail) > 0 else None
    return None


# Stock is reserved for the shipment (assigned) and the warehouse is at work on it.
ALLOCATED_STATES = ("assigned", "picked", "packed")


def done_shipments_since(
    rpc: TrytonRPC, since: dt.datetime | None
) -> tuple[list[DoneShipment], dt.datetime | None]:
    """Customer shipments done and written at or after `since` (all when None), oldest
    first, and the latest timestamp seen (the next cursor)."""
    return shipments_since(rpc, since, ("done",))


def shipments_since(
    rpc: TrytonRPC, since: dt.datetime | None, states: tuple[str, ...]
) -> tuple[list[DoneShipment], dt.datetime | None]:
    """Customer shipments in one of `states`, written at or after `since`. `lines` holds
    what left the warehouse (done moves: none yet for a shipment not done); `sales` every
    sale the shipment serves."""
    domain: list[Any] = [("state", "in", list(states))]
    if since is not None:
        domain.append(("write_date", ">=", since.astimezone(dt.UTC).replace(tzinfo=None)))
    records = rpc.search_read(
        "stock.shipment.out",
        domain,
        SHIPMENT_FIELDS,
        order=[("write_date", "ASC"), ("id", "ASC")],
    )
    if not records:
        return [], None
    move_ids = [m for r in records for m in r.get("outgoing_moves") or []]
    moves = {m["id"]: m for m in rpc.read("stock.move", move_ids, MOVE_FIELDS)} if move_ids else {}
    line_ids = sorted({i for m in moves.values() if (i := origin_id(m.get("origin"), "sale.line"))})
    sale_of_line = (
        {r["id"]: int(r["sale"]) for r in rpc.read("sale.line", line_ids, ["sale"])}
        if line_ids
        else {}
    )
    sale_ids = sorted(set(sale_of_line.values()))
    references = (
        {r["id"]: r.get("reference") for r in rpc.read("sale.sale", sale_ids, ["reference"])}
        if sale_ids
        else {}
    )
    shipments = []
    for record in records:
        lines = []
        sales: dict[int, str | None] = {}
        for move_id in record.get("outgoing_moves") or []:
            move = moves.get(move_id)
            origin = origin_id((move or {}).get("origin"), "sale.line")
            if origin in sale_of_line:
                sales[sale_of_line[origin]] = references.get(sale_of_line[origin])
            # A cancelled move (a line taken off the shipment) shipped nothing.
            if move is None or move.get("state") != "done":
                continue
            sku = nested(move, "product", "code")
            line_id = origin_id(move.get("origin"), "sale.line")
            lines.append(
                ShippedLine(
                    sku=str(sku or ""),
                    quantity=Decimal(str(move["quantity"])),
                    sale_id=sale_of_line.get(line_id) if line_id else None,
                )
            )
        # A done shipment has been written; naive UTC like every Tryton timestamp.
        stamp: dt.datetime = record.get("write_date") or record["create_date"]
        shipments.append(
            DoneShipment(
                id=record["id"],
                number=record.get("number") or str(record["id"]),
                done_at=stamp.replace(tzinfo=dt.UTC),
                effective_date=record.get("effective_date"),
                carrier=nested(record, "carrier", "party", "name"),
                tracking_number=(record.get("shipping_reference") or "").strip() or None,
                lines=tuple(lines),
                sales=sales,
            )
        )
    return shipments, latest_stamp(records)
