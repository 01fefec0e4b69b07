"""What the warehouse reads from Tryton 8.2 (model/ports/erp_reporting.py): the cost of
each sale's goods, its done shipments, its invoices, the products and the exchange rates.
Reads only, each method a fixed number of calls whatever the number of sales:

- sale_costs: 3 (margins.py: the sales, their lines with SKU, the lines' moves)
- sale_shipments: 4 (the sales' shipments, the shipments with their carrier's cost, their
  moves, the moves' lines)
- sale_invoice_facts: 2 (the sales' invoices, the invoices)
- product_facts: 1; currency_rates: 1 (plus the company's currency, read once)
An empty list of sales costs no call. See docs/connectors/tryton.md ("The warehouse").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.margins import read_sale_figures
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.connectors.tryton.shipments import nested, origin_id
from causeway.model.money import shared_out
from causeway.model.ports.erp_reporting import (
    CurrencyRate,
    InvoiceFact,
    ProductFact,
    SaleCosts,
    SaleLineCost,
    ShipmentFact,
)

SHIPMENT_FIELDS = (
    *("number", "state", "write_date", "create_date", "outgoing_moves"),
    *("carrier.party.name", "warehouse.code", "warehouse.name"),
    # Set when the shipment is done (module stock_shipment_cost, which sale_shipment_cost
    # extends): the carrier's purchase price, in its currency; empty without a carrier.
    *("cost", "cost_currency.code"),
)
MOVE_FIELDS = ("quantity", "state", "origin")
INVOICE_FIELDS = ("number", "state", "type", "total_amount", "currency.code", "invoice_date")
PRODUCT_FIELDS = ("code", "cost_price", "template.name", "template.categories.rec_name")
RATE_FIELDS = ("currency.code", "date", "rate")
ZERO = Decimal(0)
RATE_PLACES = Decimal("1e-12")  # finer than the warehouse's DECIMAL(18, 9)


class TrytonReporting:
    """The ErpReporting port over Tryton's RPC (mixed into TrytonConnector)."""

    def __init__(
        self,
        rpc: TrytonRPC,
        *,
        company_currency: Callable[[], str],
        service_skus: Collection[str],
    ) -> None:
        self.rpc = rpc
        self._company_currency = company_currency
        self.service_skus = frozenset(service_skus)  # shipping, discount...: not goods

    def _all(self) -> dict[str, Any]:
        # Archived products and the like still belong to the sales that used them.
        return {**self.rpc.context, "active_test": False}

    def company_currency(self) -> str:
        return self._company_currency()

    # -- per sale ----------------------------------------------------------------------
    def sale_costs(self, sale_ids: Sequence[int]) -> dict[int, SaleCosts]:
        """Goods lines' costs by the margins rule (margins.py), service lines left out."""
        figures = read_sale_figures(self.rpc, _ids(sale_ids))
        return {
            sale_id: SaleCosts(
                sale_id=sale_id,
                state=sale.state,
                lines=tuple(
                    SaleLineCost(sku=line.sku or "", quantity=line.quantity, cost=line.cost)
                    for line in sale.lines
                    if line.sku not in self.service_skus
                ),
            )
            for sale_id, sale in figures.items()
        }

    def _sales(self, sale_ids: Sequence[int], field: str) -> dict[int, list[int]]:
        """sale id -> the ids in its `field` (shipments, invoices); unknown sales left out."""
        records = self.rpc.search_read(
            "sale.sale", [("id", "in", list(sale_ids))], [field], context=self._all()
        )
        return {int(r["id"]): [int(i) for i in r.get(field) or []] for r in records}

    def sale_shipments(self, sale_ids: Sequence[int]) -> dict[int, list[ShipmentFact]]:
        """Done customer shipments per sale, oldest first, with the units of that sale's
        goods in each and its carrier's cost. A shipment's done time is its last write
        (Tryton stamps no done time; a done shipment is not written again by the stock
        process). A shipment of several sales' goods splits its cost by their units."""
        ids = _ids(sale_ids)
        if not ids:
            return {}
        sales = self._sales(ids, "shipments")
        shipment_ids = sorted({s for found in sales.values() for s in found})
        shipments = self._read("stock.shipment.out", shipment_ids, SHIPMENT_FIELDS)
        done = [s for s in shipments.values() if s.get("state") == "done"]
        move_ids = [m for s in done for m in s.get("outgoing_moves") or []]
        moves = self._read("stock.move", move_ids, MOVE_FIELDS)
        line_ids = sorted(
            {i for m in moves.values() if (i := origin_id(m.get("origin"), "sale.line"))}
        )
        sale_of_line = {
            line_id: int(record["sale"])
            for line_id, record in self._read("sale.line", line_ids, ("sale",)).items()
        }
        found: dict[int, list[ShipmentFact]] = {sale_id: [] for sale_id in sales}
        for shipment in sorted(done, key=lambda s: (_done_at(s), s["id"])):
            units: dict[int, Decimal] = {}
            for move_id in shipment.get("outgoing_moves") or []:
                move = moves.get(move_id, {})
                sale_id = sale_of_line.get(origin_id(move.get("origin"), "sale.line") or 0)
                if sale_id is not None and move.get("state") == "done":
                    units[sale_id] = units.get(sale_id, ZERO) + Decimal(str(move["quantity"]))
            costs = _shares(_cost(shipment), units)
            for sale_id, quantity in units.items():
                if sale_id in found:
                    found[sale_id].append(
                        _shipment(shipment, sale_id, quantity, costs.get(sale_id))
                    )
        return found

    def sale_invoice_facts(self, sale_ids: Sequence[int]) -> dict[int, list[InvoiceFact]]:
        """Customer invoices per sale (credit notes included, cancelled ones too)."""
        ids = _ids(sale_ids)
        if not ids:
            return {}
        sales = self._sales(ids, "invoices")
        invoice_ids = sorted({i for found in sales.values() for i in found})
        invoices = self._read("account.invoice", invoice_ids, INVOICE_FIELDS)
        return {
            sale_id: [
                _invoice(invoices[i], sale_id)
                for i in sorted(found)
                if invoices.get(i, {}).get("type") == "out"
            ]
            for sale_id, found in sales.items()
        }

    # -- the catalogue and the rates ---------------------------------------------------
    def product_facts(self) -> list[ProductFact]:
        """Every product with a code, archived ones too; its first category by full name."""
        records = self.rpc.search_read(
            "product.product",
            [("code", "!=", None)],
            PRODUCT_FIELDS,
            order=[("code", "ASC"), ("id", "ASC")],
            context=self._all(),
        )
        products: dict[str, ProductFact] = {}
        for record in records:
            sku = str(record.get("code") or "").strip()
            if not sku or sku in products:
                continue  # Tryton lets two variants share a code: the first one stands
            template = record.get("template.") or {}
            categories = sorted(
                str(c["rec_name"])
                for c in template.get("categories.") or []
                if isinstance(c, Mapping)
            )
            products[sku] = ProductFact(
                sku=sku,
                title=str(template.get("name") or sku),
                category=categories[0] if categories else None,
                cost_price=_decimal(record.get("cost_price")),
            )
        return list(products.values())

    def currency_rates(self, currencies: Sequence[str]) -> list[CurrencyRate]:
        """Every rate Tryton has for these currencies, as company units per unit.

        Tryton keeps each currency's rate against one base: X units of the currency per
        unit of the base, and converts with `amount x to.rate / from.rate`. So one unit
        of a currency is `company rate / its rate` units of the company's currency, with
        the company currency's rate in force on that date. A company currency without
        rates of its own is the base (rate 1); dated before its first rate, its first.
        """
        company = self.company_currency()
        wanted = sorted({c.strip().upper() for c in currencies if c.strip()} - {company})
        if not wanted:
            return []
        records = self.rpc.search_read(
            "currency.currency.rate",
            [("currency.code", "in", [*wanted, company])],
            RATE_FIELDS,
            order=[("date", "ASC"), ("id", "ASC")],
        )
        by_code: dict[str, list[tuple[dt.date, Decimal]]] = {}
        for record in records:
            code = str(nested(record, "currency", "code") or "")
            by_code.setdefault(code, []).append((record["date"], _decimal(record["rate"])))
        company_rates = by_code.get(company, [])
        return [
            CurrencyRate(
                currency=code,
                date=date,
                rate=(_in_force(company_rates, date) / rate).quantize(RATE_PLACES),
            )
            for code in wanted
            for date, rate in by_code.get(code, [])
        ]

    def _read(
        self, model: str, ids: Sequence[int], fields: Sequence[str]
    ) -> dict[int, dict[str, Any]]:
        if not ids:
            return {}
        return {int(r["id"]): r for r in self.rpc.read(model, ids, fields, context=self._all())}


def _ids(sale_ids: Sequence[int]) -> list[int]:
    return sorted({int(i) for i in sale_ids if int(i) > 0})


def _in_force(rates: list[tuple[dt.date, Decimal]], date: dt.date) -> Decimal:
    """The rate in force on `date` of rates sorted by date; 1 when there are none."""
    if not rates:
        return Decimal(1)
    found = rates[0][1]
    for start, rate in rates:
        if start > date:
            break
        found = rate
    return found


def _done_at(shipment: Mapping[str, Any]) -> dt.datetime:
    stamp: dt.datetime = shipment.get("write_date") or shipment["create_date"]
    return stamp.replace(tzinfo=dt.UTC)  # Tryton's timestamps are naive UTC


def _cost(record: Mapping[str, Any]) -> Decimal | None:
    value = record.get("cost")
    return None if value is None else Decimal(str(value))


def _shares(cost: Decimal | None, units: Mapping[int, Decimal]) -> dict[int, Decimal]:
    """A shipment's cost per sale, by the units of each in it (the shares add up to the
    cost exactly), to the cent or to the cost's own places if finer."""
    if cost is None or not units:
        return {}
    exponent = cost.as_tuple().exponent
    step = Decimal(1).scaleb(min(exponent, -2) if isinstance(exponent, int) else -2)
    return dict(zip(units, shared_out(cost, list(units.values()), step), strict=True))


def _shipment(
    record: Mapping[str, Any], sale_id: int, units: Decimal, cost: Decimal | None
) -> ShipmentFact:
    return ShipmentFact(
        shipment_id=int(record["id"]),
        number=record.get("number") or None,
        sale_id=sale_id,
        warehouse=nested(record, "warehouse", "code") or nested(record, "warehouse", "name"),
        carrier=nested(record, "carrier", "party", "name"),
        shipped_at=_done_at(record),
        units=units,
        cost=cost,
        cost_currency=nested(record, "cost_currency", "code") if cost is not None else None,
    )


def _invoice(record: Mapping[str, Any], sale_id: int) -> InvoiceFact:
    return InvoiceFact(
        invoice_id=int(record["id"]),
        number=record.get("number") or None,
        sale_id=sale_id,
        state=str(record.get("state") or ""),
        currency=str(nested(record, "currency", "code") or ""),
        total_amount=_decimal(record.get("total_amount")),
        invoice_date=record.get("invoice_date"),
    )


def _decimal(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(str(value))
