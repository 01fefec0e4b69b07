"""The ERP as the B2B portal reads and writes it (docs/portal.md).

The ERP stays the source of truth for everything a business customer sees: its products,
the prices agreed with it (the price list on its party, with quantity breaks), what is
available now per warehouse, its credit position, its sales, shipments, invoices and
payments. The portal reads these live; every read takes a batch and costs a fixed,
small number of round trips whatever its size (the catalogue of 10,000 products is a
handful of calls, never one per product).

Every method that takes a `party_id` answers only about that party: an invoice, a sale
or an address of another party is None or left out, never returned. The portal checks
ownership too (web/portal); this is the second wall.

The one write is `place_portal_sale`: exactly once by the hub's reference, like
`ErpOrders.place_orders` (searched before it is created).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from causeway.model.ports.erp import SaleRead


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


# -- the catalogue -----------------------------------------------------------------------
class PortalProduct(_Frozen):
    """A product a business customer may order: what the catalogue page shows of it."""

    product_id: int
    sku: str
    name: str
    description: str = ""
    categories: tuple[str, ...] = ()  # names, for the category filter
    unit: str = "Unit"
    image_count: int = 0  # images the ERP has for it (served through the hub, never the ERP)
    minimal_quantity: Decimal | None = None  # the least a sale line may order
    quantity_multiple: Decimal | None = None  # a line's quantity is a multiple of this


class PriceBreak(_Frozen):
    """From `min_quantity` units on, each unit costs `unit_price` (untaxed)."""

    min_quantity: Decimal
    unit_price: Decimal


class PartyPrices(_Frozen):
    """The prices one party pays, per SKU, in `currency`: the breaks from the lowest
    quantity up (the first one's min_quantity is the least it may order at that price)."""

    currency: str
    price_list: str | None  # the price list's name; None: the product's list price
    breaks: Mapping[str, tuple[PriceBreak, ...]]

    def unit_price(self, sku: str, quantity: Decimal) -> Decimal | None:
        """The unit price for this quantity: the last break it reaches; None for a SKU
        this party has no price for."""
        found = None
        for price_break in self.breaks.get(sku, ()):
            if quantity >= price_break.min_quantity:
                found = price_break.unit_price
        if found is None and self.breaks.get(sku):
            found = self.breaks[sku][0].unit_price
        return found


class Availability(_Frozen):
    """What the ERP forecasts for one SKU per warehouse (code -> quantity), before the
    hub takes off what it holds for orders not yet in the ERP."""

    sku: str
    by_warehouse: Mapping[str, Decimal]


@runtime_checkable
class ErpPortalCatalogue(Protocol):
    def portal_products(self) -> Sequence[PortalProduct]:
        """Every salable goods product, in one or two calls."""
        ...

    def party_prices(self, party_id: int, skus: Sequence[str]) -> PartyPrices:
        """The prices the party's price list gives these SKUs, with its quantity breaks,
        in a fixed number of calls."""
        ...

    def availability(
        self, skus: Sequence[str], warehouses: Sequence[str] | None = None
    ) -> Mapping[str, Availability]:
        """Forecast quantity per warehouse (by code; None: every warehouse) for these SKUs,
        one call per warehouse at most."""
        ...

    def product_image(self, sku: str, index: int = 0) -> tuple[bytes, str] | None:
        """The product's image number `index` and its media type, or None."""
        ...


# -- the company -------------------------------------------------------------------------
class PartyAddress(_Frozen):
    address_id: int
    name: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None  # ISO code
    invoice: bool = True
    delivery: bool = True

    def one_line(self) -> str:
        return ", ".join(
            p for p in (self.name, self.street, self.postal_code, self.city, self.country) if p
        )


class PortalParty(_Frozen):
    """A business customer's ERP party, as its portal users see it."""

    party_id: int
    name: str
    code: str | None = None
    emails: tuple[str, ...] = ()
    contacts: tuple[tuple[str, str], ...] = ()  # (name, e-mail) of its contact people
    addresses: tuple[PartyAddress, ...] = ()
    price_list: str | None = None
    language: str | None = None  # e.g. "en", "fr"


class CreditPosition(_Frozen):
    """The party's credit against its limit, in the company's currency. `used` is what
    the ERP counts against the limit: open receivables plus confirmed sales not yet
    invoiced. `limit` None: no limit set (every order passes)."""

    currency: str
    limit: Decimal | None
    used: Decimal

    def room(self) -> Decimal | None:
        return None if self.limit is None else self.limit - self.used


@runtime_checkable
class ErpPortalParties(Protocol):
    def portal_party(self, party_id: int) -> PortalParty | None:
        """The party with its addresses and contacts; None when there is no such party."""
        ...

    def find_parties(self, text: str, limit: int = 20) -> Sequence[PortalParty]:
        """Parties whose name, code or e-mail contains `text` (the console's company picker)."""
        ...

    def add_party_address(self, party_id: int, address: PartyAddress) -> int:
        """A new delivery address on the party; its id."""
        ...

    def credit_position(self, party_id: int) -> CreditPosition: ...


# -- ordering ----------------------------------------------------------------------------
class PortalSaleLine(_Frozen):
    sku: str
    quantity: Decimal


class PortalSale(_Frozen):
    """A checkout to place as a confirmed sale, priced by the party's price list in the ERP."""

    reference: str  # the hub's, unique: searched before create (exactly once)
    party_id: int
    lines: tuple[PortalSaleLine, ...]
    shipment_address_id: int | None = None  # one of the party's; None: its default
    po_number: str | None = None  # the customer's purchase order number (sale.description)
    warehouse: str | None = None  # code; None: the ERP's default
    # The order went over the credit limit and a person approved it: confirm it even if
    # the ERP's own credit check warns (the Tryton client's "confirm anyway").
    credit_approved: bool = False


class PlacedPortalSale(_Frozen):
    sale_id: int
    reference: str
    number: str | None
    state: str
    currency: str
    untaxed_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal


class QuotedLine(_Frozen):
    sku: str
    name: str
    quantity: Decimal
    unit_price: Decimal  # untaxed, what the party's price list gives this quantity

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price


class PortalQuote(_Frozen):
    """What the sale would be, priced exactly as place_portal_sale prices it (checked
    against the quantity rules and the party's addresses too), without writing."""

    currency: str
    lines: tuple[QuotedLine, ...]
    # The party's credit as the ERP counts it now, when asked for (with_credit=True):
    # read with the party in the same call, so checkout waits for no extra round trip.
    credit: CreditPosition | None = None

    @property
    def untaxed_amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


class CreditLimitExceeded(Exception):
    """The ERP refused to confirm the sale over the party's credit limit; the message is
    the ERP's. The sale stays a quotation until a person approves it."""


@runtime_checkable
class ErpPortalSales(Protocol):
    def place_portal_sale(self, sale: PortalSale) -> PlacedPortalSale:
        """Create, quote and confirm the sale once (by reference): a retry finds and
        finishes it. Raises CreditLimitExceeded, UnknownSkuError, PermanentError with a
        reason a buyer can read (a quantity under the minimum, say)."""
        ...

    def quote_portal_sale(self, sale: PortalSale, *, with_credit: bool = False) -> PortalQuote:
        """The sale's lines with the unit prices it would get now (a fixed number of
        calls), and with_credit the party's credit position now; raises as
        place_portal_sale does for what it would refuse."""
        ...

    def delivery_addresses(self, party_id: int) -> Sequence[PartyAddress]:
        """The party's own addresses a sale may ship to, its default first."""
        ...


# -- history -----------------------------------------------------------------------------
class PartySale(SaleRead):
    """One of the party's sales as its history shows it: the sale as the ERP holds it
    now (lines, shipments with carrier and tracking number, invoices), with its date, the
    customer's PO number and the party's e-mail (where order e-mails go when the hub does
    not know who ordered)."""

    party_id: int
    sale_date: dt.date | None = None
    po_number: str | None = None  # sale.description
    party_email: str | None = None
    # A return: the sale it returns goods of (Tryton's origin "sale.sale,<id>"); None
    # for an ordinary sale.
    returns_sale_id: int | None = None


class InvoiceSummary(_Frozen):
    invoice_id: int
    number: str | None
    date: dt.date | None
    state: str  # posted, paid, cancelled (drafts are never shown)
    currency: str
    total_amount: Decimal
    amount_to_pay: Decimal
    sale_references: tuple[str, ...] = ()
    credit_note: bool = False


class StatementLine(_Frozen):
    date: dt.date
    kind: str  # invoice, credit_note, payment, adjustment (any other entry on the account)
    number: str | None
    description: str
    debit: Decimal  # what the customer owes more
    credit: Decimal  # what it paid or was credited


class Statement(_Frozen):
    party_id: int
    currency: str
    start: dt.date
    end: dt.date
    opening_balance: Decimal
    lines: tuple[StatementLine, ...]
    closing_balance: Decimal


class OpenBalance(_Frozen):
    amount: Decimal
    currency: str


@runtime_checkable
class ErpPortalHistory(Protocol):
    def party_sales(
        self,
        party_id: int,
        *,
        references: Sequence[str] | None = None,
        sale_ids: Sequence[int] | None = None,
        with_returns: bool = False,
        limit: int = 200,
    ) -> Sequence[PartySale]:
        """The party's sales, newest first, with lines, shipments and invoices, in a
        fixed number of calls: only those of `references` or `sale_ids` when given, and
        with `with_returns` the party's returns of those sales too."""
        ...

    def sales_by_reference(self, references: Sequence[str]) -> Mapping[str, PartySale]:
        """reference -> its sale whatever its party (the progress flow follows portal
        sales by reference); references the ERP has no sale for are left out."""
        ...

    def party_invoices(self, party_id: int, limit: int = 500) -> Sequence[InvoiceSummary]: ...

    def invoice_pdf(self, party_id: int, invoice_id: int) -> tuple[bytes, str] | None:
        """The ERP's own invoice report (bytes, file name), only when the invoice is the
        party's and posted or paid; None otherwise."""
        ...

    def statement(self, party_id: int, start: dt.date, end: dt.date) -> Statement:
        """Invoices, credit notes and payments of the party between start and end
        (inclusive), with the balance before and after."""
        ...

    def open_balance(self, party_id: int) -> OpenBalance:
        """What the party owes now (its receivable), in the company's currency."""
        ...


@runtime_checkable
class ErpPortal(ErpPortalCatalogue, ErpPortalParties, ErpPortalSales, ErpPortalHistory, Protocol):
    """Everything the B2B portal asks of the ERP."""
