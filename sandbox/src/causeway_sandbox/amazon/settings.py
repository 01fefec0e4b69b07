"""Startup settings of the Amazon sandbox, and the fault knobs that can change at runtime.

The defaults are the app and seller a test configures the connector with, Amazon's own
token lifetime (an hour) and usage plans made fast enough for tests; a test that wants
Amazon's real plans (searchOrders 0.0056/s, burst 20) sets them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class AmazonFaultSettings(BaseModel):
    """Faults injected on the Selling Partner API (never on the token or control API).
    Counted faults hit the next N API requests and go first: 429s, then 5xx."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    next_429: int = Field(default=0, ge=0, description="The next N API calls: 429 QuotaExceeded.")
    next_5xx: int = Field(default=0, ge=0, description="The next N API calls: 500 or 503.")
    status_5xx: Literal[0, 500, 503] = Field(default=0, description="Which 5xx; 0 alternates.")
    error_rate_5xx: float = Field(default=0.0, ge=0.0, le=1.0)
    rate_429: float = Field(default=0.0, ge=0.0, le=1.0)
    latency_ms: int = Field(default=0, ge=0, description="Delay added to every API call.")


class UsagePlanSetting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rate: float = Field(gt=0, description="requests a second restored")
    burst: int = Field(ge=1, description="requests the bucket holds")


class AmazonSandboxSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str = "amzn1.application-oa2-client.sandbox"
    client_secret: str = "sandbox-client-secret"
    refresh_token: str = "Atzr|sandbox-refresh-token"
    selling_partner_id: str = "A3SANDBOXSELLER"
    token_lifetime_s: int = Field(default=3600, ge=1, description="LWA's expires_in")
    expired_token_status: Literal[401, 403] = Field(
        default=403,
        description="how an expired token is refused: 403 Unauthorized as the OpenAPI model "
        "and Amazon answer, or 401",
    )
    usage_plans: dict[str, UsagePlanSetting] = Field(
        default_factory=lambda: {
            "searchOrders": UsagePlanSetting(rate=50.0, burst=20),
            "getOrder": UsagePlanSetting(rate=50.0, burst=30),
            "confirmShipment": UsagePlanSetting(rate=50.0, burst=10),
            "createFeedDocument": UsagePlanSetting(rate=50.0, burst=15),
            "createFeed": UsagePlanSetting(rate=50.0, burst=15),
            "getFeed": UsagePlanSetting(rate=50.0, burst=15),
            "getFeedDocument": UsagePlanSetting(rate=50.0, burst=10),
            "searchListingsItems": UsagePlanSetting(rate=50.0, burst=5),
            "getListingsItem": UsagePlanSetting(rate=50.0, burst=10),
            "patchListingsItem": UsagePlanSetting(rate=50.0, burst=5),
            "listFinancialEventsByOrderId": UsagePlanSetting(rate=50.0, burst=30),
            "listFinancialEvents": UsagePlanSetting(rate=50.0, burst=30),
            "listFinancialEventGroups": UsagePlanSetting(rate=50.0, burst=30),
            "listFinancialEventsByGroupId": UsagePlanSetting(rate=50.0, burst=30),
        }
    )
    marketplace_id: str = Field(
        default="ATVPDKIKX0DER", description="the marketplace of listings seeded without one"
    )
    feed_processing_s: float = Field(
        default=0.3, ge=0, description="how long a feed takes from IN_QUEUE to DONE"
    )
    sell_from_listings: bool = Field(
        default=False,
        description="a checkout (POST /_sandbox/checkouts) of a merchant-fulfilled order "
        "takes its units from the listings' DEFAULT quantity and is refused (409) beyond "
        "it, as Amazon sells; off: checkouts make orders whatever the listings hold",
    )
    faults: AmazonFaultSettings = AmazonFaultSettings()
    seed: int = 1
