"""Two Shopify stores into one Tryton: the EU store (its own shop domain, token, webhook
secret and currency EUR) and the US store each have a channel in orders-to-erp, and each
store's orders become sales with that store's reference prefix and sale terms."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from causeway.connectors.tryton.connector import TrytonConnector
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.testkit import TrytonTestKit
from tests.e2e.conftest import CATALOGUE, place_orders
from tests.e2e.harness import hub_config, new_port, serving, settle
from tests.tryton.test_tryton_sale_terms import new_payment_term, new_price_list

pytestmark = pytest.mark.tryton

EU_SECRET, EU_TOKEN = "eu-webhook-secret", "shpat_eu_store"


@pytest.fixture
def eu_store() -> Iterator[SandboxServer]:
    settings = SandboxSettings(
        api_secret=EU_SECRET,
        access_token=EU_TOKEN,
        shop_domain="causeway-eu.myshopify.com",
        currency="EUR",
    )
    server = SandboxServer(settings).start()
    with httpx.Client(base_url=server.url, timeout=30) as shop:
        for sku, price in CATALOGUE.items():
            body = {"title": sku, "sku": sku, "price": price, "quantity": 50}
            shop.post("/_sandbox/products", json=body).raise_for_status()
    yield server
    server.stop()


def sales(tryton: TrytonServer, prefix: str) -> list[dict[str, Any]]:
    with TrytonConnector(tryton.url, tryton.database, tryton.username, tryton.password) as erp:
        return erp.rpc.search_read(
            "sale.sale",
            [["reference", "like", f"{prefix}%"]],
            ["reference", "price_list.name", "payment_term.name", "state"],
        )


def test_orders_of_two_shopify_stores_become_sales_with_each_stores_prefix_and_terms(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    eu_store: SandboxServer,
) -> None:
    run = uuid.uuid4().hex[:6]
    us_prefix, eu_prefix = f"us{run}-", f"eu{run}-"
    with TrytonConnector(
        tryton_server.url, tryton_server.database, tryton_server.username, tryton_server.password
    ) as erp:
        eu_list, eu_term = f"EUR Retail {run}", f"Net 30 {run}"
        new_price_list(erp, eu_list, "1")
        new_payment_term(erp, eu_term, 30)
        # The company sells in dollars; the EU store's euros need Tryton to know EUR.
        TrytonTestKit(erp).ensure_currency("EUR", "Euro", "€", Decimal("0.9"))
    config = hub_config(tmp_path, tryton_server, sandbox.url, new_port())
    config["systems"]["shop_eu"] = config["systems"]["shop"] | {
        "shop_url": eu_store.url,
        "access_token": EU_TOKEN,
        "webhook_secret": EU_SECRET,
    }
    orders = config["flows"]["orders-to-erp"]
    for key in ("source", "reference_prefix", "tax_map"):
        orders.pop(key, None)
    orders["channels"] = [
        {"system": "shop", "reference_prefix": us_prefix},
        {
            "system": "shop_eu",
            "reference_prefix": eu_prefix,
            "price_list": eu_list,
            "payment_term": eu_term,
        },
    ]
    with (
        httpx.Client(base_url=eu_store.url, timeout=30) as eu_shop,
        serving(config, shop, topics=["orders/create"]) as (hub, server),
    ):
        eu_shop.put(
            "/_sandbox/webhooks",
            json={"uri": f"{server.url}/webhooks/shop_eu", "topics": ["orders/create"]},
        ).raise_for_status()
        place_orders(shop, 2)
        place_orders(eu_shop, 3)
        eu_shop.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
        settle(
            hub,
            shop,
            lambda: (
                len(sales(tryton_server, us_prefix)) == 2
                and len(sales(tryton_server, eu_prefix)) == 3
            ),
        )
    us_sales, eu_sales = sales(tryton_server, us_prefix), sales(tryton_server, eu_prefix)
    assert {s["payment_term."]["name"] for s in eu_sales} == {eu_term}
    assert {(s.get("price_list.") or {}).get("name") for s in eu_sales} == {eu_list}
    assert eu_term not in {(s.get("payment_term.") or {}).get("name") for s in us_sales}
    assert eu_list not in {(s.get("price_list.") or {}).get("name") for s in us_sales}
    assert {s["state"] for s in us_sales + eu_sales} <= {"confirmed", "processing", "done"}
