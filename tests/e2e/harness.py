"""End-to-end scaffolding: a hub configuration for the real Tryton and the sandbox.
The hub as a separate OS process (to SIGKILL it) is causeway_sandbox.localserver.HubProcess."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from causeway.config import parse_config
from causeway.hub import Hub
from causeway.web.app import create_app
from causeway_sandbox.demo import local_config
from causeway_sandbox.localserver import BackgroundServer, free_port
from causeway_sandbox.tryton.server import TrytonServer

SECRET = "e2e-webhook-secret"
TOKEN = "shpat_e2e"
CRM_SECRET = "e2e-hubspot-secret"  # the HubSpot app's client secret: signs CRM webhooks


def hub_config(
    workdir: Path, erp: TrytonServer, shop_url: str, port: int, **overrides: Any
) -> dict[str, Any]:
    """The demo's local configuration, made for tests: short leases and backoff, many
    attempts, no schedule firing by itself, and the test's own sale.reference prefix."""
    config = local_config(workdir, erp, shop_url, token=TOKEN, secret=SECRET, port=port)
    config["store"] = {"url": f"sqlite:///{workdir / 'hub.db'}"}
    config["workers"] = {
        "count": 2,
        "lease": "3s",
        "backoff_base": "200ms",
        "backoff_cap": "2s",
        "max_attempts": 30,
    }
    orders, stock = config["flows"]["orders-to-erp"], config["flows"]["stock-to-channels"]
    orders.update(reconcile_every="1h", reference_prefix=overrides.pop("prefix", "shop-"))
    stock.update(every="1h", safety_stock=0)
    config.update(overrides)
    return config


def new_port() -> int:
    return free_port()


@contextmanager
def serving(
    config: dict[str, Any], shop: httpx.Client, topics: list[str] | None = None
) -> Iterator[tuple[Hub, BackgroundServer]]:
    """The hub of `config` started in-process, with no worker and no scheduler (the test
    drives the worker itself), behind its HTTP server, and the sandbox store's webhooks
    subscribed to it: to `topics`, to every topic when None, to none when empty."""
    running = Hub(parse_config(config, env={}))
    running.start(workers=0, scheduler=False)
    server = BackgroundServer(create_app(running), port=config["server"]["port"]).start()
    try:
        if topics is None or topics:
            subscribe(shop, server.url, "shop", topics)
        yield running, server
    finally:
        server.stop()
        running.stop()


def subscribe(
    shop: httpx.Client, hub_url: str, system: str, topics: list[str] | None = None
) -> None:
    """The Shopify sandbox behind `shop` delivers its webhooks (of `topics`, or every
    one) to the hub's /webhooks/<system>."""
    subscription: dict[str, Any] = {"uri": f"{hub_url}/webhooks/{system}"}
    if topics is not None:
        subscription["topics"] = topics
    shop.put("/_sandbox/webhooks", json=subscription).raise_for_status()


def woo_system(woo: Any) -> dict[str, Any]:
    """causeway.yaml's entry for the WooCommerce sandbox `woo` (a WooSandboxServer)."""
    return {
        "type": "woocommerce",
        "url": woo.url,
        "consumer_key": woo.consumer_key,
        "consumer_secret": woo.consumer_secret,
        "webhook_secret": SECRET,
    }


def two_stores_config(
    workdir: Path, erp: TrytonServer, shop_url: str, woo: Any, shop_prefix: str, woo_prefix: str
) -> dict[str, Any]:
    """hub_config with a second store, the WooCommerce sandbox `woo`: orders-to-erp takes
    both as channels, each with its own reference prefix."""
    config = hub_config(workdir, erp, shop_url, new_port())
    config["systems"]["woo"] = woo_system(woo)
    orders = config["flows"]["orders-to-erp"]
    for key in ("source", "reference_prefix", "tax_map"):
        orders.pop(key, None)
    orders["channels"] = [
        {"system": "shop", "reference_prefix": shop_prefix},
        {"system": "woo", "reference_prefix": woo_prefix},
    ]
    return config


def sold_on_both_stores(
    shop: httpx.Client, store: httpx.Client, prices: dict[str, str], quantity: int = 50
) -> None:
    """Each SKU (-> its price) listed with `quantity` in stock on the Shopify sandbox
    (`shop`) and the WooCommerce sandbox (`store`): a test's own products."""
    for sku, price in prices.items():
        shop.post(
            "/_sandbox/products",
            json={"title": sku, "sku": sku, "price": price, "quantity": quantity},
        ).raise_for_status()
        store.post(
            "/_sandbox/products", json={"name": sku, "sku": sku, "regular_price": price}
        ).raise_for_status()
        store.put(f"/_sandbox/stock/{sku}", json={"stock_quantity": quantity}).raise_for_status()


def crm_system(crm: Any) -> dict[str, Any]:
    """causeway.yaml's entry for the HubSpot sandbox `crm` (a HubSpotSandboxServer)."""
    return {
        "type": "hubspot",
        "base_url": crm.url,
        "access_token": crm.token,
        "client_secret": CRM_SECRET,
        "portal_id": crm.settings.portal_id,
    }


def settle(hub: Hub, shop: httpx.Client, done: Callable[[], bool], timeout: float = 60) -> None:
    """Deliver every webhook, then work the queue until `done` (jobs may back off)."""
    shop.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
    deadline = time.monotonic() + timeout
    worker = hub.new_worker()
    while not done():
        assert time.monotonic() < deadline, "the hub did not get there in time"
        if not worker.run_once():
            time.sleep(0.2)
