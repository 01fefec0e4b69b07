"""The ERP port: what an ERP connector gives the flows.

The ERP is the system of record for sales, stock, shipments, invoices and returns.
Every write is idempotent by a natural key the hub chooses (the sale's reference):
the connector searches it before it creates, so a crash between the ERP's write and
the hub's link, or a replayed job, never makes a second sale, return or payment.
Every call takes a batch and costs a fixed, small number of round trips.

The results are read through the small protocols below (what the flows read of
them); a connector returns its own richer records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from causeway.model.catalog import CatalogItem
from causeway.model.order import Order
from causeway.model.product import StockLevel
from causeway.model.returns import RefundLine
from causeway.model.sale_terms import SaleTerms
from causeway.model.tax_map import TaxMap


# -- sales -----------------------------------------------------------------------------
class PlacedSale(Protocol):
    """A sale the ERP holds for one order reference."""

    @property
    def sale_id(self) -> int: ...
    @property
    def number(self) -> str | None: ...
    @property
    def state(self) -> str: ...
    @property
    def total_amount(self) -> Decimal: ...
    @property
    def untaxed_amount(self) -> Decimal: ...
    @property
    def tax_amount(self) -> Decimal: ...


# An order and its quotation -> the reason not to confirm it, or None to confirm it.
Hold = Callable[[Order, PlacedSale], str | None]


@runtime_checkable
class ErpOrders(Protocol):
    def place_orders(
        self,
        orders: Sequence[tuple[str, Order]],
        *,
        hold: Hold | None = None,
        tax_map: TaxMap | None = None,
        terms: SaleTerms | None = None,
    ) -> Mapping[str, PlacedSale | BaseException]:
        """reference -> the confirmed sale, or why this order could not become one.

        At most one sale per reference, whatever crashed before. With `hold`, a
        quotation it gives a reason against stays unconfirmed (that reason comes back
        as a PermanentError); tax_map names the ERP's taxes for the channel's;
        terms are the channel's price list, warehouse, payment term and customer group;
        with terms.shipped_by_channel (the channel fulfilled the orders from its own
        warehouse, e.g. Amazon FBA) each sale's shipment is done at once, exactly once: a
        repeat finds the sale and leaves a done shipment as it is.
        """
        ...


class AmendedSale(Protocol):
    @property
    def sale_id(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def total_amount(self) -> Decimal: ...
    @property
    def changed(self) -> int: ...


@runtime_checkable
class ErpAmendments(Protocol):
    def amend_sale(self, reference: str, order: Order) -> AmendedSale:
        """Make the sale's lines match the edited order; compares first, so a repeat
        changes nothing (changed == 0)."""
        ...


class SaleFigures(Protocol):
    """What a sale earned and how far it got."""

    @property
    def sale_id(self) -> int: ...
    @property
    def number(self) -> str | None: ...
    @property
    def state(self) -> str: ...  # "cancelled" once cancelled
    @property
    def untaxed_amount(self) -> Decimal: ...
    @property
    def cost(self) -> Decimal: ...
    @property
    def margin(self) -> Decimal: ...
    @property
    def email(self) -> str | None: ...
    @property
    def progress(self) -> str:
        """Its shipping and invoicing in words: "shipped, invoiced", "paid", "cancelled"."""
        ...


@runtime_checkable
class ErpSaleFigures(Protocol):
    def sale_figures(
        self, sale_ids: Sequence[int], *, with_costs: bool = True
    ) -> Mapping[int, SaleFigures]:
        """sale id -> its figures; sales the ERP does not have are left out."""
        ...


# -- reading a sale as it stands -----------------------------------------------------------
class SaleLineRead(BaseModel):
    """One line of a sale as the ERP holds it now (goods and services alike)."""

    model_config = ConfigDict(frozen=True)

    sku: str | None  # None: a line without a product (a comment, a free text line)
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal  # untaxed
    # A line the connector adds from the order's other fields (shipping, discounts,
    # gift cards, tips), not one of the order's goods lines.
    service: bool = False


class SaleShipmentRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    shipment_id: int
    number: str | None
    state: str  # e.g. waiting, assigned, picked, packed, done, cancelled
    carrier: str | None = None
    tracking_number: str | None = None


class SaleInvoiceRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    invoice_id: int
    number: str | None
    state: str  # draft, validated, posted, paid, cancelled
    total_amount: Decimal


class SaleRead(BaseModel):
    """A sale as the ERP holds it now, read for a person to compare with the hub's copy."""

    model_config = ConfigDict(frozen=True)

    sale_id: int
    reference: str
    number: str | None
    state: str  # draft, quotation, confirmed, processing, done, cancelled
    currency: str | None
    untaxed_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    shipment_state: str | None = None
    invoice_state: str | None = None
    lines: tuple[SaleLineRead, ...] = ()
    shipments: tuple[SaleShipmentRead, ...] = ()
    invoices: tuple[SaleInvoiceRead, ...] = ()


@runtime_checkable
class ErpSaleReading(Protocol):
    def read_sales(self, references: Sequence[str]) -> Mapping[str, SaleRead]:
        """reference -> the sale as it stands, with its lines, shipments and invoices, in
        a fixed number of calls; references the ERP has no sale for are left out. Reads
        only: the console's "refresh from the systems" calls it."""
        ...


# -- invoices --------------------------------------------------------------------------
class Invoice(Protocol):
    @property
    def invoice_id(self) -> int: ...
    @property
    def number(self) -> str | None: ...
    @property
    def state(self) -> str: ...  # draft, validated, posted, paid, cancelled
    @property
    def total_amount(self) -> Decimal: ...


class SaleInvoices(Protocol):
    @property
    def invoices(self) -> Sequence[Invoice]: ...
    @property
    def state(self) -> str | None: ...  # the least advanced invoice's; None without any
    @property
    def total(self) -> Decimal: ...


@runtime_checkable
class ErpInvoices(Protocol):
    def sale_invoices(self, references: Sequence[str]) -> Mapping[str, SaleInvoices]: ...

    def pay_sale_invoices(
        self, reference: str, amount: Decimal, currency: str, *, payment_method: str, note: str
    ) -> tuple[SaleInvoices, bool]:
        """Post and pay the sale's invoices at most once; True if this call paid them."""
        ...


# -- shipments -------------------------------------------------------------------------
class ShippedLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    sku: str
    quantity: Decimal
    sale_id: int | None  # None: the goods do not come from a sale line


class DoneShipment(BaseModel):
    """One customer shipment, as the flows need it (also stored in the inbox as JSON)."""

    model_config = ConfigDict(frozen=True)

    id: int
    number: str
    done_at: dt.datetime  # when it was last written (done), UTC
    effective_date: dt.date | None = None
    carrier: str | None = None  # the carrier's name, e.g. "UPS"
    tracking_number: str | None = None
    lines: tuple[ShippedLine, ...] = ()
    sales: dict[int, str | None] = {}  # sale id -> its reference

    @property
    def sale_ids(self) -> list[int]:
        return sorted(self.sales) or sorted(
            {line.sale_id for line in self.lines if line.sale_id is not None}
        )


@runtime_checkable
class ErpShipments(Protocol):
    def done_shipments_since(
        self, since: dt.datetime | None
    ) -> tuple[list[DoneShipment], dt.datetime | None]:
        """Customer shipments done since `since`, and the next cursor."""
        ...

    def allocated_shipments_since(
        self, since: dt.datetime | None
    ) -> tuple[list[DoneShipment], dt.datetime | None]:
        """Customer shipments with stock reserved (picking, packing) since `since`."""
        ...


# -- cancellations and returns ---------------------------------------------------------
class CancelledSale(Protocol):
    @property
    def sale_id(self) -> int: ...
    @property
    def reference(self) -> str: ...
    @property
    def number(self) -> str | None: ...
    @property
    def state(self) -> str: ...
    @property
    def changed(self) -> bool: ...  # False: it was cancelled already


@runtime_checkable
class ErpCancellations(Protocol):
    def cancel_sale(self, reference: str) -> CancelledSale | None:
        """Cancel the sale unless something shipped (then PermanentError naming what a
        person must decide); None: the ERP has no sale of that reference."""
        ...


class PlacedReturn(Protocol):
    @property
    def reference(self) -> str: ...
    @property
    def sale_id(self) -> int: ...
    @property
    def number(self) -> str | None: ...
    @property
    def total_amount(self) -> Decimal: ...


class ReturnProgress(Protocol):
    @property
    def received(self) -> bool: ...  # the warehouse has every returned good
    @property
    def shipments(self) -> Sequence[tuple[str | None, str]]: ...  # (number, state)


@runtime_checkable
class ErpReturns(Protocol):
    def place_return(
        self,
        original_reference: str,
        reference: str,
        lines: Sequence[RefundLine],
        *,
        goods_come_back: bool,
        description: str,
    ) -> PlacedReturn:
        """A return of the sale `original_reference`, once per `reference`."""
        ...

    def return_progress(self, sale_ids: Sequence[int]) -> Mapping[int, ReturnProgress]: ...


# -- stock and catalogue ---------------------------------------------------------------
@runtime_checkable
class ErpStock(Protocol):
    def stock_levels(
        self, skus: Sequence[str] | None = None, *, warehouse: str | None = None
    ) -> list[StockLevel]:
        """On hand and forecast per SKU (every goods SKU when None) in one warehouse, by
        its name or code as the ERP shows it; None: the connector's own warehouse, the
        one sales ship from when their channel names none. A warehouse the ERP does not
        have (or several answer to) is a PermanentError that lists the ERP's warehouses."""
        ...

    def warehouse_key(self, warehouse: str | None) -> str:
        """One key for every name of one warehouse (None: the connector's own): how a
        flow sees that two channels sell from the same warehouse, and which warehouse
        ships a channel's sales. Errors as stock_levels."""
        ...

    def stock_changes_since(self, since: dt.datetime | None) -> tuple[set[str], dt.datetime | None]:
        """SKUs whose stock moved since the cursor `since`, and the next cursor."""
        ...


@runtime_checkable
class ErpCatalog(Protocol):
    def catalog_changes_since(
        self, since: dt.datetime | None, *, price_list: str | None = None
    ) -> tuple[list[int], dt.datetime | None]:
        """Product ids changed since the cursor `since`, and the next cursor."""
        ...

    def catalog_items(
        self, product_ids: Sequence[int], *, price_list: str | None = None
    ) -> Mapping[int, CatalogItem | BaseException]:
        """product id -> its item, or why it cannot be published (a PermanentError);
        products the ERP no longer has are left out."""
        ...

    def existing_products(self, product_ids: Sequence[int]) -> set[int]: ...

    def catalog_categories(self) -> set[str]:
        """The full name of every product category ("Garden / Chairs"), which the
        items' `categories` use."""
        ...


# -- customers -------------------------------------------------------------------------
class PartyCustomer(BaseModel):
    """One ERP customer (party), in the golden record's fields."""

    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    changed_at: dt.datetime  # when it was last written (created when never written), UTC
    email: str | None = None
    phone: str | None = None
    payment_terms: str | None = None
    credit_limit: Decimal | None = None

    def observed(self) -> dict[str, Any]:
        values = {"email": self.email, "phone": self.phone, "payment_terms": self.payment_terms}
        kept: dict[str, Any] = {k: v for k, v in values.items() if v}
        if self.credit_limit is not None:
            kept["credit_limit"] = str(self.credit_limit)
        return kept


@runtime_checkable
class ErpCustomers(Protocol):
    def customers_since(
        self, since: dt.datetime | None
    ) -> tuple[list[PartyCustomer], dt.datetime | None]: ...

    def update_party_contact(
        self, party_id: int, values: Mapping[str, Any], region: str = "US"
    ) -> list[str]:
        """Write the email and phone the party does not have yet; returns what it wrote."""
        ...


@runtime_checkable
class Erp(
    ErpOrders,
    ErpAmendments,
    ErpSaleFigures,
    ErpSaleReading,
    ErpInvoices,
    ErpShipments,
    ErpCancellations,
    ErpReturns,
    ErpStock,
    ErpCatalog,
    ErpCustomers,
    Protocol,
):
    """Everything an ERP gives the flows."""
