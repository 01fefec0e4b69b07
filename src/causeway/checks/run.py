"""Every check for a configuration, in the order an operator fixes things: the store,
the drop folders, then each system through the connector the hub itself would use."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from causeway.checks import needs
from causeway.checks.amazon import check_amazon
from causeway.checks.fees import check_fees
from causeway.checks.files import check_files
from causeway.checks.hubspot import check_hubspot
from causeway.checks.result import Check
from causeway.checks.shopify import check_shopify
from causeway.checks.store import check_store
from causeway.checks.tryton import check_tryton
from causeway.checks.woocommerce import check_woocommerce
from causeway.config import (
    AmazonSystem,
    CausewayConfig,
    FilesSystem,
    HubSpotSystem,
    ShopifySystem,
    TrytonSystem,
    WooCommerceSystem,
)
from causeway.connectors.http_retry import RetryPolicy
from causeway.engine.store import Store
from causeway.flows.orders_to_erp.declaration import channel_fulfilled_terms, channel_terms
from causeway.flows.stock_to_channels.declaration import stock_warehouses

if TYPE_CHECKING:
    from causeway.hub import Hub

# A check reports an unreachable system after a second try, not after the minutes of
# backoff a job's call is allowed.
QUICK = RetryPolicy(max_attempts=2, backoff_initial=0.2, backoff_max=1.0, max_throttle_waits=3)


def run_checks(config: CausewayConfig) -> list[Check]:
    from causeway.hub import Hub

    found = check_store(config.store.url)
    for name, system in config.systems.items():
        if isinstance(system, FilesSystem):
            found += check_files(name, system)
    # The enabled flows say which webhooks the hub wants; its store is not needed for
    # that, so a throwaway one keeps the real store untouched (a file: Amazon's
    # connectors keep their rate buckets in it, docs/connectors/amazon.md).
    with tempfile.TemporaryDirectory(prefix="causeway-check-") as scratch:
        hub = Hub(config, store=Store(f"sqlite:///{Path(scratch) / 'check.db'}"))
        try:
            found += _check_systems(config, hub)
        finally:
            hub.stop(timeout=0)
            hub.store.dispose()
    return found


def _check_systems(config: CausewayConfig, hub: Hub) -> list[Check]:
    found: list[Check] = []
    scopes = needs.per_system(config, needs.SHOPIFY_SCOPES)
    modules = needs.per_system(config, needs.TRYTON_MODULES)
    for name, system in config.systems.items():
        connector = hub.connectors[name]
        if isinstance(system, ShopifySystem):
            connector.client.retry = QUICK
            uri, topics = config.server.webhook_url(name), hub.flows.webhook_topics(name)
            found += check_shopify(name, connector, scopes.get(name, {}), uri, topics)
        elif isinstance(system, TrytonSystem):
            found += check_tryton(
                name,
                system,
                connector,
                modules.get(name, {}),
                places_sales=any(
                    flow in needs.PLACES_SALES for flow in needs.flows_using(config, name)
                ),
                payment_methods=needs.payment_methods(config, name),
                carriers=needs.carriers(config, name),
                sale_terms=channel_terms(config.flows, name)
                | channel_fulfilled_terms(config.flows, name),
                stock_warehouses=stock_warehouses(config.flows, name),
            )
            found += check_fees(config, name, connector)
        elif isinstance(system, HubSpotSystem):
            connector.client.retry = QUICK
            found += check_hubspot(name, connector)
        elif isinstance(system, WooCommerceSystem):
            connector.client.retry = QUICK
            uri, topics = config.server.webhook_url(name), hub.flows.webhook_topics(name)
            writers = [f for f in needs.flows_using(config, name) if f in needs.STORE_WRITERS]
            found += check_woocommerce(name, connector, writers, uri, topics)
        elif isinstance(system, AmazonSystem):
            connector.client.retry = QUICK
            found += check_amazon(name, system, connector)
    return found
