"""The shape of causeway.yaml. Every field has a default where one is sensible."""

from __future__ import annotations

import codecs
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    SecretStr,
    field_validator,
    model_validator,
)

from causeway.customers.record import FIELDS as CUSTOMER_FIELDS
from causeway.durations import parse_duration
from causeway.engine.schedule import INTERVAL, REALTIME, Schedule, parse_schedule

Duration = Annotated[float, BeforeValidator(parse_duration)]
# realtime | "realtime, every 5m" | "every 3m" | "at 06:00, 18:00 Europe/Berlin" | manual
ScheduleSetting = Annotated[
    Schedule, PlainValidator(parse_schedule), PlainSerializer(Schedule.describe)
]


class Strict(BaseModel):
    # A misspelt key is an error, not silently ignored: it names the key.
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ShopifySystem(Strict):
    type: Literal["shopify"]
    shop_url: str = Field(description="https://<store>.myshopify.com, or the sandbox URL")
    access_token: SecretStr
    webhook_secret: SecretStr
    api_version: str = "2025-10"
    location: str | None = Field(
        default=None, description="location id or name; default: first active"
    )
    cost_bucket: float = 1000.0
    cost_restore_per_second: float = 50.0


class TrytonSystem(Strict):
    type: Literal["tryton"]
    url: str
    database: str
    username: str
    password: SecretStr
    warehouse: str = "WH"
    shipping_sku: str = "SHIPPING"
    discount_sku: str = "DISCOUNT"
    payment_term: str | None = Field(
        default="Direct", description="name of the payment term set on sales"
    )
    timeout: Duration = 60.0


class HubSpotSystem(Strict):
    """A HubSpot portal reached through a private app (CRM v3 API, webhooks signed v3)."""

    type: Literal["hubspot"]
    base_url: str = Field(
        default="https://api.hubapi.com", description="HubSpot's API, or the sandbox URL"
    )
    access_token: SecretStr = Field(description="the private app's access token (Bearer)")
    client_secret: SecretStr = Field(
        description="the app's client secret: verifies X-HubSpot-Signature-v3 on webhooks"
    )
    portal_id: int | None = Field(
        default=None, description="the HubSpot account (hub) id; webhooks from others are refused"
    )
    app_id: int | None = Field(default=None, description="the app id webhooks name, if known")
    requests_per_interval: int = Field(
        default=100,
        ge=1,
        description="HubSpot's burst limit per interval (private apps: 100 per 10 s, or more "
        "with an API add-on); the X-HubSpot-RateLimit-* headers correct it at runtime",
    )
    interval_seconds: float = Field(default=10.0, gt=0, description="length of that interval")
    timeout: Duration = 30.0


# Canonical order fields a CSV column can fill (connectors/files/orders.py reads them).
ORDER_FIELDS = (
    *("order_number", "ordered_at", "email", "customer_name", "first_name", "last_name"),
    *("phone", "company", "street", "street2", "city", "postal_code", "region"),
    *("country_code", "currency", "sku", "title", "quantity", "unit_price", "shipping"),
    *("tax_rate", "note"),
)


class FilesSystem(Strict):
    """A drop folder: orders come in as CSV, stock and order status go out as CSV."""

    type: Literal["files"]
    folder: str = Field(description="holds in/, processed/, errors/ and out/ (created on start)")
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    encoding: str = Field(default="utf-8", description="e.g. utf-8, utf-8-sig, cp1252")
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="canonical order field -> CSV column name; unnamed fields use their own name",
    )
    date_format: str | None = Field(
        default=None, description="strptime format of ordered_at; default: ISO 8601"
    )
    timezone: str = Field(default="UTC", description="zone of ordered_at values without one")
    currency: str = Field(default="USD", description="used when a row has no currency")
    prices_include_tax: bool = False

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(ORDER_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown order field(s) {', '.join(unknown)}; known: {', '.join(ORDER_FIELDS)}"
            )
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"{value!r} is not an encoding Python knows (try utf-8)") from None
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone: use a name such as UTC") from None
        return value

    def column(self, field: str) -> str:
        """The CSV column that holds a canonical field."""
        return self.columns.get(field, field)


System = Annotated[
    ShopifySystem | TrytonSystem | FilesSystem | HubSpotSystem, Field(discriminator="type")
]


class FlowSettings(Strict):
    """What every flow has: on or off, and when it runs (engine/schedule.py)."""

    enabled: bool = True
    schedule: ScheduleSetting | None = Field(
        default=None, description="realtime, 'every 3m', 'at 06:00, 18:00', or manual"
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
    """Where the RFM segments start (flows/crm_contact.py, docs/flows/customers-to-crm.md)."""

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

    def configured(self) -> dict[str, FlowSettings]:
        """Flow name (as written in causeway.yaml) -> its settings, for enabled flows."""
        result = {}
        for field_name, field in type(self).model_fields.items():
            settings = getattr(self, field_name)
            if settings is not None and settings.enabled:
                result[field.alias or field_name] = settings
        return result


class StoreSettings(Strict):
    url: str = "sqlite:///causeway.db"
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"


class ServerSettings(Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    public_url: str | None = Field(
        default=None, description="URL the store can reach the hub at, for webhook subscriptions"
    )
    max_body_bytes: int = Field(default=2_000_000, ge=1024)
    ingress_batch: int = Field(
        default=500, ge=1, description="webhooks committed together; 1 turns group commit off"
    )


class WorkerSettings(Strict):
    count: int = Field(default=1, ge=1, le=64)
    lease: Duration = 30.0
    max_attempts: int = Field(default=12, ge=1)
    backoff_base: Duration = 2.0
    backoff_cap: Duration = 300.0


class FieldRule(Strict):
    """Which system wins one field of the golden customer record (docs/customers.md)."""

    rule: Literal["source", "newest", "fill_empty"] = Field(
        description="source: one system owns it; newest: latest observation wins; "
        "fill_empty: the first value stays"
    )
    source: str | None = Field(
        default=None, description="for rule=source: the system (as named under systems:)"
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        # `phone: newest` and `credit_limit: {source: erp}` read better than the long form.
        if isinstance(value, str):
            return {"rule": value}
        if isinstance(value, dict) and "rule" not in value and "source" in value:
            return {"rule": "source", **value}
        return value

    @model_validator(mode="after")
    def _source_named(self) -> FieldRule:
        if (self.rule == "source") != (self.source is not None):
            raise ValueError("rule 'source' needs `source: <system>`, and only it takes one")
        return self


def _default_rules() -> dict[str, FieldRule]:
    erp, crm = FieldRule(rule="source", source="erp"), FieldRule(rule="source", source="crm")
    return {
        "email": crm,
        "phone": crm,
        "first_name": crm,
        "last_name": crm,
        "company": crm,
        "address": FieldRule(rule="newest"),
        "credit_limit": erp,
        "payment_terms": erp,
    }


class CustomerSettings(Strict):
    """The golden customer record: matching and survivorship (docs/customers.md)."""

    match_threshold: float = Field(
        default=90.0, ge=0, le=100, description="name+address score (0-100) that makes a match"
    )
    default_region: str = Field(
        default="US",
        min_length=2,
        max_length=2,
        description="country of phone numbers written without a +prefix, when no address says",
    )
    email_ignore_plus_tags: bool = Field(
        default=False, description="treat a+shop@x.com as a@x.com when matching"
    )
    email_ignore_dots: bool = Field(
        default=False, description="treat a.b@x.com as ab@x.com when matching (Gmail-style)"
    )
    rules: dict[str, FieldRule] = Field(
        default_factory=_default_rules,
        description="field -> rule; fields left out keep their default rule",
    )

    @field_validator("rules")
    @classmethod
    def _known_fields(cls, value: dict[str, FieldRule]) -> dict[str, FieldRule]:
        unknown = sorted(set(value) - set(CUSTOMER_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown customer field(s) {', '.join(unknown)}; "
                f"known: {', '.join(CUSTOMER_FIELDS)}"
            )
        return {**_default_rules(), **value}

    def rule_for(self, field: str) -> FieldRule:
        return self.rules.get(field) or FieldRule(rule="newest")


class CausewayConfig(Strict):
    store: StoreSettings = StoreSettings()
    server: ServerSettings = ServerSettings()
    workers: WorkerSettings = WorkerSettings()
    systems: dict[str, System]
    flows: Flows = Flows()
    customers: CustomerSettings = CustomerSettings()

    @model_validator(mode="after")
    def _flows_name_real_systems(self) -> CausewayConfig:
        def check(
            flow: str, key: str, name: str, kind: type[BaseModel] | tuple[type[BaseModel], ...]
        ) -> None:
            system = self.systems.get(name)
            if system is None:
                known = ", ".join(sorted(self.systems)) or "none"
                raise ValueError(
                    f"flows.{flow}.{key}: no system named {name!r} (systems defined: {known}); "
                    f"add it under `systems:` or fix the name"
                )
            kinds = kind if isinstance(kind, tuple) else (kind,)
            if not isinstance(system, kinds):
                wanted = " or ".join(k.model_fields["type"].annotation.__args__[0] for k in kinds)
                raise ValueError(
                    f"flows.{flow}.{key}: system {name!r} is a {system.type}, "
                    f"but this flow needs a {wanted}"
                )

        # Each flow reads from `source` and writes to `target`/`targets`: which kind
        # of system each must be.
        store, erp = ShopifySystem, TrytonSystem
        Kind = type[BaseModel] | tuple[type[BaseModel], ...]
        kinds: dict[str, tuple[Kind, Kind]] = {
            # A drop folder of CSV orders is a store too, the simplest one.
            "orders-to-erp": ((store, FilesSystem), erp),
            "stock-to-channels": (erp, store),
            "catalog-to-channels": (erp, store),
            "fulfillments-to-channels": (erp, store),
            "payments-and-invoices": (store, erp),
            "cancellations": (store, erp),
            "returns-to-erp": (store, erp),
            "files-exchange": (FilesSystem, erp),
            "quotes-to-erp": (HubSpotSystem, erp),
            "margins-to-crm": (erp, HubSpotSystem),
            "customers-to-crm": ((store, FilesSystem), HubSpotSystem),
            "cases": (HubSpotSystem, (store, FilesSystem)),
            "customers-sync": (erp, HubSpotSystem),
        }
        for flow, settings in self.flows.configured().items():
            source_kind, target_kind = kinds[flow]
            check(flow, "source", settings.source, source_kind)  # type: ignore[attr-defined]
            for target in getattr(settings, "targets", None) or [settings.target]:  # type: ignore[attr-defined]
                key = "targets" if hasattr(settings, "targets") else "target"
                check(flow, key, target, target_kind)
        return self
