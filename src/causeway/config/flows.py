"""causeway.yaml `flows:`: each flow's settings, with its natural schedule."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from causeway.config.base import Duration, ScheduleSetting, Strict, Threshold
from causeway.engine.schedule import INTERVAL, REALTIME, Schedule
from causeway.model.tax_map import TaxMap


class FlowSettings(Strict):
    """What every flow has: on or off, and when it runs (engine/schedule.py)."""

    enabled: bool = True
    schedule: ScheduleSetting | None = Field(
        default=None, description="realtime, 'every 3m', 'at 06:00, 18:00', or manual"
    )
    alert_after: Threshold = Field(
        default=3600.0,
        description="alert when the flow has work or failures and no success for this long; off",
    )
    cursor_alert_after: Threshold = Field(
        default=3 * 86400.0,
        description="alert when the flow's polling cursor has not moved, or its poll not "
        "completed, for this long; off",
    )

    def effective_schedule(self) -> Schedule:
        return self.schedule or self.default_schedule()

    def default_schedule(self) -> Schedule:
        return Schedule(REALTIME)


class OrdersToErpFlow(FlowSettings):
    source: str = Field(description="the store system the orders come from")
    target: str = Field(description="the ERP system the sales go to")
    reconcile_every: Duration = 300.0
    reconcile_overlap: Duration = 600.0
    batch_size: int = Field(default=25, ge=1, le=200)
    reference_prefix: str | None = Field(
        default=None, description="prefix of sale.reference; default: '<source>-'"
    )
    amount_tolerance: Decimal = Field(
        default=Decimal("0.01"),
        ge=0,
        description="how far the ERP sale's untaxed, tax or total amount may be from the "
        "order's, in the order's currency, before the order is an amount mismatch",
    )
    on_amount_mismatch: Literal["warn", "park"] = Field(
        default="warn",
        description="warn: confirm the sale and flag the order (an alert until accepted); "
        "park: leave the sale a quotation and park the order's job",
    )
    tax_map: dict[str, str] = Field(
        default_factory=dict,
        description="the store's tax ('title', 'title @ 6%' or '@ 6%') -> the ERP tax's name; "
        "taxes not in it are matched by rate",
    )

    @field_validator("tax_map")
    @classmethod
    def _tax_map_parses(cls, value: dict[str, str]) -> dict[str, str]:
        TaxMap.parse(value)  # the ValueError names the entry and the fix
        return value

    def taxes(self) -> TaxMap:
        """The tax_map, parsed (model/tax_map.py)."""
        return TaxMap.parse(self.tax_map)

    def default_schedule(self) -> Schedule:
        # Real time, with the reconciling poll behind the webhooks.
        return Schedule(REALTIME, every_seconds=self.reconcile_every)


class StockToChannelsFlow(FlowSettings):
    source: str
    targets: list[str] = Field(min_length=1)
    every: Duration = 300.0
    overlap: Duration = 120.0
    safety_stock: int = Field(default=0, ge=0)
    safety_stock_by_sku: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=self.every)


class CatalogToChannelsFlow(FlowSettings):
    source: str = Field(description="the ERP system that owns the product data")
    targets: list[str] = Field(min_length=1, description="the stores the products go to")
    price_list: str | None = Field(
        default=None,
        description=(
            "name of a Tryton sale price list: it gives the selling price, and the list "
            "price becomes the compare-at price when higher; default: the list price"
        ),
    )
    overlap: Duration = Field(
        default=120.0, description="how far before the last change seen each run reads again"
    )
    # A catalogue can stay unchanged for days.
    cursor_alert_after: Threshold = 14 * 86400.0

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=900.0)


class FulfillmentsToChannelsFlow(FlowSettings):
    source: str = Field(description="the ERP system whose shipments fulfil store orders")
    targets: list[str] = Field(min_length=1, description="the stores whose orders are fulfilled")
    every: Duration = Field(default=60.0, description="how often the ERP is asked for shipments")
    overlap: Duration = Field(
        default=300.0, description="how far back each poll re-reads, for late commits and skew"
    )
    notify_customer: bool = Field(
        default=False, description="the store e-mails the customer the shipping confirmation"
    )
    tracking_urls: dict[str, str] = Field(
        default_factory=dict,
        description="carrier name (as in the ERP) -> tracking page, with {number} in it",
    )

    @model_validator(mode="after")
    def _templates_have_a_number(self) -> FulfillmentsToChannelsFlow:
        for carrier, template in self.tracking_urls.items():
            if "{number}" not in template:
                raise ValueError(
                    f"tracking_urls.{carrier}: {template!r} has no {{number}}; write where the "
                    f"tracking number goes, e.g. https://www.ups.com/track?tracknum={{number}}"
                )
        return self

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=self.every)


class PaymentsAndInvoicesFlow(FlowSettings):
    source: str = Field(description="the store system whose payments reach the ERP")
    target: str = Field(description="the ERP system whose invoices are paid")
    payment_method: str = Field(
        default="Shop payments",
        description="name of the ERP invoice payment method store payments are booked with",
    )
    refresh_every: Duration = Field(
        default=300.0, description="how often invoice states are read back from the ERP"
    )
    refresh_recent: int = Field(
        default=200, ge=1, le=5000, description="how many of the newest orders are read back"
    )

    def default_schedule(self) -> Schedule:
        # Payments arrive by webhook; invoice states are read back from the ERP.
        return Schedule(REALTIME, every_seconds=self.refresh_every)


class CancellationsFlow(FlowSettings):
    source: str = Field(description="the store system whose cancellations reach the ERP")
    target: str = Field(description="the ERP system whose sales are cancelled")


class ReturnsToErpFlow(FlowSettings):
    source: str = Field(description="the store system whose refunds become ERP returns")
    target: str = Field(description="the ERP system that receives the returns")
    receipt_check_every: Duration = Field(
        default=300.0,
        description="how often the ERP is asked whether returned goods have been received",
    )

    def default_schedule(self) -> Schedule:
        # Refunds arrive by webhook; receipts are read back from the ERP.
        return Schedule(REALTIME, every_seconds=self.receipt_check_every)


class FilesExchangeFlow(FlowSettings):
    source: str = Field(description="the files system whose in/ and out/ folders are exchanged")
    target: str = Field(description="the ERP system whose stock goes to out/stock.csv")
    safety_stock: int = Field(
        default=0, ge=0, description="units held back from every SKU in stock.csv"
    )

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=300.0)


class QuotesToErpFlow(FlowSettings):
    source: str = Field(description="the CRM system whose won deals become ERP sales")
    target: str = Field(description="the ERP system the sales go to")
    won_stages: list[str] = Field(
        default_factory=lambda: ["closedwon"],
        min_length=1,
        description="deal stage ids that mean won (HubSpot's default pipeline: closedwon)",
    )
    currency: str = Field(
        default="USD", min_length=3, max_length=3, description="for deals without a currency"
    )
    tax_rate: Decimal | None = Field(
        default=None,
        ge=0,
        lt=1,
        description="tax on deal lines, whose prices are net (0.1 = 10 %; matched to the ERP "
        "tax of that rate); empty: the sale is untaxed",
    )
    reconcile_every: Duration = Field(
        default=300.0,
        description="how often won deals are searched (for lost webhooks) and sale states "
        "are written back to the deals",
    )
    reconcile_overlap: Duration = Field(
        default=600.0, description="how far back each search re-reads, for late writes and skew"
    )
    batch_size: int = Field(default=10, ge=1, le=100)
    # Won deals can be days apart in a small pipeline.
    cursor_alert_after: Threshold = 14 * 86400.0

    def default_schedule(self) -> Schedule:
        # Real time, with the reconciling poll and the state write-back behind it.
        return Schedule(REALTIME, every_seconds=self.reconcile_every)


class MarginsToCrmFlow(FlowSettings):
    source: str = Field(description="the ERP system whose sales' amounts and costs are read")
    target: str = Field(description="the CRM system whose deals and contacts get the margins")
    every: Duration = Field(default=900.0, description="how often margins are computed")

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=self.every)


class RfmThresholds(Strict):
    """Where the RFM segments start (customers/crm_contact.py, docs/flows/customers-to-crm.md)."""

    recent_days: int = Field(default=90, ge=1, description="last order within: recent")
    lapsing_days: int = Field(
        default=180, ge=1, description="no order for longer than this: at risk; twice it: lost"
    )
    frequent_orders: int = Field(default=3, ge=2, description="this many orders or more: frequent")
    high_value: Decimal = Field(
        default=Decimal("500"), ge=0, description="lifetime value at or above this: high value"
    )


class CustomersToCrmFlow(FlowSettings):
    source: str = Field(description="the store system whose orders' customers reach the CRM")
    target: str = Field(description="the HubSpot system that holds one contact per customer")
    every: Duration = Field(
        default=300.0, description="how often orders that reached the ERP are picked up"
    )
    overlap: Duration = Field(default=600.0, description="how far back each run looks again")
    batch_size: int = Field(default=50, ge=1, le=100, description="orders per CRM batch upsert")
    rfm: RfmThresholds = RfmThresholds()

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=self.every)


class CustomersSyncFlow(FlowSettings):
    source: str = Field(description="the ERP system whose parties' customer data is read")
    target: str = Field(description="the HubSpot system whose contacts are kept in step")
    every: Duration = Field(
        default=300.0, description="how often parties changed in the ERP are read"
    )
    overlap: Duration = Field(default=600.0, description="how far back each run reads again")

    def default_schedule(self) -> Schedule:
        # Contact changes arrive by webhook; the ERP's parties are read on a schedule.
        return Schedule(REALTIME, every_seconds=self.every)


class CasesFlow(FlowSettings):
    source: str = Field(description="the HubSpot system whose tickets are service cases")
    target: str = Field(description="the store system whose orders the tickets name")
    refresh_every: Duration = Field(
        default=300.0, description="how often open cases get their order's state again"
    )
    order_property: str = Field(
        default="causeway_order_number",
        description="the ticket property naming the order (#1001, 1001 or the store's order id)",
    )

    def default_schedule(self) -> Schedule:
        # Tickets arrive by webhook; the order's state is refreshed on a schedule.
        return Schedule(REALTIME, every_seconds=self.refresh_every)


class PrivacyRequestsFlow(FlowSettings):
    """Shopify's compliance webhooks (docs/privacy.md): on by default for every Shopify
    system, since Shopify requires every public app to honour them."""

    sources: list[str] = Field(
        default_factory=list,
        description="the Shopify systems whose privacy requests are handled; default: all",
    )
    exports_folder: str = Field(
        default="privacy-exports",
        description="where customers/data_request exports are written (files 0600)",
    )


class Flows(Strict):
    orders_to_erp: OrdersToErpFlow | None = Field(default=None, alias="orders-to-erp")
    stock_to_channels: StockToChannelsFlow | None = Field(default=None, alias="stock-to-channels")
    catalog_to_channels: CatalogToChannelsFlow | None = Field(
        default=None, alias="catalog-to-channels"
    )
    fulfillments_to_channels: FulfillmentsToChannelsFlow | None = Field(
        default=None, alias="fulfillments-to-channels"
    )
    payments_and_invoices: PaymentsAndInvoicesFlow | None = Field(
        default=None, alias="payments-and-invoices"
    )
    cancellations: CancellationsFlow | None = None
    returns_to_erp: ReturnsToErpFlow | None = Field(default=None, alias="returns-to-erp")
    files_exchange: FilesExchangeFlow | None = Field(default=None, alias="files-exchange")
    quotes_to_erp: QuotesToErpFlow | None = Field(default=None, alias="quotes-to-erp")
    margins_to_crm: MarginsToCrmFlow | None = Field(default=None, alias="margins-to-crm")
    customers_to_crm: CustomersToCrmFlow | None = Field(default=None, alias="customers-to-crm")
    cases: CasesFlow | None = None
    customers_sync: CustomersSyncFlow | None = Field(default=None, alias="customers-sync")
    privacy_requests: PrivacyRequestsFlow | None = Field(default=None, alias="privacy-requests")

    def configured(self) -> dict[str, FlowSettings]:
        """Flow name (as written in causeway.yaml) -> its settings, for enabled flows."""
        result = {}
        for field_name, field in type(self).model_fields.items():
            settings = getattr(self, field_name)
            if settings is not None and settings.enabled:
                result[field.alias or field_name] = settings
        return result
