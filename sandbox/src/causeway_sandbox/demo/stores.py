"""The demo's three stores: who they are (system name, currency, reference prefix, share of
the stock) and what the demo does with each (start its sandbox, stock its catalogue, let
customers check out, and look at what it shows), whatever kind of store it is."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

# What every store sells; the Tryton build stocks each SKU with 1000 units.
CATALOGUE = [("WID-001", "Widget", "10.00"), ("GAD-001", "Gadget", "25.00")] + [
    (f"SKU-{n:04d}", f"Bench item {n}", f"{5 + n}.00") for n in range(1, 9)
]
SKUS = [sku for sku, _, _ in CATALOGUE]
CUSTOMERS = [
    ("Ada", "Lovelace", "ada@example.com"),
    ("Grace", "Hopper", "Grace.Hopper@Example.com"),
    ("Alan", "Turing", "alan@example.org"),
    ("Katherine", "Johnson", "kj@example.net"),
    ("Edsger", "Dijkstra", "ewd@example.nl"),
]


@dataclass(frozen=True)
class StoreSpec:
    """One store of the demo, as causeway.yaml's channels name it."""

    system: str
    kind: str  # "shopify" or "woocommerce"
    title: str
    currency: str
    reference_prefix: str
    # Of the sellable stock; the three and Amazon's (amazon_stock.SHARE) add up to 1: no
    # oversell.
    share: Fraction
    safety_stock: int = 0
    shop_domain: str | None = None
    token: str = ""
    webhook_secret: str = ""
    price_list: str | None = None
    payment_term: str | None = None
    # The store's tax rate: Tryton has VAT 10% and State Tax 6%, matched by rate.
    tax_percent: Decimal = Decimal("10")


STORES = (
    StoreSpec(
        system="shop_us",
        kind="shopify",
        title="Shopify US",
        currency="USD",
        reference_prefix="US-",
        share=Fraction(2, 5),
        safety_stock=2,
        shop_domain="causeway-us.myshopify.com",
        token="shpat_demo_us",
        webhook_secret="demo-us-webhook-secret",
    ),
    StoreSpec(
        system="shop_eu",
        kind="shopify",
        title="Shopify EU",
        currency="EUR",
        reference_prefix="EU-",
        share=Fraction(3, 10),
        shop_domain="causeway-eu.myshopify.com",
        token="shpat_demo_eu",
        webhook_secret="demo-eu-webhook-secret",
        price_list="EUR Retail",
        payment_term="Net 30",
    ),
    StoreSpec(
        system="woo",
        kind="woocommerce",
        title="WooCommerce",
        currency="USD",
        reference_prefix="WOO-",
        share=Fraction(1, 5),
        safety_stock=1,
        webhook_secret="demo-woo-webhook-secret",
        tax_percent=Decimal("6"),
    ),
)


@dataclass(frozen=True)
class PlacedOrder:
    store: str
    order_id: str  # the store's id, as the hub's order view names it
    number: str  # what the customer sees: #1001, 4711


class DemoStore(Protocol):
    """A running store sandbox, seen by the demo as shopper, merchant and observer."""

    spec: StoreSpec
    url: str

    def system_config(self) -> dict[str, Any]:
        """This store's entry under causeway.yaml's systems."""
        ...

    def stock_catalogue(self) -> None:
        """Create CATALOGUE's products, with no stock until the hub publishes it."""
        ...

    def checkout(self, n: int, lines: list[tuple[str, int]]) -> PlacedOrder:
        """The n-th customer of the demo buys `lines` (SKU, quantity)."""
        ...

    def shown_stock(self) -> dict[str, int | None]:
        """SKU -> what the store offers for sale now."""
        ...

    def fulfilled(self, order_id: str) -> bool: ...

    def webhook_deliveries(self) -> tuple[int, int]:
        """(order webhooks the hub accepted, of which repeats of one event)."""
        ...

    def stop(self) -> None: ...


def basket(rng: Any) -> list[tuple[str, int]]:
    """One to three products of the catalogue, one to three of each (rng: random.Random)."""
    return [(sku, rng.randint(1, 3)) for sku, _, _ in rng.sample(CATALOGUE, rng.randint(1, 3))]
