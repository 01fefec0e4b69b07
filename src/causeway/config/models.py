"""The shape of causeway.yaml. Every field has a default where one is sensible."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    model_validator,
)

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(value: object) -> float:
    """'90s', '5m', '1h', '250ms' or a number of seconds -> seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(
                f"{value!r} is not a duration: write a number with a unit, e.g. 30s, 5m or 1h"
            )
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError("a duration must be greater than zero")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]


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


class OrdersToErpFlow(Strict):
    enabled: bool = True
    source: str = Field(description="the store system the orders come from")
    target: str = Field(description="the ERP system the sales go to")
    reconcile_every: Duration = 300.0
    reconcile_overlap: Duration = 600.0
    batch_size: int = Field(default=25, ge=1, le=200)
    reference_prefix: str | None = Field(
        default=None, description="prefix of sale.reference; default: '<source>-'"
    )


class StockToChannelsFlow(Strict):
    enabled: bool = True
    source: str
    targets: list[str] = Field(min_length=1)
    every: Duration = 300.0
    overlap: Duration = 120.0
    safety_stock: int = Field(default=0, ge=0)
    safety_stock_by_sku: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)


class Flows(Strict):
    orders_to_erp: OrdersToErpFlow | None = Field(default=None, alias="orders-to-erp")
    stock_to_channels: StockToChannelsFlow | None = Field(default=None, alias="stock-to-channels")


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

        orders = self.flows.orders_to_erp
        if orders:
            check("orders-to-erp", "source", orders.source, ShopifySystem)
            check("orders-to-erp", "target", orders.target, TrytonSystem)
        stock = self.flows.stock_to_channels
        if stock:
            check("stock-to-channels", "source", stock.source, TrytonSystem)
            for target in stock.targets:
                check("stock-to-channels", "targets", target, ShopifySystem)
        return self
