"""Fixtures for end-to-end scenarios: a Shopify sandbox and a WooCommerce sandbox, each
with the ERP's catalogue."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from causeway.connectors.hubspot.connector import HubSpotConnector
from causeway.connectors.tryton.connector import TrytonConnector
from causeway_sandbox.hubspot.server import HubSpotSandboxServer
from causeway_sandbox.hubspot.settings import HubSpotSandboxSettings
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.testkit import TrytonTestKit
from causeway_sandbox.woocommerce.server import WooSandboxServer
from causeway_sandbox.woocommerce.settings import WooSandboxSettings
from tests.e2e.harness import SECRET, TOKEN

# SKUs the Tryton build stocks with 1000 units each (scripts/tryton/setup_business.py).
CATALOGUE = {
    "WID-001": "10.00",
    "GAD-001": "25.00",
    **{f"SKU-{n:04d}": f"{5 + n}.00" for n in range(1, 11)},
}


def store_with_the_catalogue(settings: SandboxSettings) -> Iterator[SandboxServer]:
    """A Shopify sandbox of `settings` selling the ERP's catalogue, 50 of each (a fixture's
    body: `yield from store_with_the_catalogue(...)`)."""
    server = SandboxServer(settings).start()
    with httpx.Client(base_url=server.url, timeout=30) as shop:
        for sku, price in CATALOGUE.items():
            body = {"title": sku, "sku": sku, "price": price, "quantity": 50}
            shop.post("/_sandbox/products", json=body).raise_for_status()
    yield server
    server.stop()


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    """The Shopify store "shop" (fault knobs as the test's param)."""
    faults: dict[str, Any] = getattr(request, "param", {})
    settings = SandboxSettings(api_secret=SECRET, access_token=TOKEN, **faults)
    yield from store_with_the_catalogue(settings)


EU_SECRET, EU_TOKEN = "eu-webhook-secret", "shpat_eu_store"


@pytest.fixture
def eu_store() -> Iterator[SandboxServer]:
    """A second Shopify store, another brand's: its own shop domain, token, webhook secret
    and currency (EUR)."""
    settings = SandboxSettings(
        api_secret=EU_SECRET,
        access_token=EU_TOKEN,
        shop_domain="causeway-eu.myshopify.com",
        currency="EUR",
    )
    yield from store_with_the_catalogue(settings)


def add_eu_store(config: dict[str, Any], eu_store: SandboxServer) -> None:
    """causeway.yaml's `shop_eu`: the eu_store, beside the config's `shop`."""
    config["systems"]["shop_eu"] = config["systems"]["shop"] | {
        "shop_url": eu_store.url,
        "access_token": EU_TOKEN,
        "webhook_secret": EU_SECRET,
    }


def erp_sells_in_euros(erp: TrytonConnector) -> None:
    """The company sells in dollars; the EU store's euros need Tryton to know EUR."""
    TrytonTestKit(erp).ensure_currency("EUR", "Euro", "€", Decimal("0.9"))


@pytest.fixture
def woo() -> Iterator[WooSandboxServer]:
    """A WooCommerce store selling the ERP's catalogue, taxed at a rate Tryton has."""
    server = WooSandboxServer(WooSandboxSettings(tax_rate_percent=Decimal("10"))).start()
    with httpx.Client(base_url=server.url, timeout=30) as store:
        for sku, price in CATALOGUE.items():
            product = {"name": sku, "sku": sku, "regular_price": price}
            store.post("/_sandbox/products", json=product).raise_for_status()
            store.put(f"/_sandbox/stock/{sku}", json={"stock_quantity": 50}).raise_for_status()
    yield server
    server.stop()


@pytest.fixture
def store(woo: WooSandboxServer) -> Iterator[httpx.Client]:
    """The WooCommerce sandbox's control API (the test plays customer and merchant)."""
    with httpx.Client(base_url=woo.url, timeout=30) as client:
        yield client


def buy(store: httpx.Client, *lines: tuple[str, int], paid: bool = True) -> dict[str, Any]:
    """A customer checks out in the WooCommerce store (paid, unless `paid` is False)."""
    cart = [{"sku": sku, "quantity": quantity} for sku, quantity in lines]
    response = store.post("/_sandbox/purchases", json={"lines": cart, "paid": paid})
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def crm_sandbox(request: pytest.FixtureRequest) -> Iterator[HubSpotSandboxServer]:
    """A HubSpot sandbox portal of this test's own (fault knobs as the test's param)."""
    faults: dict[str, Any] = getattr(request, "param", {})
    settings = HubSpotSandboxSettings.model_validate({"rate_max": 1000, "faults": faults})
    with HubSpotSandboxServer(settings) as server:
        yield server


@pytest.fixture
def shop(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=30) as client:
        yield client


@pytest.fixture
def prefix() -> str:
    """A sale.reference prefix of this test's own: the ERP is shared by the session."""
    return f"t{uuid.uuid4().hex[:6]}-"


def place_orders(
    shop: httpx.Client, count: int, *, skus: list[str] | None = None
) -> list[dict[str, Any]]:
    """Checkouts in the store: 1-3 lines each, 10 % tax, some with shipping."""
    catalogue = skus or list(CATALOGUE)
    orders = []
    for i in range(count):
        lines = [
            {"sku": catalogue[(i + k) % len(catalogue)], "quantity": 1 + (i + k) % 3}
            for k in range(1 + i % 3)
        ]
        response = shop.post(
            "/_sandbox/orders",
            json={
                "email": f"customer{i % 7}@example.com",
                "first_name": "Test",
                "last_name": f"Customer {i % 7}",
                "lines": lines,
                "tax_rate": "0.10",
                "shipping_price": "4.90" if i % 2 else "0.00",
                "source_name": "web",
                "landing_site": f"https://shop.example.com/?ref={i}",
                "referring_site": "https://www.example.org/",
            },
        )
        response.raise_for_status()
        orders.append(response.json())
    return orders


def erp_sales(tryton: TrytonServer, prefix: str) -> list[dict[str, Any]]:
    """Every sale whose reference starts with the test's prefix, with its lines."""
    with TrytonConnector(tryton.url, tryton.database, tryton.username, tryton.password) as erp:
        found = erp.rpc.search_read("sale.sale", [["reference", "like", f"{prefix}%"]], ["id"])
        return [TrytonTestKit(erp).read_sale(sale["id"]) for sale in found]


def assert_matches_store_order(sale: dict[str, Any], order: dict[str, Any]) -> None:
    """The ERP sale has the store order's product lines, prices and total."""
    assert sale["state"] in ("confirmed", "processing"), sale
    assert Decimal(str(sale["total_amount"])) == Decimal(order["total_price"])
    wanted = sorted(
        (item["sku"], Decimal(item["quantity"]), Decimal(item["price"]))
        for item in order["line_items"]
    )
    got = sorted(
        (line["product_code"], Decimal(str(line["quantity"])), Decimal(str(line["unit_price"])))
        for line in sale["lines"]
        if line["product_code"] not in ("SHIPPING", "DISCOUNT")
    )
    assert got == wanted


@pytest.fixture
def hubspot(crm: HubSpotSandboxServer) -> Iterator[HubSpotConnector]:
    """A HubSpot connector to the test's `crm` sandbox (each CRM test module defines `crm`)."""
    connector = HubSpotConnector(crm.url, crm.token, system="crm")
    yield connector
    connector.close()
