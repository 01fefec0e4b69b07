"""Causeway's connector to Tryton 8.2: sales in, stock out, over JSON-RPC.

Tryton spends its time in the ORM, not on the wire: one call that creates 30 sales is
about 6x faster than 30 calls that create one. So every public method here works on a
batch and makes a fixed, small number of calls whatever the batch size (place_orders:
about 10 calls for any number of orders). See docs/connectors/tryton.md.

TrytonConnector is the one object the flows hold; each operation is one line that hands
over to the component that owns it: sales.py places channel orders exactly once (and
holds quotations a flow has a reason against), invoices.py, amendments.py,
cancellations.py, returns.py, stock.py, products.py and parties.py the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

from causeway.connectors.tryton import addresses, parties, sale_reading
from causeway.connectors.tryton.amendments import AmendedSale, Amendments
from causeway.connectors.tryton.cancellations import SaleCancellations, SaleCancelled
from causeway.connectors.tryton.channel_fees import ChannelFeeInvoices
from causeway.connectors.tryton.channel_shipments import ship_at_once
from causeway.connectors.tryton.customers import CustomerResolver
from causeway.connectors.tryton.invoices import Invoices, SaleInvoices
from causeway.connectors.tryton.mapping import PlacedSale
from causeway.connectors.tryton.margins import SaleFigures, read_sale_figures
from causeway.connectors.tryton.masterdata import MasterData
from causeway.connectors.tryton.parties import PartyCustomer
from causeway.connectors.tryton.portal_catalogue import PortalCatalogue
from causeway.connectors.tryton.portal_history import PortalHistory
from causeway.connectors.tryton.portal_parties import PortalParties
from causeway.connectors.tryton.portal_sales import PortalSales
from causeway.connectors.tryton.products import CatalogReader
from causeway.connectors.tryton.reporting import TrytonReporting
from causeway.connectors.tryton.returns import (
    PlacedReturn,
    ReturnProgress,
    ReturnSales,
)
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.connectors.tryton.sales import Hold, Result, Sales
from causeway.connectors.tryton.shipments import (
    ALLOCATED_STATES,
    DoneShipment,
    done_shipments_since,
    shipments_since,
)
from causeway.connectors.tryton.stock import Stock
from causeway.errors import PermanentError
from causeway.model import Order, StockLevel
from causeway.model.catalog import CatalogItem
from causeway.model.ports.erp import Erp, SaleRead
from causeway.model.ports.erp_reporting import (
    CurrencyRate,
    ErpReporting,
    InvoiceFact,
    ProductFact,
    SaleCosts,
    ShipmentFact,
)
from causeway.model.ports.fees import (
    AccountFees,
    BookedFees,
    ChannelFee,
    FeeRefund,
    RefundKind,
)
from causeway.model.ports.locks import Locks
from causeway.model.ports.portal import (
    Availability,
    CreditPosition,
    ErpPortalCatalogue,
    ErpPortalHistory,
    ErpPortalSales,
    InvoiceSummary,
    OpenBalance,
    PartyAddress,
    PartyPrices,
    PartySale,
    PlacedPortalSale,
    PortalParty,
    PortalProduct,
    PortalQuote,
    PortalSale,
    Statement,
)
from causeway.model.ports.records import RecordAddresses
from causeway.model.returns import RefundLine
from causeway.model.sale_terms import SaleTerms
from causeway.model.tax_map import TaxMap

__all__ = ["Hold", "PlacedSale", "TrytonConnector"]


class TrytonConnector:
    """Everything the flows need from Tryton, each operation batched."""

    def __init__(
        self,
        url: str,
        database: str,
        username: str,
        password: str,
        *,
        warehouse_code: str = "WH",
        shipping_sku: str = "SHIPPING",
        discount_sku: str = "DISCOUNT",
        gift_card_sku: str = "GIFTCARD",
        tip_sku: str = "TIP",
        timeout: float = 60.0,
        system: str = "erp",
        payment_term: str | None = "Direct",
        locks: Locks | None = None,
    ) -> None:
        """locks: the hub's, shared by every worker; held around finding or creating the
        customers of a batch (customers.py). None: a connector alone takes none."""
        self.system = system
        self.warehouse_code = warehouse_code
        self.shipping_sku = shipping_sku
        self.discount_sku = discount_sku
        self.gift_card_sku = gift_card_sku
        self.tip_sku = tip_sku
        self.rpc = TrytonRPC(url, database, username, password, timeout=timeout, system=system)
        self.database = database
        self.master = MasterData(
            self.rpc, system=system, warehouse_code=warehouse_code, payment_term=payment_term
        )
        self.customers = CustomerResolver(self.rpc, system=system, locks=locks)
        self.sales = Sales(
            self.rpc,
            self.master,
            self.customers,
            system=system,
            shipping_sku=shipping_sku,
            discount_sku=discount_sku,
            gift_card_sku=gift_card_sku,
            tip_sku=tip_sku,
        )
        self.catalog = CatalogReader(self.rpc, system=system)
        self.invoices = Invoices(self.rpc, system=system)
        self.channel_fees = ChannelFeeInvoices(self.rpc, self.master, system=system)
        self.amendments = Amendments(self.rpc, system=system, skip_skus=self.sales.service_skus())
        self.cancellations = SaleCancellations(self.rpc, system=system)
        self.returns = ReturnSales(self.rpc, system=system)
        # Warehouses are named as the sale terms name them: one resolver for both.
        self.stock = Stock(
            self.rpc, self.master, self.sales.terms, system=system, warehouse_code=warehouse_code
        )
        self._credit_limit: bool | None = None  # has the build account_credit_limit?
        self.portal_catalogue = PortalCatalogue(self.rpc)
        self.history = PortalHistory(
            self.rpc, system=system, service_skus=self.sales.service_skus()
        )
        self.portal_parties = PortalParties(self.rpc)
        self.portal_sales = PortalSales(self.rpc, self.master, system=system)
        self.reporting = TrytonReporting(
            self.rpc,
            company_currency=self.history.company_currency,
            service_skus=self.sales.service_skus(),
        )

    def close(self) -> None:
        self.rpc.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the B2B portal's parties (ErpPortalParties: portal_parties.py) ---------------------

    def portal_party(self, party_id: int) -> PortalParty | None:
        return self.portal_parties.party(party_id)

    def find_parties(self, text: str, limit: int = 20) -> list[PortalParty]:
        return self.portal_parties.find(text, limit)

    def add_party_address(self, party_id: int, address: PartyAddress) -> int:
        return self.portal_parties.add_address(party_id, address)

    # --- orders ---------------------------------------------------------------------------

    def place_orders(
        self,
        orders: Sequence[tuple[str, Order]],
        *,
        hold: Hold | None = None,
        tax_map: TaxMap | None = None,
        terms: SaleTerms | None = None,
    ) -> dict[str, Result]:
        """Create, quote and confirm a sale per order, at most once per reference (Sales.place).
        terms: the channel's price list, warehouse, payment term and customer group, one
        channel per call (terms.py); None: the connector's defaults. Orders the channel
        fulfilled itself (terms.shipped_by_channel) get their shipments done at once."""
        results = self.sales.place(orders, hold=hold, tax_map=tax_map, terms=terms)
        shipped = terms is not None and terms.shipped_by_channel
        return ship_at_once(self.rpc, results, system=self.system) if shipped else results

    # --- the B2B portal's orders and credit (portal_sales.py) ----------------------------

    def place_portal_sale(self, sale: PortalSale) -> PlacedPortalSale:
        """Create, quote and confirm the portal order's sale once, by its reference."""
        return self.portal_sales.place(sale)

    def quote_portal_sale(self, sale: PortalSale, *, with_credit: bool = False) -> PortalQuote:
        """The portal order priced as place_portal_sale would price it (nothing written)."""
        return self.portal_sales.quote(sale, with_credit=with_credit)

    def delivery_addresses(self, party_id: int) -> tuple[PartyAddress, ...]:
        return self.portal_sales.delivery_addresses(party_id)

    def credit_position(self, party_id: int) -> CreditPosition:
        return self.portal_sales.credit_position(party_id)

    def amend_sale(self, reference: str, order: Order) -> AmendedSale:
        """Make the processing sale's lines match the edited order (see amendments.py)."""
        return self.amendments.amend(reference, order)

    # --- invoices (see invoices.py) ---------------------------------------------------------

    def sale_invoices(self, references: Sequence[str]) -> dict[str, SaleInvoices]:
        return self.invoices.of_sales(references)

    def pay_sale_invoices(
        self, reference: str, amount: Decimal, currency: str, *, payment_method: str, note: str
    ) -> tuple[SaleInvoices, bool]:
        """Post and pay the sale's invoices once; True if this call paid them."""
        return self.invoices.pay_sale(
            reference, amount, currency, payment_method=payment_method, description=note
        )

    # --- a marketplace's fees on a sale (ErpChannelFees: channel_fees.py) ---------------------

    def book_channel_fees(
        self,
        sale_reference: str,
        fees: Sequence[ChannelFee],
        *,
        party: str,
        account: str | None = None,
    ) -> BookedFees:
        """The fees as one posted supplier invoice for `party`, at most once per sale."""
        return self.channel_fees.book(sale_reference, fees, party=party, account=account)

    def booked_channel_fees(self, sale_references: Sequence[str]) -> dict[str, BookedFees]:
        return self.channel_fees.find(sale_references)

    def book_fee_refund(
        self,
        sale_reference: str,
        refund: FeeRefund,
        *,
        party: str,
        account: str | None = None,
    ) -> BookedFees:
        """One refund's fee changes as a posted supplier credit note, at most once."""
        return self.channel_fees.book_refund(sale_reference, refund, party=party, account=account)

    def booked_fee_refunds(self, sale_reference: str) -> dict[tuple[RefundKind, int], BookedFees]:
        return self.channel_fees.find_refunds(sale_reference)

    def book_account_fees(
        self,
        channel: str,
        period: AccountFees,
        *,
        party: str,
        account: str | None = None,
    ) -> BookedFees:
        """A closed period's account fees as one posted supplier invoice, at most once."""
        return self.channel_fees.book_account_fees(channel, period, party=party, account=account)

    def sale_figures(
        self, sale_ids: Sequence[int], *, with_costs: bool = True
    ) -> dict[int, SaleFigures]:
        """Amounts, cost of goods and progress of sales (see margins.py for the cost rule)."""
        return read_sale_figures(self.rpc, sale_ids, with_costs=with_costs)

    def read_sales(self, references: Sequence[str]) -> dict[str, SaleRead]:
        """The sales of these references as they stand: lines, shipments, invoices."""
        return sale_reading.read_sales(self.rpc, references, service_skus=self.sales.service_skus())

    def record_url(self, entity_type: str, external_id: str) -> str | None:
        """The record's form in Tryton's web client (sao), served by this server."""
        return addresses.client_url(self.rpc.url, self.database, entity_type, external_id)

    # --- shipments -------------------------------------------------------------------------

    def done_shipments_since(
        self, since: dt.datetime | None
    ) -> tuple[list[DoneShipment], dt.datetime | None]:
        """Customer shipments done since `since`, with sales, SKUs, carrier and tracking."""
        return done_shipments_since(self.rpc, since)

    def allocated_shipments_since(
        self, since: dt.datetime | None
    ) -> tuple[list[DoneShipment], dt.datetime | None]:
        """Customer shipments with stock reserved, being picked or packed, since `since`."""
        return shipments_since(self.rpc, since, ALLOCATED_STATES)

    # --- cancellations and returns (connectors/tryton/cancellations.py, returns.py) ------

    def cancel_sale(self, reference: str) -> SaleCancelled | None:
        """Cancel the sale of `reference` unless something shipped; None: no such sale."""
        return self.cancellations.cancel(reference)

    def place_return(
        self,
        original_reference: str,
        reference: str,
        lines: Sequence[RefundLine],
        *,
        goods_come_back: bool,
        description: str,
    ) -> PlacedReturn:
        return self.returns.place_return(
            original_reference,
            reference,
            lines,
            goods_come_back=goods_come_back,
            description=description,
        )

    def return_progress(self, sale_ids: Sequence[int]) -> dict[int, ReturnProgress]:
        return self.returns.progress(sale_ids)

    # --- stock and products -----------------------------------------------------------------

    def stock_levels(
        self, skus: Sequence[str] | None = None, *, warehouse: str | None = None
    ) -> list[StockLevel]:
        """In one warehouse, by code or name; None: systems.<erp>.warehouse (stock.py)."""
        return self.stock.levels(skus, warehouse=warehouse)

    def warehouse_key(self, warehouse: str | None) -> str:
        """The warehouse's Tryton id, as text: the same for its code and its name."""
        return str(self.stock.warehouse_id(warehouse))

    def stock_changes_since(self, since: dt.datetime | None) -> tuple[set[str], dt.datetime | None]:
        return self.stock.changes_since(since)

    def catalog_changes_since(
        self, since: dt.datetime | None, *, price_list: str | None = None
    ) -> tuple[list[int], dt.datetime | None]:
        return self.catalog.changed_since(since, price_list=price_list)

    def catalog_items(
        self, product_ids: Sequence[int], *, price_list: str | None = None
    ) -> dict[int, CatalogItem | PermanentError]:
        return self.catalog.items(product_ids, price_list=price_list)

    def existing_products(self, product_ids: Sequence[int]) -> set[int]:
        return self.catalog.existing(product_ids)

    def catalog_categories(self) -> set[str]:
        return self.catalog.categories()

    # -- customers (connectors/tryton/parties.py) -------------------------------------
    def customers_since(
        self, since: dt.datetime | None
    ) -> tuple[list[PartyCustomer], dt.datetime | None]:
        if self._credit_limit is None:
            self._credit_limit = parties.has_credit_limit(self.rpc)
        return parties.customers_since(self.rpc, since, credit_limit=self._credit_limit)

    def update_party_contact(
        self, party_id: int, values: Mapping[str, Any], region: str = "US"
    ) -> list[str]:
        return parties.update_contact_details(self.rpc, party_id, values, region)

    # -- the B2B portal's catalogue (connectors/tryton/portal_catalogue.py) --------------
    def portal_products(self) -> Sequence[PortalProduct]:
        return self.portal_catalogue.products()

    def party_prices(self, party_id: int, skus: Sequence[str]) -> PartyPrices:
        return self.portal_catalogue.party_prices(party_id, skus)

    def availability(
        self, skus: Sequence[str], warehouses: Sequence[str] | None = None
    ) -> Mapping[str, Availability]:
        return self.portal_catalogue.availability(skus, warehouses)

    def product_image(self, sku: str, index: int = 0) -> tuple[bytes, str] | None:
        return self.portal_catalogue.image(sku, index)

    # -- the portal's history (connectors/tryton/portal_history.py) -------------------------
    def party_sales(
        self,
        party_id: int,
        *,
        references: Sequence[str] | None = None,
        sale_ids: Sequence[int] | None = None,
        with_returns: bool = False,
        limit: int = 200,
    ) -> list[PartySale]:
        return self.history.party_sales(
            party_id,
            references=references,
            sale_ids=sale_ids,
            with_returns=with_returns,
            limit=limit,
        )

    def sales_by_reference(self, references: Sequence[str]) -> dict[str, PartySale]:
        return self.history.sales_by_reference(references)

    def party_invoices(self, party_id: int, limit: int = 500) -> list[InvoiceSummary]:
        return self.history.party_invoices(party_id, limit)

    def invoice_pdf(self, party_id: int, invoice_id: int) -> tuple[bytes, str] | None:
        return self.history.invoice_pdf(party_id, invoice_id)

    def statement(self, party_id: int, start: dt.date, end: dt.date) -> Statement:
        return self.history.statement(party_id, start, end)

    def open_balance(self, party_id: int) -> OpenBalance:
        return self.history.open_balance(party_id)

    # -- what the warehouse reads (ErpReporting: connectors/tryton/reporting.py) -----------
    def company_currency(self) -> str:
        return self.reporting.company_currency()

    def sale_costs(self, sale_ids: Sequence[int]) -> dict[int, SaleCosts]:
        return self.reporting.sale_costs(sale_ids)

    def sale_shipments(self, sale_ids: Sequence[int]) -> dict[int, list[ShipmentFact]]:
        return self.reporting.sale_shipments(sale_ids)

    def sale_invoice_facts(self, sale_ids: Sequence[int]) -> dict[int, list[InvoiceFact]]:
        return self.reporting.sale_invoice_facts(sale_ids)

    def product_facts(self) -> list[ProductFact]:
        return self.reporting.product_facts()

    def currency_rates(self, currencies: Sequence[str]) -> list[CurrencyRate]:
        return self.reporting.currency_rates(currencies)


if TYPE_CHECKING:  # mypy checks here that the connector is every port it claims to be

    def _is_an_erp(connector: TrytonConnector) -> Erp:
        return connector

    def _gives_addresses(connector: TrytonConnector) -> RecordAddresses:
        return connector

    def _has_a_portal_catalogue(connector: TrytonConnector) -> ErpPortalCatalogue:
        return connector

    def _reads_portal_history(connector: TrytonConnector) -> ErpPortalHistory:
        return connector

    def _places_portal_sales(connector: TrytonConnector) -> ErpPortalSales:
        return connector

    def _reports(connector: TrytonConnector) -> ErpReporting:
        return connector
