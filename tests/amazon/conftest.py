"""The Amazon sandbox on 127.0.0.1, and connectors configured against it."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from causeway.connectors.amazon import AmazonConnector
from causeway.connectors.amazon.auth import LwaCredentials
from causeway.connectors.http_retry import RetryPolicy
from causeway.engine.rate import RateBudgets
from causeway_sandbox.amazon import AmazonSandboxServer, AmazonSandboxSettings
from tests.vendor_samples import load_sample

MARKETPLACE = "ATVPDKIKX0DER"


def orders_model() -> dict[str, Any]:
    return load_sample("amazon", "orders_2026-01-01.json")  # type: ignore[no-any-return]


def vendor_orders() -> list[dict[str, Any]]:
    """Every order in every 200 example of searchOrders and getOrder."""
    found = []
    for path in orders_model()["paths"].values():
        for op in path.values():
            if not isinstance(op, dict):
                continue
            answer = op["responses"]["200"]
            bodies = [answer["examples"]["application/json"]]
            bodies += [case["response"] for case in answer["x-amzn-api-sandbox"]["static"]]
            for body in bodies:
                found += body["orders"] if "orders" in body else [body["order"]]
    return found


@pytest.fixture(scope="session")
def amazon_server() -> Iterator[AmazonSandboxServer]:
    with AmazonSandboxServer(AmazonSandboxSettings()) as server:
        yield server


@pytest.fixture
def amazon(amazon_server: AmazonSandboxServer) -> AmazonSandboxServer:
    amazon_server.control("POST", "reset")
    return amazon_server


@pytest.fixture
def connect(amazon: AmazonSandboxServer) -> Iterator[Callable[..., AmazonConnector]]:
    made: list[AmazonConnector] = []

    def build(**kwargs: Any) -> AmazonConnector:
        s = amazon.settings
        kwargs.setdefault("retry", RetryPolicy(backoff_initial=0.01, backoff_max=0.05))
        kwargs.setdefault("budgets", RateBudgets())
        connector = AmazonConnector(
            amazon.endpoint,
            LwaCredentials(amazon.token_url, s.client_id, s.client_secret, s.refresh_token),
            marketplace_ids=[MARKETPLACE],
            selling_partner_id=s.selling_partner_id,
            **kwargs,
        )
        made.append(connector)
        return connector

    yield build
    for connector in made:
        connector.close()


def new_order(
    order_id: str,
    *,
    status: str = "UNSHIPPED",
    fulfilled_by: str = "MERCHANT",
    sku: str = "WID-1",
    quantity: int = 2,
    unit: str = "10.00",
    created: datetime | None = None,
) -> dict[str, Any]:
    """An order in Amazon's shape, built from the vendor's first example."""
    base = copy.deepcopy(vendor_orders()[0])
    created = created or datetime.now(UTC) - timedelta(hours=1)
    base["orderId"] = order_id
    base["createdTime"] = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    base.pop("lastUpdatedTime", None)
    base["salesChannel"]["marketplaceId"] = MARKETPLACE
    base["fulfillment"]["fulfillmentStatus"] = status
    base["fulfillment"]["fulfilledBy"] = fulfilled_by
    total = f"{int(quantity) * float(unit):.2f}"
    money = {"currencyCode": "USD"}
    base["proceeds"] = {"grandTotal": {**money, "amount": total}, "breakdowns": []}
    item = base["orderItems"][0]
    item["orderItemId"] = f"{order_id}-1"
    item["quantityOrdered"] = quantity
    item["product"]["sellerSku"] = sku
    item["product"]["price"]["unitPrice"] = {**money, "amount": unit}
    item["proceeds"] = {
        "proceedsTotal": {**money, "amount": total},
        "breakdowns": [{"type": "ITEM", "subtotal": {**money, "amount": total}}],
    }
    base["orderItems"] = [item]
    return base
