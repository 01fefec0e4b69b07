"""The WooCommerce connector against the wire-compatible sandbox (real HTTP on 127.0.0.1).

The sandbox was written from WooCommerce's public contract by someone else
(sandbox/src/causeway_sandbox/woocommerce): WordPress's pagination headers and argument
errors, batch limits and per-item errors, signed webhooks that disable themselves.
Passing here means the connector follows that contract, not that it agrees with itself.
One sandbox per test module, reset before each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from causeway.connectors.http_retry import RetryPolicy
from causeway.connectors.woocommerce import WooCommerceConnector

sandbox = pytest.importorskip(
    "causeway_sandbox.woocommerce", reason="the WooCommerce sandbox is not in this tree yet"
)
WooSandboxServer = sandbox.WooSandboxServer
WooSandboxSettings = sandbox.WooSandboxSettings
WooFaultSettings = sandbox.WooFaultSettings

WEBHOOK_SECRET = "hub-webhook-secret-for-tests"
# Retries without minutes of backoff: the sandbox's faults are counted, not lasting.
QUICK = RetryPolicy(max_attempts=4, backoff_initial=0.01, backoff_max=0.05, max_throttle_waits=5)


@pytest.fixture(scope="module")
def woo_server() -> Iterator[Any]:
    with WooSandboxServer(WooSandboxSettings()) as server:
        yield server


@pytest.fixture
def woo(woo_server: Any) -> Any:
    woo_server.control("POST", "reset")
    woo_server.control("PUT", "faults", json={**WooFaultSettings().model_dump(), "seed": 0})
    return woo_server


def connect(woo: Any, **options: Any) -> WooCommerceConnector:
    settings = {
        "webhook_secret": WEBHOOK_SECRET,
        "system": "woo",
        "retry": QUICK,
    } | options
    return WooCommerceConnector(woo.store_url, woo.consumer_key, woo.consumer_secret, **settings)


@pytest.fixture
def store(woo: Any) -> Iterator[WooCommerceConnector]:
    with connect(woo) as connector:
        yield connector


def add_product(woo: Any, sku: str, quantity: int | None = 10, **fields: Any) -> dict[str, Any]:
    """The merchant adds a simple product in wp-admin (stock counted unless quantity None)."""
    body: dict[str, Any] = {"name": f"Product {sku}", "sku": sku, "regular_price": "12.00"}
    if quantity is not None:
        body |= {"manage_stock": True, "stock_quantity": quantity}
    return woo.control("POST", "products", json=body | fields).json()  # type: ignore[no-any-return]


def add_variable_product(woo: Any, sku: str, variations: dict[str, int]) -> dict[str, Any]:
    """A variable product whose variations (SKU -> stock) each count their own stock."""
    body = {
        "name": f"Shirt {sku}",
        "sku": sku,
        "variations": [
            {
                "sku": v_sku,
                "regular_price": "20.00",
                "manage_stock": True,
                "stock_quantity": quantity,
                "attributes": [{"name": "Size", "option": v_sku.rsplit("-", 1)[-1]}],
            }
            for v_sku, quantity in variations.items()
        ],
    }
    return woo.control("POST", "products", json=body).json()  # type: ignore[no-any-return]


def buy(woo: Any, *lines: tuple[str, int], **fields: Any) -> dict[str, Any]:
    """A customer checks out on the storefront and pays by card."""
    body = {"lines": [{"sku": sku, "quantity": n} for sku, n in lines], **fields}
    response = httpx.post(f"{woo.url}/_sandbox/purchases", json=body, trust_env=False)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def calls(woo: Any) -> list[dict[str, Any]]:
    return woo.control("GET", "calls").json()  # type: ignore[no-any-return]
