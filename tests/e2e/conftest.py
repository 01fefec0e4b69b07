"""Fixtures for end-to-end scenarios: a Shopify sandbox with the ERP's catalogue."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from causeway.connectors.tryton.server import TrytonServer
from causeway.sandbox.shopify import SandboxServer, SandboxSettings
from tests.e2e.harness import SECRET, TOKEN

# SKUs the Tryton build stocks with 1000 units each (scripts/tryton/setup_business.py).
CATALOGUE = {"WID-001": "10.00", "GAD-001": "25.00", **{f"SKU-{n:04d}": f"{5 + n}.00" for n in range(1, 11)}}


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    faults: dict[str, Any] = getattr(request, "param", {})
    server = SandboxServer(SandboxSettings(api_secret=SECRET, access_token=TOKEN, **faults)).start()
    with httpx.Client(base_url=server.url, timeout=30) as shop:
        for sku, price in CATALOGUE.items():
            shop.post("/_sandbox/products", json={"title": sku, "sku": sku, "price": price,
                                                  "quantity": 50}).raise_for_status()
    yield server
    server.stop()


@pytest.fixture
def shop(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=30) as client:
        yield client


@pytest.fixture
def prefix() -> str:
    """A sale.reference prefix of this test's own: the ERP is shared by the session."""
    return f"t{uuid.uuid4().hex[:6]}-"


def place_orders(shop: httpx.Client, count: int, *, skus: list[str] | None = None) -> list[dict[str, Any]]:
    """Checkouts in the store: 1-3 lines each, 10 % tax, some with shipping."""
    catalogue = skus or list(CATALOGUE)
    orders = []
    for i in range(count):
        lines = [{"sku": catalogue[(i + k) % len(catalogue)], "quantity": 1 + (i + k) % 3}
                 for k in range(1 + i % 3)]
        response = shop.post("/_sandbox/orders", json={
            "email": f"customer{i % 7}@example.com", "first_name": "Test", "last_name": f"Customer {i % 7}",
            "lines": lines, "tax_rate": "0.10", "shipping_price": "4.90" if i % 2 else "0.00",
            "source_name": "web", "landing_site": f"https://shop.example.com/?ref={i}",
            "referring_site": "https://www.example.org/",
        })
        response.raise_for_status()
        orders.append(response.json())
    return orders


def erp_sales(tryton: TrytonServer | Any, prefix: str) -> list[dict[str, Any]]:
    """Every sale whose reference starts with the test's prefix, with its lines."""
    from causeway.connectors.tryton.rpc import TrytonRPC

    rpc = TrytonRPC(tryton.url, tryton.database, tryton.username, tryton.password)
    try:
        sales = rpc.search_read("sale.sale", [["reference", "like", f"{prefix}%"]],
                                ["reference", "state", "total_amount", "untaxed_amount", "lines"])
        line_ids = [i for s in sales for i in s["lines"]]
        lines = {l["id"]: l for l in rpc.read("sale.line", line_ids,
                                                ["product.code", "quantity", "unit_price", "type"])} if line_ids else {}
        for sale in sales:
            sale["line_rows"] = [lines[i] for i in sale["lines"]]
        return sales
    finally:
        rpc.close()


def assert_matches_store_order(sale: dict[str, Any], order: dict[str, Any]) -> None:
    assert sale["state"] in ("confirmed", "processing"), sale
    assert Decimal(str(sale["total_amount"])) == Decimal(order["total_price"]), (sale, order["total_price"])
    wanted = sorted((li["sku"], Decimal(li["quantity"]), Decimal(li["price"])) for li in order["line_items"])
    got = sorted(
        (l["product."]["code"] if isinstance(l.get("product."), dict) else l.get("product.code"),
         Decimal(str(l["quantity"])), Decimal(str(l["unit_price"])))
        for l in sale["line_rows"]
        if (l["product."]["code"] if isinstance(l.get("product."), dict) else l.get("product.code")) not in ("SHIPPING", "DISCOUNT")
    )
    assert got == wanted
