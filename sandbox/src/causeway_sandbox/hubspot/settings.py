"""Startup settings of the HubSpot sandbox.

The defaults are HubSpot's own numbers for a private app (100 requests per
10 s, 250,000 a day, 100 inputs per batch), except webhook retries, which back
off from 0.2 s instead of HubSpot's minutes so tests stay fast.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from causeway_sandbox.shopify.settings import FaultSettings


class HubSpotSandboxSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    access_token: str = Field(default="pat-sandbox-token", description="The Bearer token accepted.")
    client_secret: str = Field(
        default="sandbox-client-secret", description="Signs webhooks (signature v3)."
    )
    portal_id: int = 62515
    app_id: int = 54321
    rate_max: int = Field(default=100, ge=1, description="Requests per interval (private app).")
    rate_interval_ms: int = Field(default=10_000, ge=1)
    daily_max: int = Field(default=250_000, ge=1)
    batch_limit: int = Field(default=100, ge=1, description="Inputs per batch call.")
    search_max_results: int = Field(
        default=10_000, ge=1, description="Results one search query pages through, at most."
    )
    company_currency: str = Field(
        default="EUR", description="The account's currency (account-info companyCurrency)."
    )
    webhook_timeout_s: float = Field(default=5.0, gt=0)
    webhook_retry_initial_s: float = Field(
        default=0.2, ge=0, description="First retry delay (HubSpot: about a minute)."
    )
    webhook_max_attempts: int = Field(default=10, ge=1, description="HubSpot tries 10 times.")
    webhook_batch: int = Field(default=100, ge=1, description="Events per delivery, at most.")
    faults: FaultSettings = Field(default_factory=lambda: FaultSettings())
    seed: int = 0
