"""The shape of causeway.yaml. Every field has a default where one is sensible."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    SecretStr,
    model_validator,
)

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


System = Annotated[ShopifySystem | TrytonSystem, Field(discriminator="type")]


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

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=900.0)


class FulfillmentsToChannelsFlow(FlowSettings):
    source: str = Field(description="the ERP system whose shipments fulfil store orders")
    targets: list[str] = Field(min_length=1, description="the stores whose orders are fulfilled")

    def default_schedule(self) -> Schedule:
        return Schedule(INTERVAL, every_seconds=60.0)


class PaymentsAndInvoicesFlow(FlowSettings):
    source: str = Field(description="the store system whose payments reach the ERP")
    target: str = Field(description="the ERP system whose invoices are paid")

    def default_schedule(self) -> Schedule:
        # Payments arrive by webhook; invoice states are read back from the ERP.
        return Schedule(REALTIME, every_seconds=300.0)


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


class CausewayConfig(Strict):
    store: StoreSettings = StoreSettings()
    server: ServerSettings = ServerSettings()
    workers: WorkerSettings = WorkerSettings()
    systems: dict[str, System]
    flows: Flows = Flows()

    @model_validator(mode="after")
    def _flows_name_real_systems(self) -> CausewayConfig:
        def check(flow: str, key: str, name: str, kind: type[BaseModel]) -> None:
            system = self.systems.get(name)
            if system is None:
                known = ", ".join(sorted(self.systems)) or "none"
                raise ValueError(
                    f"flows.{flow}.{key}: no system named {name!r} (systems defined: {known}); "
                    f"add it under `systems:` or fix the name"
                )
            if not isinstance(system, kind):
                raise ValueError(
                    f"flows.{flow}.{key}: system {name!r} is a {system.type}, "
                    f"but this flow needs a {kind.model_fields['type'].annotation.__args__[0]}"
                )

        # Each flow reads from `source` and writes to `target`/`targets`: which kind
        # of system each must be.
        store, erp = ShopifySystem, TrytonSystem
        kinds: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
            "orders-to-erp": (store, erp),
            "stock-to-channels": (erp, store),
            "catalog-to-channels": (erp, store),
            "fulfillments-to-channels": (erp, store),
            "payments-and-invoices": (store, erp),
            "cancellations": (store, erp),
            "returns-to-erp": (store, erp),
        }
        for flow, settings in self.flows.configured().items():
            source_kind, target_kind = kinds[flow]
            check(flow, "source", settings.source, source_kind)  # type: ignore[attr-defined]
            for target in getattr(settings, "targets", None) or [settings.target]:  # type: ignore[attr-defined]
                key = "targets" if hasattr(settings, "targets") else "target"
                check(flow, key, target, target_kind)
        return self
