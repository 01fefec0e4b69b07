"""The flash sale's storefronts (bench/flash_sale.py): two Shopify stores, a WooCommerce
store and Amazon (bench/_flash_amazon.py) listing one SKU, as its buyers and its observer
use them, and the hub's settings between them and the real Tryton."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from bench._flash_amazon import AmazonShelf, amazon_system, open_amazon
from causeway_sandbox.localserver import free_port
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.woocommerce.server import WooSandboxServer
from causeway_sandbox.woocommerce.settings import WooSandboxSettings

SECRET = "flash-secret"
SHOPS = ("shop_a", "shop_b")
WOO = "woo"
AMAZON = "amazon"
CHANNELS = (*SHOPS, WOO, AMAZON)
PRICE = "20.00"


@dataclass
class Stores:
    """The four storefronts of one side, as buyers and an observer see them."""

    sku: str
    shops: dict[str, SandboxServer]
    woo: WooSandboxServer
    amazon: AmazonShelf
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, server in {**self.shops, WOO: self.woo}.items():
            self.clients[name] = httpx.Client(base_url=server.url, timeout=30)

    def shown(self) -> dict[str, int]:
        found = {n: self.clients[n].get("/_sandbox/inventory").json() for n in SHOPS}
        woo = self.clients[WOO].get("/_sandbox/stock").json()
        shown = {n: int(found[n][self.sku]) for n in SHOPS}
        return {**shown, WOO: int(woo[self.sku] or 0), AMAZON: self.amazon.shown()}

    def buy(self, channel: str, buyer: int) -> bool:
        """One checkout of one unit; False when the store refuses (sold out)."""
        if channel == AMAZON:
            return self.amazon.buy(buyer, PRICE)
        if channel == WOO:
            body: dict[str, Any] = {"lines": [{"sku": self.sku, "quantity": 1}]}
            response = self.clients[WOO].post("/_sandbox/purchases", json=body)
            if response.status_code == 409:
                return False
        else:
            body = {
                "email": f"buyer{buyer}@example.com",
                "first_name": "Flash",
                "last_name": f"Buyer {buyer}",
                "lines": [{"sku": self.sku, "quantity": 1}],
                "tax_rate": "0.10",
            }
            response = self.clients[channel].post("/_sandbox/orders", json=body)
            if response.status_code == 422 and "out of stock" in response.text:
                return False
        response.raise_for_status()
        return True

    def sold(self) -> dict[str, int]:
        """Units of the SKU in the orders each store took: the measured figure."""
        counts = {AMAZON: self.amazon.sold()}
        for name in (*SHOPS, WOO):
            orders = self.clients[name].get("/_sandbox/orders").json()
            if isinstance(orders, dict):  # Shopify's envelope
                orders = orders["orders"]
            counts[name] = sum(
                int(line["quantity"])
                for order in orders
                for line in order["line_items"]
                if line.get("sku") == self.sku
            )
        return counts

    def stock_writes(self) -> int:
        """Stock writes the stores received through their APIs (the hub's publishes)."""
        writes = 0
        for name in SHOPS:
            calls = self.clients[name].get("/_sandbox/calls").json()
            writes += sum(1 for c in calls if c.get("operationName") == "InventorySetQuantities")
        calls = self.clients[WOO].get("/_sandbox/calls").json()
        writes += sum(
            1 for c in calls if c.get("method") == "POST" and "batch" in str(c.get("path"))
        )
        return writes + self.amazon.stock_writes()

    def close(self) -> None:
        """Close the clients and stop the sandboxes."""
        for client in self.clients.values():
            client.close()
        self.amazon.close()
        for server in (*self.shops.values(), self.woo):
            server.stop()


def open_stores(sku: str) -> Stores:
    """Two Shopify stores, a WooCommerce store and Amazon listing `sku` with nothing in
    stock yet (the hub's first publish stocks them)."""
    shops = {}
    for name in SHOPS:
        settings = SandboxSettings(
            api_secret=SECRET, access_token=f"shpat_{name}", shop_domain=f"{name}.myshopify.com"
        )
        shops[name] = server = SandboxServer(settings).start()
        product = {"title": sku, "sku": sku, "price": PRICE, "quantity": 0}
        httpx.post(f"{server.url}/_sandbox/products", json=product).raise_for_status()
    woo = WooSandboxServer(WooSandboxSettings(tax_rate_percent=Decimal("10"))).start()
    product = {"name": sku, "sku": sku, "regular_price": PRICE}
    httpx.post(f"{woo.url}/_sandbox/products", json=product).raise_for_status()
    httpx.put(f"{woo.url}/_sandbox/stock/{sku}", json={"stock_quantity": 0}).raise_for_status()
    return Stores(sku, shops, woo, open_amazon(sku))


def subscribed(stores: Stores) -> bool:
    shops = all(stores.clients[n].get("/_sandbox/webhooks").json() for n in SHOPS)
    pinged = bool(stores.clients[WOO].get("/_sandbox/deliveries").json())
    return shops and pinged


def hub_config(
    workdir: Path, erp: TrytonServer, stores: Stores, *, share: Any, republish_on_sale: bool
) -> dict[str, Any]:
    """causeway.yaml: orders from the four channels into Tryton, stock to each, every
    channel seeing `share` of it (None: all of it). Amazon is the last channel: a run
    writes the stores before it waits for Amazon's feed to be processed."""
    port = free_port()
    systems: dict[str, Any] = {
        name: {
            "type": "shopify",
            "shop_url": server.url,
            "access_token": server.settings.access_token,
            "webhook_secret": SECRET,
        }
        for name, server in stores.shops.items()
    }
    systems[WOO] = {
        "type": "woocommerce",
        "url": stores.woo.url,
        "consumer_key": stores.woo.consumer_key,
        "consumer_secret": stores.woo.consumer_secret,
        "webhook_secret": SECRET,
    }
    systems[AMAZON] = amazon_system(stores.amazon)
    systems["erp"] = {
        "type": "tryton",
        "url": erp.url,
        "database": erp.database,
        "username": erp.username,
        "password": erp.password,
    }
    tag = stores.sku.lower()
    channel: dict[str, Any] = {} if share is None else {"share": str(share)}
    return {
        "store": {"url": f"sqlite:///{workdir / 'causeway.db'}"},
        "server": {"port": port, "public_url": f"http://127.0.0.1:{port}"},
        "workers": {"count": 2, "lease": "30s", "backoff_base": "200ms", "backoff_cap": "2s"},
        "systems": systems,
        "flows": {
            "orders-to-erp": {
                "target": "erp",
                "channels": [{"system": n, "reference_prefix": f"{tag}-{n}-"} for n in CHANNELS],
                "reconcile_every": "1h",
                "batch_size": 100,  # a flash sale's burst in a few Tryton transactions
            },
            "stock-to-channels": {
                "source": "erp",
                "channels": [{"system": n, **channel} for n in CHANNELS],
                "every": "300s",
                "republish_on_sale": republish_on_sale,
            },
        },
    }
