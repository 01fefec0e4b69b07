"""What a Tryton sale earned: its untaxed amount, the cost of its goods, and its progress.

The cost rule (docs/flows/margins-to-crm.md): per sale line, the quantity already
delivered (done moves to a customer location) costs what Tryton booked on those
moves (`stock.move.cost_price` x quantity, fixed when the move was done); the rest
of the line costs the product's current cost price x quantity. So an unshipped sale
shows its expected cost and a shipped one its actual cost. Service lines (shipping,
discount) cost their product's cost price, which the ERP keeps at zero for them.
Quantities are taken in the line's unit, which is the product's unit for the
sales the hub places.

Three calls for any number of sales: the sales, their lines, the lines' moves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.rpc import TrytonRPC

SALE_FIELDS = (
    *("number", "reference", "state", "shipment_state", "invoice_state"),
    *("untaxed_amount", "total_amount", "currency.code", "party.email"),
)
LINE_FIELDS = (
    *("sale", "type", "quantity", "moves"),
    *("product", "product.cost_price", "product.code"),
)
MOVE_FIELDS = ("quantity", "cost_price", "state", "to_location.type")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Delivered:
    """A done move of a sale line to the customer, at the cost Tryton booked on it."""

    quantity: Decimal
    cost_price: Decimal | None


@dataclass(frozen=True)
class LineCost:
    quantity: Decimal
    product_cost: Decimal
    delivered: tuple[Delivered, ...] = ()
    sku: str | None = None  # the product's code (the warehouse's lines are per SKU)

    @property
    def cost(self) -> Decimal:
        shipped = sum((d.quantity for d in self.delivered), ZERO)
        actual = sum(
            (
                d.quantity * (d.cost_price if d.cost_price is not None else self.product_cost)
                for d in self.delivered
            ),
            ZERO,
        )
        # A line shipped in full (or over) has nothing left to cost at the product price.
        rest = max(self.quantity - shipped, ZERO) if self.quantity > 0 else self.quantity
        return actual + rest * self.product_cost


@dataclass(frozen=True)
class SaleFigures:
    sale_id: int
    number: str | None
    reference: str | None
    state: str
    shipment_state: str
    invoice_state: str
    untaxed_amount: Decimal
    total_amount: Decimal
    currency: str | None
    email: str | None
    lines: tuple[LineCost, ...] = ()

    @property
    def cost(self) -> Decimal:
        return sum((line.cost for line in self.lines), ZERO)

    @property
    def margin(self) -> Decimal:
        return self.untaxed_amount - self.cost

    @property
    def progress(self) -> str:
        return erp_state(self)


def erp_state(sale: SaleFigures) -> str:
    """What the CRM shows of a sale: "shipped", "shipped, invoiced", "paid"...

    Shipping and invoicing progress independently in Tryton (the invoice may come
    before or after the goods), so both are named when both have moved; before
    either has, the sale's own state ("confirmed", "processing") is shown.
    """
    if sale.state == "cancelled":
        return "cancelled"
    shipping = {"sent": "shipped", "partially shipped": "partially shipped"}.get(
        sale.shipment_state
    )
    invoicing = {
        "awaiting payment": "invoiced",
        "partially paid": "partially paid",
        "paid": "paid",
    }.get(sale.invoice_state)
    if sale.shipment_state == "exception" or sale.invoice_state == "exception":
        return "exception"
    return ", ".join(p for p in (shipping, invoicing) if p) or sale.state


def read_sale_figures(
    rpc: TrytonRPC, sale_ids: Sequence[int], *, with_costs: bool = True
) -> dict[int, SaleFigures]:
    """sale id -> its figures; ids Tryton does not have are left out."""
    if not sale_ids:
        return {}
    sales = rpc.search_read(
        "sale.sale", [("id", "in", list(sale_ids))], SALE_FIELDS, context=_all(rpc)
    )
    lines: dict[int, list[LineCost]] = {}
    if with_costs and sales:
        lines = _line_costs(rpc, [s["id"] for s in sales])
    return {int(s["id"]): _figures(s, lines.get(int(s["id"]), [])) for s in sales}


def _all(rpc: TrytonRPC) -> dict[str, Any]:
    return {**rpc.context, "active_test": False}


def _line_costs(rpc: TrytonRPC, sale_ids: list[int]) -> dict[int, list[LineCost]]:
    records = rpc.search_read(
        "sale.line", [("sale", "in", sale_ids), ("type", "=", "line")], LINE_FIELDS
    )
    move_ids = [m for r in records for m in r.get("moves") or []]
    moves = {
        int(m["id"]): m for m in (rpc.read("stock.move", move_ids, MOVE_FIELDS) if move_ids else [])
    }
    found: dict[int, list[LineCost]] = {}
    for record in records:
        if not record.get("product"):
            continue
        found.setdefault(int(record["sale"]), []).append(
            LineCost(
                quantity=_decimal(record.get("quantity")),
                product_cost=_decimal(_nested(record, "product", "cost_price")),
                delivered=tuple(_delivered(moves[m] for m in record.get("moves") or [])),
                sku=_nested(record, "product", "code") or None,
            )
        )
    return found


def _delivered(moves: Iterable[Mapping[str, Any]]) -> list[Delivered]:
    return [
        Delivered(
            quantity=_decimal(m.get("quantity")),
            cost_price=None if m.get("cost_price") is None else _decimal(m["cost_price"]),
        )
        for m in moves
        if m.get("state") == "done" and _nested(m, "to_location", "type") == "customer"
    ]


def _figures(record: Mapping[str, Any], lines: list[LineCost]) -> SaleFigures:
    email = _nested(record, "party", "email")
    return SaleFigures(
        sale_id=int(record["id"]),
        number=record.get("number") or None,
        reference=record.get("reference") or None,
        state=str(record["state"]),
        shipment_state=str(record.get("shipment_state") or "none"),
        invoice_state=str(record.get("invoice_state") or "none"),
        untaxed_amount=_decimal(record.get("untaxed_amount")),
        total_amount=_decimal(record.get("total_amount")),
        currency=_nested(record, "currency", "code"),
        email=str(email).strip().lower() if email else None,
        lines=tuple(lines),
    )


def _nested(record: Mapping[str, Any], relation: str, field: str) -> Any:
    # Tryton answers a dotted field "a.b" as {"a.": {"b": ...}} (None without a relation).
    value = record.get(f"{relation}.")
    return value.get(field) if isinstance(value, Mapping) else None


def _decimal(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(str(value))
