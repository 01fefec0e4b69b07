"""Which connector and webhook receiver each type of system gets: one entry per type.

The hub builds every system in causeway.yaml from here, and nothing else knows how. An
entry says, for one `type:` of system (its model in config/systems.py):
- how to build its connector from its settings and what the hub's connectors share: the
  rate budget of its credential (two systems with the same token share one budget) and
  the named locks in the store (an ERP finds-or-creates customers under them);
- how to build its webhook receiver, if it delivers webhooks;
- which HTTP client the connector talks through, so that the hub can note when the
  system last answered (a drop folder has none).
Beside them, build_queue_readers: the queues the hub reads a system's changes from
(Amazon's ORDER_CHANGE notifications, from SQS), each a loop the hub runs in a thread.
Adding a system type is adding its entry to SYSTEM_TYPES.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import httpx

from causeway.config.systems import (
    AmazonSystem,
    FilesSystem,
    HubSpotSystem,
    ShopifySystem,
    System,
    SystemSettings,
    TrytonSystem,
    WooCommerceSystem,
)
from causeway.connectors import amazon, woocommerce
from causeway.connectors.amazon_notifications import NotificationReader, queue_settings
from causeway.connectors.files.connector import FilesConnector
from causeway.connectors.hubspot.connector import HubSpotConnector
from causeway.connectors.hubspot.ingress import HubSpotIngress
from causeway.connectors.ingress import Receiver
from causeway.connectors.shopify.connector import ShopifyConnector
from causeway.connectors.shopify.ingress import ShopifyIngress
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine.inbox import Inbox
from causeway.engine.rate import RateBudgets
from causeway.model.ports.locks import Locks

Settings = TypeVar("Settings", bound=SystemSettings)


@dataclass(frozen=True)
class Shared:
    """What every connector of one hub shares. locks None: connectors built outside a
    running hub (`causeway check`, a test) take no locks."""

    budgets: RateBudgets
    locks: Locks | None = None


class HttpClient(Protocol):
    def watch(self, hook: Callable[[httpx.Response], None]) -> None: ...


@dataclass(frozen=True)
class SystemType(Generic[Settings]):
    settings: type[Settings]
    # (system name, its settings, what connectors share) -> the connector flows call.
    connector: Callable[[str, Settings, Shared], Any]
    # (system name, its settings, server.public_url) -> its webhook receiver; None: it
    # delivers no webhooks.
    receiver: Callable[[str, Settings, str | None], Receiver] | None = None
    # The connector's HTTP client; None: it speaks no HTTP.
    http_client: Callable[[Any], HttpClient] | None = None


def _shopify(name: str, system: ShopifySystem, shared: Shared) -> ShopifyConnector:
    token = system.access_token.get_secret_value()
    budget = shared.budgets.for_credential(
        "shopify",
        system.shop_url,
        token,
        capacity=system.cost_bucket,
        refill_per_second=system.cost_restore_per_second,
    )
    return ShopifyConnector(
        system.shop_url, token, budget=budget, system=name, api_version=system.api_version
    )


def _shopify_receiver(name: str, system: ShopifySystem, _public_url: str | None) -> Receiver:
    return ShopifyIngress(name, system.webhook_secret.get_secret_value())


def _tryton(name: str, system: TrytonSystem, shared: Shared) -> TrytonConnector:
    return TrytonConnector(
        system.url,
        system.database,
        system.username,
        system.password.get_secret_value(),
        warehouse_code=system.warehouse,
        shipping_sku=system.shipping_sku,
        discount_sku=system.discount_sku,
        gift_card_sku=system.gift_card_sku,
        tip_sku=system.tip_sku,
        payment_term=system.payment_term,
        timeout=system.timeout,
        system=name,
        locks=shared.locks,
    )


def _files(name: str, system: FilesSystem, _shared: Shared) -> FilesConnector:
    return FilesConnector(system, system=name)


def _hubspot(name: str, system: HubSpotSystem, shared: Shared) -> HubSpotConnector:
    token = system.access_token.get_secret_value()
    budget = shared.budgets.for_credential(
        "hubspot",
        system.base_url,
        token,
        capacity=system.requests_per_interval,
        refill_per_second=system.requests_per_interval / system.interval_seconds,
    )
    return HubSpotConnector(
        system.base_url,
        token,
        budget=budget,
        system=name,
        timeout=system.timeout,
        portal_id=system.portal_id,
    )


def _hubspot_receiver(name: str, system: HubSpotSystem, public_url: str | None) -> Receiver:
    return HubSpotIngress(
        name,
        system.client_secret.get_secret_value(),
        public_url=public_url or "",  # the config requires it with a HubSpot system
        portal_id=system.portal_id,
    )


SYSTEM_TYPES: tuple[SystemType[Any], ...] = (
    SystemType(ShopifySystem, _shopify, _shopify_receiver, lambda c: c.client),
    SystemType(TrytonSystem, _tryton, http_client=lambda c: c.rpc),
    SystemType(FilesSystem, _files),
    SystemType(HubSpotSystem, _hubspot, _hubspot_receiver, lambda c: c.client),
    SystemType(
        WooCommerceSystem,
        lambda name, system, shared: woocommerce.build_connector(name, system, shared.budgets),
        lambda name, system, _public_url: woocommerce.build_ingress(name, system),
        lambda c: c.client,
    ),
    # No receiver: Amazon sends no webhooks (its notifications go to an SQS queue).
    SystemType(
        AmazonSystem,
        lambda name, system, shared: amazon.build_connector(name, system, shared.budgets),
        http_client=lambda c: c.client,
    ),
)


def system_type(system: System) -> SystemType[Any]:
    for entry in SYSTEM_TYPES:
        if isinstance(system, entry.settings):
            return entry
    raise TypeError(f"no connector for {type(system).__name__} (connectors/registry.py)")


def build_connector(
    name: str, system: System, budgets: RateBudgets, locks: Locks | None = None
) -> Any:
    return system_type(system).connector(name, system, Shared(budgets, locks))


def build_connectors(
    systems: Mapping[str, System], budgets: RateBudgets, locks: Locks | None = None
) -> dict[str, Any]:
    return {name: build_connector(name, system, budgets, locks) for name, system in systems.items()}


def build_receivers(systems: Mapping[str, System], public_url: str | None) -> dict[str, Receiver]:
    """A webhook receiver for each system that delivers webhooks."""
    receivers = {}
    for name, system in systems.items():
        build = system_type(system).receiver
        if build is not None:
            receivers[name] = build(name, system, public_url)
    return receivers


def build_queue_readers(
    systems: Mapping[str, System], inbox: Inbox
) -> dict[str, Callable[[threading.Event], None]]:
    """System -> the loop reading its notification queue into the inbox, for each Amazon
    system with a `notifications:` queue (its reader runs until the event is set)."""
    readers: dict[str, Callable[[threading.Event], None]] = {}
    for name, system in systems.items():
        if isinstance(system, AmazonSystem) and system.notifications is not None:
            settings = queue_settings(system.notifications)
            readers[name] = NotificationReader(settings, inbox, name).run
    return readers


def http_client_of(system: System, connector: Any) -> HttpClient | None:
    """The HTTP client a system's connector talks through (a drop folder has none)."""
    client = system_type(system).http_client
    return client(connector) if client is not None else None


def watch_answers(
    systems: Mapping[str, System],
    connectors: Mapping[str, Any],
    hook_for: Callable[[str], Callable[[httpx.Response], None]],
) -> None:
    """Call `hook_for(name)`'s hook with every HTTP answer of system `name`."""
    for name, connector in connectors.items():
        http = http_client_of(systems[name], connector)
        if http is not None:
            http.watch(hook_for(name))
