"""A test double of the ErpReporting port: an in-memory ERP with sales, shipments,
invoices, products and rates that a test sets by hand (not the Tryton connector)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from causeway.model.ports.erp_reporting import (
    CurrencyRate,
    ErpReporting,
    InvoiceFact,
    ProductFact,
    SaleCosts,
    SaleLineCost,
    ShipmentFact,
)


@dataclass
class ErpDouble:
    currency: str = "EUR"
    sales: dict[int, SaleCosts] = field(default_factory=dict)
    shipments: dict[int, list[ShipmentFact]] = field(default_factory=dict)
    invoices: dict[int, list[InvoiceFact]] = field(default_factory=dict)
    products: list[ProductFact] = field(default_factory=list)
    rates: list[CurrencyRate] = field(default_factory=list)
    asked: list[list[int]] = field(default_factory=list)  # sale ids of each sale_costs call

    # -- what a test sets -------------------------------------------------------------
    def sale(self, sale_id: int, state: str, *lines: tuple[str, int, str]) -> None:
        """lines: (sku, quantity, cost of the whole quantity)."""
        self.sales[sale_id] = SaleCosts(
            sale_id=sale_id,
            state=state,
            lines=tuple(
                SaleLineCost(sku=s, quantity=Decimal(q), cost=Decimal(c)) for s, q, c in lines
            ),
        )

    def ship(
        self,
        sale_id: int,
        shipment_id: int,
        at: dt.datetime,
        units: int,
        warehouse: str = "WH",
        cost: str | None = None,
        cost_currency: str | None = None,
    ) -> None:
        self.shipments.setdefault(sale_id, []).append(
            ShipmentFact(
                shipment_id=shipment_id,
                number=f"S{shipment_id}",
                sale_id=sale_id,
                warehouse=warehouse,
                carrier="DHL",
                shipped_at=at,
                units=Decimal(units),
                cost=None if cost is None else Decimal(cost),
                cost_currency=cost_currency,
            )
        )

    def invoice(
        self, sale_id: int, invoice_id: int, amount: str, currency: str, day: dt.date
    ) -> None:
        self.invoices.setdefault(sale_id, []).append(
            InvoiceFact(
                invoice_id=invoice_id,
                number=f"I{invoice_id}",
                sale_id=sale_id,
                state="posted",
                currency=currency,
                total_amount=Decimal(amount),
                invoice_date=day,
            )
        )

    # -- the port -----------------------------------------------------------------------
    def company_currency(self) -> str:
        return self.currency

    def sale_costs(self, sale_ids: Sequence[int]) -> Mapping[int, SaleCosts]:
        self.asked.append(list(sale_ids))
        return {s: self.sales[s] for s in sale_ids if s in self.sales}

    def sale_shipments(self, sale_ids: Sequence[int]) -> Mapping[int, list[ShipmentFact]]:
        return {s: list(self.shipments.get(s, [])) for s in sale_ids}

    def sale_invoice_facts(self, sale_ids: Sequence[int]) -> Mapping[int, list[InvoiceFact]]:
        return {s: list(self.invoices.get(s, [])) for s in sale_ids}

    def product_facts(self) -> list[ProductFact]:
        return list(self.products)

    def currency_rates(self, currencies: Sequence[str]) -> list[CurrencyRate]:
        return [r for r in self.rates if r.currency in currencies]


def _is_port(erp: ErpDouble) -> ErpReporting:
    return erp  # mypy checks that the double implements the port
