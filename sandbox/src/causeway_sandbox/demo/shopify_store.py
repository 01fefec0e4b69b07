"""A Shopify store of the demo: the Shopify sandbox with the demo's catalogue, checkouts
that look like a real shop's (taxes, shipping, discount codes, where the customer came
from), and webhooks that arrive signed, some twice and out of order, as real ones do."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import httpx

from causeway_sandbox.demo.stores import CATALOGUE, CUSTOMERS, PlacedOrder, StoreSpec, basket
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from causeway_sandbox.shopify.settings import FaultSettings

SOURCES = [
    ("web", "https://shop.example.com/?utm_source=newsletter", "https://mail.example.com/"),
    ("web", "https://shop.example.com/products/widget", "https://www.google.com/"),
    ("pos", None, None),
]


def checkout_body(n: int, lines: list[tuple[str, int]], tax_percent: Decimal) -> dict[str, Any]:
    """The n-th customer's checkout (the sandbox's POST /_sandbox/orders)."""
    first, last, email = CUSTOMERS[n % len(CUSTOMERS)]
    source, landing, referrer = SOURCES[n % len(SOURCES)]
    return {
        "email": email,
        "first_name": first,
        "last_name": last,
        "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
        "tax_rate": str(tax_percent / 100),
        "shipping_price": "4.90" if n % 2 else "0.00",
        # Every third customer has a welcome code: it reaches the ERP sale to the cent.
        "discount_codes": (
            [{"code": "WELCOME10", "type": "percentage", "value": "10"}] if n % 3 == 2 else []
        ),
        "source_name": source,
        "landing_site": landing,
        "referring_site": referrer,
    }


def place_orders(shop: httpx.Client, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """`count` checkouts in the sandbox behind `shop`, at 10% tax; the REST orders."""
    placed = []
    for n in range(count):
        body = checkout_body(n, basket(rng), Decimal("10"))
        placed.append(shop.post("/_sandbox/orders", json=body).raise_for_status().json())
    return placed


class ShopifyStore:
    def __init__(self, spec: StoreSpec) -> None:
        self.spec = spec
        settings = SandboxSettings(
            api_secret=spec.webhook_secret,
            access_token=spec.token,
            shop_domain=spec.shop_domain or SandboxSettings().shop_domain,
            shop_name=f"Causeway demo ({spec.title})",
            currency=spec.currency,
            faults=FaultSettings(duplicate_rate=0.25, out_of_order=True),
            seed=7,
        )
        self.server = SandboxServer(settings).start()
        self.url: str = self.server.url
        self.client = httpx.Client(base_url=self.url, timeout=30, trust_env=False)

    def system_config(self) -> dict[str, Any]:
        return {
            "type": "shopify",
            "shop_url": self.url,
            "shop_domain": self.spec.shop_domain,
            "access_token": self.spec.token,
            "webhook_secret": self.spec.webhook_secret,
        }

    def stock_catalogue(self) -> None:
        for sku, title, price in CATALOGUE:
            product = {"title": title, "sku": sku, "price": price, "quantity": 0}
            self.client.post("/_sandbox/products", json=product).raise_for_status()

    def checkout(self, n: int, lines: list[tuple[str, int]]) -> PlacedOrder:
        body = checkout_body(n, lines, self.spec.tax_percent)
        order = self.client.post("/_sandbox/orders", json=body).raise_for_status().json()
        return PlacedOrder(self.spec.system, str(order["id"]), order["name"])

    def shown_stock(self) -> dict[str, int | None]:
        return self.client.get("/_sandbox/inventory").raise_for_status().json()  # type: ignore[no-any-return]

    def fulfilled(self, order_id: str) -> bool:
        order = self.client.get(f"/_sandbox/orders/{order_id}").raise_for_status().json()
        return bool(order["order"]["fulfillment_status"] == "fulfilled")

    def webhook_deliveries(self) -> tuple[int, int]:
        self.client.post("/_sandbox/deliveries/wait", json={"timeout": 10})
        deliveries = self.client.get("/_sandbox/deliveries").raise_for_status().json()
        accepted = [d for d in deliveries if 200 <= (d.get("status") or 0) < 300]
        return len(accepted), len(accepted) - len({d["event_id"] for d in accepted})

    def stop(self) -> None:
        self.client.close()
        self.server.stop()
