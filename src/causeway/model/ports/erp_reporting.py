"""What the warehouse reads from the ERP (docs/warehouse.md): reads only, in batches.

The ERP knows what the channels cannot: what the goods actually cost, which warehouse
shipped them and when, what was invoiced, and the exchange rates the books use. The
warehouse build (warehouse/build.py) asks for the sales the hub placed, by the ERP's sale
ids the hub's links hold, and never writes.

Amounts in `company_currency` are in the ERP company's currency; a rate converts a
document currency to it (company units per one unit of the currency).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict


class SaleLineCost(BaseModel):
    """The cost of one goods line of a sale, by the margins rule: what the ERP booked on
    the units shipped, the product's cost price for the rest (docs/flows/margins-to-crm.md)."""

    model_config = ConfigDict(frozen=True)

    sku: str
    quantity: Decimal  # in the line (negative on a return sale)
    cost: Decimal  # in the company's currency, for the whole quantity


class SaleCosts(BaseModel):
    model_config = ConfigDict(frozen=True)

    sale_id: int
    state: str  # draft, quotation, confirmed, processing, done, cancelled
    lines: tuple[SaleLineCost, ...] = ()  # goods lines only, in the sale's order


class ShipmentFact(BaseModel):
    """A done customer shipment of a sale: when, from where, how much, at what cost."""

    model_config = ConfigDict(frozen=True)

    shipment_id: int
    number: str | None
    sale_id: int
    warehouse: str | None  # the warehouse's code (or name when it has no code)
    carrier: str | None
    shipped_at: dt.datetime  # when it was done, UTC
    units: Decimal  # units of goods of that sale in the shipment
    # What the carrier charges for it (Tryton: stock_shipment_cost's cost, the carrier's
    # purchase price), that sale's share when it ships several; None when the ERP has none.
    cost: Decimal | None = None
    cost_currency: str | None = None  # ISO code of `cost`


class InvoiceFact(BaseModel):
    model_config = ConfigDict(frozen=True)

    invoice_id: int
    number: str | None
    sale_id: int
    state: str  # draft, validated, posted, paid, cancelled
    currency: str
    total_amount: Decimal
    invoice_date: dt.date | None


class ProductFact(BaseModel):
    model_config = ConfigDict(frozen=True)

    sku: str
    title: str
    category: str | None
    cost_price: Decimal  # in the company's currency


class CurrencyRate(BaseModel):
    """From `date` on (until the next rate), one unit of `currency` is `rate` units of
    the company's currency."""

    model_config = ConfigDict(frozen=True)

    currency: str
    date: dt.date
    rate: Decimal


@runtime_checkable
class ErpReporting(Protocol):
    def company_currency(self) -> str:
        """The ISO code of the currency the ERP company keeps its books in."""
        ...

    def sale_costs(self, sale_ids: Sequence[int]) -> Mapping[int, SaleCosts]:
        """sale id -> its goods lines' costs; sales the ERP does not have are left out."""
        ...

    def sale_shipments(self, sale_ids: Sequence[int]) -> Mapping[int, list[ShipmentFact]]:
        """sale id -> its done customer shipments (none yet: an empty list or left out)."""
        ...

    def sale_invoice_facts(self, sale_ids: Sequence[int]) -> Mapping[int, list[InvoiceFact]]:
        """sale id -> its customer invoices, cancelled ones included."""
        ...

    def product_facts(self) -> list[ProductFact]:
        """Every product with a code (SKU)."""
        ...

    def currency_rates(self, currencies: Sequence[str]) -> list[CurrencyRate]:
        """Every rate the ERP has for these currencies, in company units per unit; the
        company's own currency is 1 on every date and need not be listed."""
        ...
