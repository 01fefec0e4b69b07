"""Store order edits carried to a confirmed Tryton sale, through `sale_amendment`.

A processing sale is read-only in Tryton; the sanctioned way to change it is an
amendment (`sale.amendment` with `line` actions, then its `validate_amendment`
button), which updates the lines, re-plans the waiting shipment and the draft
invoice, and bumps the sale's revision. Amendments change existing lines only:
a line the store added has no sale line to change and is refused with the reason.

Why compare with the sale itself: the plan is made from what Tryton holds now, so
an amendment that landed before a crash is seen as done and not applied twice.
Once goods left (a shipment beyond waiting), an edit is refused: the shipment
would no longer match the sale, and only a person can decide what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.errors import PermanentError, RetryableError
from causeway.model import Order

LINE_FIELDS = ("product", "product.code", "quantity", "unit", "unit_price", "description", "type")
# Shipments in these states have not started: the amendment re-plans them.
UNSTARTED = ("draft", "waiting", "cancelled")
AMENDMENT_PREFIX = "Causeway: store edit of "


@dataclass(frozen=True)
class SaleLineRow:
    line_id: int
    sku: str
    quantity: Decimal
    values: Mapping[str, Any]  # product, unit, unit_price, description: kept as they are


@dataclass(frozen=True)
class AmendedSale:
    reference: str
    sale_id: int
    number: str | None
    state: str
    total_amount: Decimal
    changed: int  # sale lines changed by this call (0: the sale already matched)


def wanted_quantities(order: Order, skip: Iterable[str]) -> dict[str, Decimal]:
    """SKU -> quantity the edited store order asks for (service SKUs left out)."""
    skipped = set(skip)
    wanted: dict[str, Decimal] = {}
    for line in order.lines:
        if line.sku and line.sku not in skipped:
            wanted[line.sku] = wanted.get(line.sku, Decimal(0)) + Decimal(line.quantity)
    return wanted


def plan_amendment(
    order_number: str, wanted: Mapping[str, Decimal], lines: Sequence[SaleLineRow]
) -> dict[int, Decimal]:
    """Sale line id -> new quantity, so the sale's lines match the store's quantities.

    A SKU on several sale lines gets the whole quantity on its first line. A SKU the
    sale does not have cannot be added by an amendment: PermanentError names it.
    """
    by_sku: dict[str, list[SaleLineRow]] = {}
    for line in lines:
        by_sku.setdefault(line.sku, []).append(line)
    added = sorted(set(wanted) - set(by_sku))
    if added:
        raise PermanentError(
            f"order {order_number}: the store added {', '.join(added)}, which the ERP sale "
            f"does not have; Tryton amendments only change existing lines: add a sale for "
            f"the new items in Tryton (or remove them in the store), then mark this job done"
        )
    plan: dict[int, Decimal] = {}
    for sku, rows in by_sku.items():
        remaining = wanted.get(sku, Decimal(0))
        for row in rows:
            target = remaining
            remaining = Decimal(0)
            if row.quantity != target:
                plan[row.line_id] = target
    return plan


class Amendments:
    def __init__(self, rpc: TrytonRPC, *, system: str, skip_skus: Iterable[str]) -> None:
        self.rpc = rpc
        self.system = system
        self.skip_skus = tuple(skip_skus)

    def amend(self, reference: str, order: Order) -> AmendedSale:
        sale = self._sale(reference)
        if sale["state"] in ("draft", "quotation", "confirmed"):
            # Confirmed sales are processed right after; amendments need `processing`.
            raise RetryableError(f"sale {reference} is {sale['state']}, not processing yet")
        if sale["state"] != "processing":
            raise PermanentError(
                f"order {order.number}: the ERP sale {sale['number']} is {sale['state']}; "
                f"only a processing sale can be amended: change it in Tryton by hand"
            )
        self._refuse_if_shipping(order, sale)
        rows = self._lines(sale["id"])
        plan = plan_amendment(order.number, wanted_quantities(order, self.skip_skus), rows)
        if plan:
            self._apply(sale["id"], order.number, {r.line_id: r for r in rows}, plan)
            sale = self._sale(reference)
        return AmendedSale(
            reference=reference,
            sale_id=int(sale["id"]),
            number=sale.get("number") or None,
            state=str(sale["state"]),
            total_amount=Decimal(sale.get("total_amount") or 0),
            changed=len(plan),
        )

    def _sale(self, reference: str) -> dict[str, Any]:
        found = self.rpc.search_read(
            "sale.sale",
            [("reference", "=", reference), ("state", "!=", "cancelled")],
            ["number", "state", "total_amount", "shipments"],
            limit=1,
        )
        if not found:
            raise PermanentError(f"no sale {reference} in {self.system} to amend")
        return found[0]

    def _refuse_if_shipping(self, order: Order, sale: Mapping[str, Any]) -> None:
        if not sale["shipments"]:
            return
        shipments = self.rpc.read("stock.shipment.out", sale["shipments"], ["number", "state"])
        started = [s for s in shipments if s["state"] not in UNSTARTED]
        if started:
            names = ", ".join(f"{s['number']} ({s['state']})" for s in started)
            raise PermanentError(
                f"order {order.number} was edited in the store after the ERP sale "
                f"{sale['number']} started shipping ({names}): the edit was not applied; "
                f"change the sale and its shipment in Tryton by hand, then mark this job done"
            )

    def _lines(self, sale_id: int) -> list[SaleLineRow]:
        records = self.rpc.search_read(
            "sale.line",
            [("sale", "=", sale_id), ("type", "=", "line")],
            list(LINE_FIELDS),
            order=[("sequence", "ASC"), ("id", "ASC")],
        )
        rows = []
        for r in records:
            sku = (r.get("product.") or {}).get("code")
            if not sku or sku in self.skip_skus:
                continue
            values = {k: r[k] for k in ("product", "unit", "unit_price", "description")}
            rows.append(SaleLineRow(int(r["id"]), str(sku), Decimal(str(r["quantity"])), values))
        return rows

    def _apply(
        self,
        sale_id: int,
        order_number: str,
        rows: Mapping[int, SaleLineRow],
        plan: Mapping[int, Decimal],
    ) -> None:
        # A draft left by a crash between create and validate is replaced, not stacked.
        stale = self.rpc.search_read(
            "sale.amendment",
            [("sale", "=", sale_id), ("state", "=", "draft")],
            ["description"],
        )
        ours = [a["id"] for a in stale if (a.get("description") or "").startswith(AMENDMENT_PREFIX)]
        if ours:
            self.rpc.model("sale.amendment", "delete", ours)
        lines = [
            {"action": "line", "line": line_id, **rows[line_id].values, "quantity": float(qty)}
            for line_id, qty in plan.items()
        ]
        (amendment,) = self.rpc.create(
            "sale.amendment",
            [
                {
                    "sale": sale_id,
                    "description": f"{AMENDMENT_PREFIX}{order_number}",
                    "lines": [["create", lines]],
                }
            ],
        )
        self.rpc.button("sale.amendment", "validate_amendment", [amendment])
