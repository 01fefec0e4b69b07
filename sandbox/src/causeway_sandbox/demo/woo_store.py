"""The WooCommerce store of the demo: the WooCommerce sandbox with the demo's catalogue,
whose storefront refuses to sell beyond the stock the hub published, and whose webhooks
(order.created, then order.updated once paid) arrive signed as WooCommerce signs them."""

from __future__ import annotations

from typing import Any

import httpx

from causeway_sandbox.demo.stores import CATALOGUE, CUSTOMERS, PlacedOrder, StoreSpec
from causeway_sandbox.woocommerce.server import WooSandboxServer
from causeway_sandbox.woocommerce.settings import WooSandboxSettings


class WooStore:
    def __init__(self, spec: StoreSpec) -> None:
        self.spec = spec
        settings = WooSandboxSettings(
            currency=spec.currency, tax_rate_percent=spec.tax_percent, seed=7
        )
        self.server = WooSandboxServer(settings).start()
        self.url: str = self.server.url
        self.client = httpx.Client(base_url=self.url, timeout=30, trust_env=False)

    def system_config(self) -> dict[str, Any]:
        return {
            "type": "woocommerce",
            "url": self.url,
            "consumer_key": self.server.consumer_key,
            "consumer_secret": self.server.consumer_secret,
            "webhook_secret": self.spec.webhook_secret,
        }

    def stock_catalogue(self) -> None:
        for sku, name, price in CATALOGUE:
            product = {"name": name, "sku": sku, "regular_price": price}
            self.client.post("/_sandbox/products", json=product).raise_for_status()
            # Managed stock, none yet: the storefront sells only what the hub publishes.
            self.client.put(f"/_sandbox/stock/{sku}", json={"stock_quantity": 0})

    def checkout(self, n: int, lines: list[tuple[str, int]]) -> PlacedOrder:
        first, last, email = CUSTOMERS[n % len(CUSTOMERS)]
        billing = {
            "first_name": first,
            "last_name": last,
            "address_1": "969 Market",
            "city": "San Francisco",
            "state": "CA",
            "postcode": "94103",
            "country": "US",
            "email": email,
        }
        cart = [{"sku": sku, "quantity": quantity} for sku, quantity in lines]
        response = self.client.post("/_sandbox/purchases", json={"lines": cart, "billing": billing})
        if response.status_code == 409:  # the storefront's own words: out of stock
            raise RuntimeError(f"{self.spec.system}: {response.json()['error']}")
        order = response.raise_for_status().json()
        return PlacedOrder(self.spec.system, str(order["id"]), str(order["number"]))

    def shown_stock(self) -> dict[str, int | None]:
        return self.client.get("/_sandbox/stock").raise_for_status().json()  # type: ignore[no-any-return]

    def fulfilled(self, order_id: str) -> bool:
        order = self.client.get(f"/_sandbox/orders/{order_id}").raise_for_status().json()
        return bool(order["status"] == "completed")

    def webhook_deliveries(self) -> tuple[int, int]:
        # WooCommerce sends no event twice; it sends order.created and order.updated.
        self.client.post("/_sandbox/deliveries/wait", json={"timeout": 10})
        deliveries = self.client.get("/_sandbox/deliveries").raise_for_status().json()
        return sum(1 for d in deliveries if d["kind"] == "delivery" and d["ok"]), 0

    def stop(self) -> None:
        self.client.close()
        self.server.stop()
