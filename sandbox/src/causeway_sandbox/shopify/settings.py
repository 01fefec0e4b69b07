"""Startup settings of the Shopify sandbox, and the fault knobs that can change at runtime.

The defaults are Shopify's own numbers (a 1000-point bucket restoring 50 points a
second, a single query capped at 1000 points, a 5 s webhook timeout, 8 delivery
attempts), except where a faithful number would make tests slow: retries back
off from 0.2 s instead of minutes. Each such difference is named in its field's
description so nobody mistakes it for Shopify's behaviour.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from causeway_sandbox.shopify.published_schema import DEFAULT_VERSION, available_versions

# Every scope a hub's flows can need (causeway.checks.needs): granted unless a test says not.
ACCESS_SCOPES = (
    "read_customers",
    "read_inventory",
    "write_inventory",
    "read_locations",
    "read_orders",
    "write_orders",
    "read_products",
    "write_products",
    "read_merchant_managed_fulfillment_orders",
    "write_merchant_managed_fulfillment_orders",
    "read_fulfillments",
    "write_fulfillments",
)


class FaultSettings(BaseModel):
    """Faults the sandbox injects so the hub's reliability can be tested on purpose.

    API faults hit `/admin/api/.../graphql.json` only (never the control API),
    webhook faults hit deliveries. All draws come from a random generator seeded
    with `SandboxSettings.seed`, so a failing run can be replayed exactly.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    error_rate_5xx: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Share of API calls answered 502 (HTML) or 503 (JSON).",
    )
    rate_429: float = Field(
        default=0.0, ge=0.0, le=1.0, description="Share of API calls answered 429 with Retry-After."
    )
    latency_ms: int = Field(default=0, ge=0, description="Delay added to every API call.")
    duplicate_rate: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Share of delivered webhooks sent once more, same body and same event id.",
    )
    webhook_timeout_rate: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description=(
            "Share of webhook attempts whose answer is lost: the receiver got and acknowledged "
            "it, but the sandbox counts a timeout (as Shopify does with an answer after its "
            "5 s) and retries with the same event id."
        ),
    )
    out_of_order: bool = Field(
        default=False,
        description="Hold webhook deliveries and release them shuffled, window by window.",
    )
    out_of_order_window: int = Field(
        default=5, ge=2, description="How many deliveries are held before a shuffled release."
    )
    out_of_order_max_hold_ms: int = Field(
        default=300, ge=0, description="A partial window is released (shuffled) after this long."
    )

    @model_validator(mode="after")
    def _rates_fit(self) -> FaultSettings:
        if self.error_rate_5xx + self.rate_429 > 1.0:
            raise ValueError("error_rate_5xx + rate_429 must not exceed 1")
        return self


class SandboxSettings(BaseModel):
    """Everything the sandbox needs at startup; `faults` can also change at runtime.

    Fault knobs may be given flat (`SandboxSettings(duplicate_rate=0.25)`) or as
    `faults=FaultSettings(...)`; flat ones are moved into `faults`.
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _gather_fault_knobs(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        knobs = {k: data[k] for k in FaultSettings.model_fields if k in data}
        if not knobs:
            return data
        rest = {k: v for k, v in data.items() if k not in knobs}
        given = rest.get("faults") or {}
        if isinstance(given, FaultSettings):
            given = given.model_dump()
        rest["faults"] = {**given, **knobs}
        return rest

    api_secret: str = Field(
        default="sandbox-api-secret", description="Signs webhooks (HMAC-SHA256)."
    )
    access_token: str = Field(default="shpat_sandbox_token", description="X-Shopify-Access-Token.")
    access_scopes: list[str] = Field(
        default_factory=lambda: list(ACCESS_SCOPES),
        description="What the app was granted (currentAppInstallation.accessScopes).",
    )
    shop_domain: str = "causeway-sandbox.myshopify.com"
    shop_id: int = Field(default=548380009, description="The shop's id in privacy webhooks.")
    shop_name: str = "Causeway Sandbox"
    shop_email: str = "owner@causeway-sandbox.example"
    currency: str = Field(default="USD", description="The shop currency, default for new orders.")
    shop_utc_offset_minutes: int = Field(
        default=-300,
        ge=-720,
        le=840,
        description=(
            "The shop's timezone. REST payloads (webhooks) carry local times with this "
            "offset, GraphQL DateTime is always UTC, exactly like Shopify; the default "
            "(-05:00) is the offset of Shopify's own sample shop, so a hub that compares "
            "the two as strings fails here rather than in production."
        ),
    )
    api_version: str = Field(
        default=DEFAULT_VERSION,
        description=(
            "The version SandboxServer.graphql_url names and webhooks carry. Requests are "
            "answered as the version their URL names (/admin/api/<version>/graphql.json), "
            "on Shopify's published schema of it."
        ),
    )
    bucket_max: float = Field(default=1000.0, gt=0, description="throttleStatus.maximumAvailable.")
    restore_rate: float = Field(
        default=50.0, gt=0, description="throttleStatus.restoreRate, per second."
    )
    max_query_cost: int = Field(
        default=1000, gt=0, description="Shopify's single-query limit (MAX_COST_EXCEEDED above it)."
    )
    webhook_timeout_s: float = Field(default=5.0, gt=0, description="Shopify waits 5 s for a 2xx.")
    webhook_retry_initial_s: float = Field(
        default=0.2, ge=0, description="First retry delay (Shopify: minutes; fast here on purpose)."
    )
    webhook_retry_factor: float = Field(default=2.0, ge=1.0)
    webhook_max_attempts: int = Field(default=8, ge=1, description="Shopify tries 8 times in all.")
    webhook_remove_failing_subscriptions: bool = Field(
        default=True,
        description=(
            "Like Shopify, delete an API-created subscription whose webhook failed every attempt."
        ),
    )
    allow_http_webhooks: bool = Field(
        default=True,
        description=(
            "Shopify only accepts https:// subscription URIs; the sandbox also accepts "
            "http:// so tests can receive on 127.0.0.1. Deliveries only ever go to "
            "loopback addresses, whatever this says."
        ),
    )
    faults: FaultSettings = Field(default_factory=lambda: FaultSettings())
    seed: int = Field(default=0, description="Seeds every random draw (faults, tokens, shuffles).")

    @field_validator("api_version")
    @classmethod
    def _version_served(cls, value: str) -> str:
        if value not in available_versions():
            raise ValueError(
                f"the sandbox has Shopify's schema for {', '.join(available_versions())} "
                f"only, not {value!r}"
            )
        return value
