"""One WooCommerce sandbox per test module, reset before each test; raw HTTP clients."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from causeway_sandbox.woocommerce import WooFaultSettings, WooSandboxServer, WooSandboxSettings


@pytest.fixture(scope="module")
def woo_server() -> Iterator[WooSandboxServer]:
    with WooSandboxServer(WooSandboxSettings()) as server:
        yield server


@pytest.fixture
def woo(woo_server: WooSandboxServer) -> Iterator[WooSandboxServer]:
    woo_server.control("POST", "reset")
    woo_server.control("PUT", "faults", json={**WooFaultSettings().model_dump(), "seed": 0})
    yield woo_server


@pytest.fixture
def api(woo: WooSandboxServer) -> Iterator[httpx.Client]:
    """An authenticated REST client (HTTP Basic), as a connector would hold one."""
    with httpx.Client(base_url=woo.api_url, auth=woo.auth, trust_env=False, timeout=10) as client:
        yield client


def seed(woo: WooSandboxServer, sku: str, quantity: int | None = 10, **fields: object) -> dict:
    """The merchant adds a simple product (stock managed unless quantity is None)."""
    body: dict[str, object] = {"name": f"Product {sku}", "sku": sku, "regular_price": "12.00"}
    if quantity is not None:
        body |= {"manage_stock": True, "stock_quantity": quantity}
    return woo.control("POST", "products", json=body | fields).json()  # type: ignore[no-any-return]


def buy(woo: WooSandboxServer, sku: str, quantity: int = 1, **fields: object) -> httpx.Response:
    """A customer checks out on the storefront (no raise: a refusal is a 409 to look at)."""
    return httpx.post(
        f"{woo.url}/_sandbox/purchases",
        json={"lines": [{"sku": sku, "quantity": quantity}], **fields},
        trust_env=False,
    )
