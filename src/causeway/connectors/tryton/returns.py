"""Customer returns in Tryton 8.2: a return sale, its return shipment and credit note.

Tryton's own "Return Sale" wizard (sale/sale.py `ReturnSale`) copies a sale with
every quantity negated and the original as `origin`. A store refund returns only
some lines, so the hub builds that same sale itself: the refunded lines, with
the original sale's products, unit prices and taxes, and negative quantities.
On confirmation Tryton makes from it a customer return shipment
(`stock.shipment.out.return`, draft until the warehouse receives the goods) and a
credit note (an `account.invoice` with a negative total).

Exactly once: the return's `sale.reference` ("<sale reference>-R<refund id>") is
searched before anything is created; a draft or quotation left by a crash is
finished, not duplicated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.errors import PermanentError
from causeway.model.returns import RefundLine

RETURN_FIELDS = ("reference", "number", "state", "total_amount", "shipment_returns", "invoices")
ORIGINAL_FIELDS = (
    *("reference", "number", "state", "party", "invoice_address", "shipment_address"),
    *("warehouse", "currency", "payment_term"),
)
ORIGINAL_LINE_FIELDS = (
    "type",
    "product",
    "product.code",
    "unit",
    "unit_price",
    "taxes",
    "quantity",
)
RECEIVED = ("received", "done")


@dataclass(frozen=True)
class PlacedReturn:
    reference: str
    sale_id: int
    number: str | None
    state: str
    total_amount: Decimal
    return_shipments: tuple[int, ...]
    credit_notes: tuple[int, ...]
    created: bool


@dataclass(frozen=True)
class ReturnProgress:
    sale_id: int
    shipments: tuple[tuple[str | None, str], ...]  # (number, state) of each return shipment

    @property
    def received(self) -> bool:
        return bool(self.shipments) and all(state in RECEIVED for _, state in self.shipments)


def return_lines(
    lines: Sequence[RefundLine], original: Sequence[Mapping[str, Any]], *, label: str
) -> list[dict[str, Any]]:
    """sale.line create values: each refunded SKU at the price and taxes it was sold at.

    Refuses (PermanentError) a line without SKU, a SKU the sale does not have, or more
    units than were sold: a return the ERP sale cannot explain needs a person.
    """
    sold: dict[str, Mapping[str, Any]] = {}
    sold_quantity: dict[str, Decimal] = {}
    for row in original:
        code = (row.get("product.") or {}).get("code")
        if row.get("type") != "line" or not code:
            continue
        sold.setdefault(code, row)
        sold_quantity[code] = sold_quantity.get(code, Decimal(0)) + Decimal(str(row["quantity"]))
    wanted: dict[str, int] = {}
    for refunded in lines:
        if not refunded.sku:
            raise PermanentError(
                f"{label}: refunded line {refunded.line_item_id} ({refunded.title}) has no "
                f"SKU, so the ERP product cannot be found; book this return in Tryton by hand"
            )
        if refunded.sku not in sold:
            raise PermanentError(
                f"{label}: SKU {refunded.sku} is refunded but is not on the ERP sale; "
                f"book this return in Tryton by hand"
            )
        wanted[refunded.sku] = wanted.get(refunded.sku, 0) + refunded.quantity
    values = []
    for sku, quantity in wanted.items():
        if quantity > sold_quantity[sku]:
            raise PermanentError(
                f"{label}: {quantity} x {sku} refunded but the ERP sale has only "
                f"{sold_quantity[sku]:f}; check the refund in the store"
            )
        line = sold[sku]
        values.append(
            {
                "type": "line",
                "product": line["product"],
                "unit": line["unit"],
                "quantity": -float(quantity),
                "unit_price": Decimal(str(line["unit_price"])),
                "taxes": [["add", list(line.get("taxes") or [])]],
                "description": f"Return of {sku}",
            }
        )
    return values


def placed_return(record: Mapping[str, Any], *, created: bool) -> PlacedReturn:
    return PlacedReturn(
        reference=str(record["reference"]),
        sale_id=int(record["id"]),
        number=record.get("number") or None,
        state=str(record["state"]),
        total_amount=Decimal(str(record.get("total_amount") or 0)),
        return_shipments=tuple(record.get("shipment_returns") or ()),
        credit_notes=tuple(record.get("invoices") or ()),
        created=created,
    )


class ReturnSales:
    def __init__(self, rpc: TrytonRPC, *, system: str) -> None:
        self.rpc = rpc
        self.system = system

    def place_return(
        self,
        original_reference: str,
        reference: str,
        lines: Sequence[RefundLine],
        *,
        goods_come_back: bool,
        description: str,
    ) -> PlacedReturn:
        """The confirmed return sale of `reference`, created once from `lines`."""
        found = self._by_reference(reference)
        created = False
        if found is None:
            values = self._values(original_reference, reference, lines, goods_come_back)
            values["description"] = description
            (sale_id,) = self.rpc.create("sale.sale", [values])
            created = True
            state = "draft"
        else:
            sale_id, state = int(found["id"]), str(found["state"])
        if state == "draft":
            self.rpc.button("sale.sale", "quote", [sale_id])
            state = "quotation"
        if state == "quotation":
            self.rpc.button("sale.sale", "confirm", [sale_id])
        (record,) = self.rpc.read("sale.sale", [sale_id], RETURN_FIELDS)
        return placed_return({**record, "id": sale_id}, created=created)

    def progress(self, sale_ids: Sequence[int]) -> dict[int, ReturnProgress]:
        """Each return sale's return shipments and their states, in two calls."""
        if not sale_ids:
            return {}
        sales = self.rpc.read("sale.sale", list(sale_ids), ["shipment_returns"])
        shipment_ids = [s for sale in sales for s in sale["shipment_returns"]]
        states = {
            r["id"]: (r.get("number") or None, str(r["state"]))
            for r in self.rpc.read("stock.shipment.out.return", shipment_ids, ["number", "state"])
        }
        return {
            int(sale["id"]): ReturnProgress(
                int(sale["id"]), tuple(states[s] for s in sale["shipment_returns"] if s in states)
            )
            for sale in sales
        }

    def _by_reference(self, reference: str) -> dict[str, Any] | None:
        found = self.rpc.search_read(
            "sale.sale",
            [("reference", "=", reference), ("state", "!=", "cancelled")],
            ["state"],
            order=[("id", "ASC")],
            limit=1,
        )
        return found[0] if found else None

    def _values(
        self,
        original_reference: str,
        reference: str,
        lines: Sequence[RefundLine],
        goods_come_back: bool,
    ) -> dict[str, Any]:
        originals = self.rpc.search_read(
            "sale.sale",
            [("reference", "=", original_reference), ("state", "!=", "cancelled")],
            ORIGINAL_FIELDS,
            order=[("id", "ASC")],
            limit=1,
        )
        if not originals:
            raise PermanentError(
                f"{self.system} has no sale {original_reference} to book return {reference} "
                f"against; place the order in the ERP first, then replay"
            )
        original = originals[0]
        sold = self.rpc.search_read(
            "sale.line", [("sale", "=", original["id"])], ORIGINAL_LINE_FIELDS
        )
        label = f"return {reference} of sale {original.get('number') or original['id']}"
        values: dict[str, Any] = {
            key: original[key]
            for key in ("party", "invoice_address", "shipment_address", "warehouse", "currency")
        }
        if original.get("payment_term"):
            values["payment_term"] = original["payment_term"]
        values.update(
            reference=reference,
            origin=f"sale.sale,{original['id']}",
            # Money back only: a manual shipment method makes no return shipment.
            shipment_method="order" if goods_come_back else "manual",
            lines=[["create", return_lines(lines, sold, label=label)]],
        )
        return values


def pending_customer_returns(
    rpc: TrytonRPC, warehouse: int, skus: Sequence[str] | None
) -> dict[str, Decimal]:
    """SKU -> units customers are sending back that the warehouse has not received.

    Tryton's forecast_quantity counts these draft incoming moves as soon as the
    return sale is confirmed; goods still in the post are not for sale.
    """
    domain: list[Any] = [
        ("from_location.type", "=", "customer"),
        ("to_location", "child_of", [warehouse], "parent"),
        ("state", "not in", ["done", "cancelled"]),
    ]
    if skus is not None:
        domain.append(("product.code", "in", list(skus)))
    moves = rpc.search_read("stock.move", domain, ["product.code", "internal_quantity"])
    pending: dict[str, Decimal] = {}
    for move in moves:
        code = (move.get("product.") or {}).get("code")
        if code:
            pending[code] = pending.get(code, Decimal(0)) + Decimal(str(move["internal_quantity"]))
    return pending


def without_pending_returns(
    records: list[dict[str, Any]], pending: Mapping[str, Decimal]
) -> list[dict[str, Any]]:
    """product.product records (code, forecast_quantity) less the returns still in transit."""
    return [
        {**r, "forecast_quantity": Decimal(str(r["forecast_quantity"])) - pending[r["code"]]}
        if r.get("code") in pending
        else r
        for r in records
    ]
