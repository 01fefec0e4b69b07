"""privacy-requests, declared: Shopify's compliance webhooks (data requests and erasures),
on for every Shopify store unless turned off (docs/privacy.md)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field

from causeway.config.flows import FlowSettings
from causeway.config.systems import ShopifySystem, System
from causeway.flows.declaration import FlowContext, FlowDeclaration, Role, Starts
from causeway.flows.privacy_requests import NAME, TOPICS, PrivacyRequests, request_job


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


def every_shopify_store(
    settings: PrivacyRequestsFlow | None, systems: Mapping[str, System]
) -> PrivacyRequestsFlow | None:
    """Shopify requires every public app to honour its privacy webhooks: the flow is on,
    for every Shopify system, unless causeway.yaml turns it off or names the systems."""
    shops = sorted(name for name, system in systems.items() if isinstance(system, ShopifySystem))
    if settings is None:
        return PrivacyRequestsFlow(sources=shops) if shops else None
    if not settings.sources:
        settings.sources = shops
    return settings


def build(context: FlowContext, settings: PrivacyRequestsFlow) -> PrivacyRequests:
    domains = {}
    for name in settings.sources:
        shop = context.system(name)
        assert isinstance(shop, ShopifySystem)  # the config checks the kind
        domains[name] = shop.shop_domain or urlsplit(shop.shop_url).hostname or ""
    return PrivacyRequests(
        context.store,
        context.inbox,
        context.config,
        exports=Path(settings.exports_folder),
        shop_domains=domains,
    )


DECLARATION = FlowDeclaration(
    name=NAME,
    settings=PrivacyRequestsFlow,
    # Shopify's compliance webhooks: Shopify stores only.
    roles=(Role("sources", (ShopifySystem,), many=True),),
    starts=Starts(role="sources", topics=TOPICS, job=request_job, app_only=TOPICS),
    run=None,
    implied=every_shopify_store,
    build=build,
)
