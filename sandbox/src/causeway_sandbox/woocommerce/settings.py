"""Startup settings of the WooCommerce sandbox, and the fault knobs that can change at runtime.

The defaults are WooCommerce's own numbers (100 items per page and per batch call,
a webhook disabled once its consecutive failures exceed 5, a 60 s delivery timeout
cut to 5 s here) and the vendor samples' store: US dollars, prices without tax, a
7.5% "State Tax" and a 10.00 flat rate, a site three hours behind GMT (the samples'
`date_created` is 16:28 where `date_created_gmt` is 19:28), so a client that mixes
the local and the GMT dates fails here rather than in production.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class WooFaultSettings(BaseModel):
    """Faults injected on the REST API (`/wp-json/wc/v3/...`), never on the control API.

    Counted faults (`next_429`, `next_5xx`) hit the next N API requests and count
    down; rates draw from a generator seeded with `WooSandboxSettings.seed`, so a
    failing run replays exactly. Counted faults go first: 429s, then 5xx.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    error_rate_5xx: float = Field(
        default=0.0, ge=0.0, le=1.0, description="Share of API calls answered 500, 502 or 503."
    )
    rate_429: float = Field(
        default=0.0, ge=0.0, le=1.0, description="Share of API calls answered 429 + Retry-After."
    )
    next_429: int = Field(default=0, ge=0, description="The next N API calls are answered 429.")
    next_5xx: int = Field(default=0, ge=0, description="The next N API calls are answered 5xx.")
    status_5xx: Literal[0, 500, 502, 503] = Field(
        default=0,
        description=(
            "Which 5xx: 500 (WordPress's critical-error JSON), 502 (a proxy's HTML), 503 "
            "(maintenance mode, with Retry-After); 0 draws one of the three."
        ),
    )
    retry_after_s: int = Field(default=1, ge=0, description="Retry-After on an injected 429.")
    latency_ms: int = Field(default=0, ge=0, description="Delay added to every API call.")
    latency_next: int = Field(
        default=0,
        ge=0,
        description="Only the next N API calls are delayed by latency_ms (0: every call is).",
    )

    @model_validator(mode="after")
    def _rates_fit(self) -> WooFaultSettings:
        if self.error_rate_5xx + self.rate_429 > 1.0:
            raise ValueError("error_rate_5xx + rate_429 must not exceed 1")
        return self


class WooSandboxSettings(BaseModel):
    """Everything the sandbox needs at startup; `faults` can also change at runtime."""

    model_config = ConfigDict(extra="forbid")

    consumer_key: str = Field(
        default="ck_4f0c8a3e5d9b1c7e2a6f4d8b0c3e5a7f9d1b2c4e",
        min_length=1,
        description="The REST API key's consumer key (Basic auth user or `consumer_key=`).",
    )
    consumer_secret: str = Field(
        default="cs_8e2d4b6a0c9f1e3d5b7a9c2e4f6d8b0a1c3e5f7d",
        min_length=1,
        description="The REST API key's consumer secret (Basic auth password).",
    )
    key_permissions: Literal["read", "write", "read_write"] = Field(
        default="read_write", description="What the key may do, as chosen in WooCommerce."
    )
    site_url: str | None = Field(
        default=None,
        description=(
            "The WordPress home URL, used in `_links`, permalinks and X-WC-Webhook-Source; "
            "default: the sandbox's own http://127.0.0.1:<port>, so links can be followed."
        ),
    )
    utc_offset_minutes: int = Field(
        default=-180, ge=-720, le=840, description="The site's timezone (`date_*` vs `*_gmt`)."
    )
    currency: str = Field(default="USD", min_length=3, max_length=3)
    tax_rate_percent: Decimal = Field(default=Decimal("7.5"), ge=0, description="One rate.")
    tax_rate_id: int = 75
    tax_rate_code: str = "US-CA-STATE TAX"
    tax_label: str = "State Tax"
    flat_rate_shipping: Decimal = Field(default=Decimal("10.00"), ge=0)
    weight_unit: Literal["kg", "g", "lbs", "oz"] = Field(
        default="kg",
        description="WooCommerce > Settings > Products > Weight unit (WooCommerce's default).",
    )
    dimension_unit: Literal["m", "cm", "mm", "in", "yd"] = Field(
        default="cm",
        description="WooCommerce > Settings > Products > Dimensions unit (WooCommerce's default).",
    )
    refund_gateways: list[str] = Field(
        default_factory=lambda: ["stripe", "woocommerce_payments", "ppcp-gateway"],
        description=(
            "Payment methods whose gateway refunds money (`api_refund: true`); a refund "
            "through any other (bacs, cheque, cod) fails as WooCommerce's does."
        ),
    )
    per_page_max: int = Field(default=100, ge=1, description="WordPress's per_page maximum.")
    batch_limit: int = Field(default=100, ge=1, description="Items per batch call, in total.")
    webhook_max_failures: int = Field(
        default=5,
        ge=0,
        description=(
            "The `woocommerce_max_webhook_delivery_failures` filter: a webhook is disabled "
            "when a delivery fails while its consecutive failure count already exceeds this."
        ),
    )
    webhook_timeout_s: float = Field(
        default=5.0, gt=0, description="WooCommerce waits 60 s for an answer; 5 s here."
    )
    wc_version: str = "9.8.1"
    wp_version: str = "6.8.1"
    seed: int = Field(default=0, description="Seeds every random draw (faults, keys, secrets).")
    faults: WooFaultSettings = Field(default_factory=lambda: WooFaultSettings())
