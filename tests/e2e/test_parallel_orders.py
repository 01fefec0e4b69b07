"""Orders of one new customer from two stores, raced by two `causeway worker` processes on
one PostgreSQL store into the real Tryton: both sales are placed, the customer is one party,
and nothing is parked. orders-to-erp is no longer one batch at a time; what two batches
could both create, the customer, is created under that customer's lock."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine.jobs import JobQueue
from causeway.flows.orders_to_erp import NAME as ORDERS_TO_ERP
from causeway_sandbox.localserver import WorkerProcess
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from causeway_sandbox.tryton.server import TrytonServer
from tests.e2e.conftest import CATALOGUE, store_with_the_catalogue
from tests.e2e.harness import hub_config, new_port, serving, subscribe

pytestmark = pytest.mark.tryton

OUTLET_SECRET, OUTLET_TOKEN = "outlet-webhook-secret", "shpat_outlet_store"
CUSTOMERS = 5


@pytest.fixture
def outlet() -> Iterator[SandboxServer]:
    """A second Shopify store of the same merchant, selling the ERP's catalogue."""
    settings = SandboxSettings(
        api_secret=OUTLET_SECRET,
        access_token=OUTLET_TOKEN,
        shop_domain="causeway-outlet.myshopify.com",
    )
    yield from store_with_the_catalogue(settings)


def checkout(store: httpx.Client, email: str, sku: str) -> dict[str, Any]:
    body = {
        "email": email,
        "first_name": "Ria",
        "last_name": "Racer",
        "lines": [{"sku": sku, "quantity": 1}],
        "tax_rate": "0.10",
    }
    response = store.post("/_sandbox/orders", json=body)
    response.raise_for_status()
    return dict(response.json())


def parties_by_email(tryton: TrytonServer, emails: list[str]) -> dict[str, set[int]]:
    with TrytonConnector(tryton.url, tryton.database, tryton.username, tryton.password) as erp:
        found = erp.rpc.search_read(
            "party.contact_mechanism",
            [["type", "=", "email"], ["value", "in", emails]],
            ["party", "value"],
        )
    parties: dict[str, set[int]] = {email: set() for email in emails}
    for mechanism in found:
        parties[mechanism["value"]].add(int(mechanism["party"]))
    return parties


def sale_references(tryton: TrytonServer, prefixes: tuple[str, ...]) -> dict[str, str]:
    with TrytonConnector(tryton.url, tryton.database, tryton.username, tryton.password) as erp:
        sales = erp.rpc.search_read(
            "sale.sale",
            ["OR", *[["reference", "like", f"{p}%"] for p in prefixes]],
            ["reference", "state"],
        )
    return {sale["reference"]: sale["state"] for sale in sales}


def test_two_workers_racing_one_new_customers_orders_from_two_stores_make_one_party(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    outlet: SandboxServer,
    postgres_url: str,
) -> None:
    run = uuid.uuid4().hex[:6]
    prefixes = (f"web{run}-", f"out{run}-")
    config = hub_config(tmp_path, tryton_server, sandbox.url, new_port())
    config["store"] = {"url": postgres_url}
    config["systems"]["outlet"] = config["systems"]["shop"] | {
        "shop_url": outlet.url,
        "access_token": OUTLET_TOKEN,
        "webhook_secret": OUTLET_SECRET,
    }
    orders_flow = config["flows"]["orders-to-erp"]
    for key in ("source", "reference_prefix", "tax_map"):
        orders_flow.pop(key, None)
    orders_flow["channels"] = [
        {"system": "shop", "reference_prefix": prefixes[0]},
        {"system": "outlet", "reference_prefix": prefixes[1]},
    ]
    # One order per batch: each worker takes one store's order of the same customer.
    orders_flow["batch_size"] = 1
    emails = [f"racer{n}.{run}@example.com" for n in range(CUSTOMERS)]
    with (
        httpx.Client(base_url=outlet.url, timeout=30) as outlet_store,
        serving(config, shop, topics=["orders/create"]) as (hub, server),
    ):
        subscribe(outlet_store, server.url, "outlet", ["orders/create"])
        skus = list(CATALOGUE)
        for n, email in enumerate(emails):  # the two stores' orders of a customer, in turn
            checkout(shop, email, skus[n % len(skus)])
            checkout(outlet_store, email, skus[(n + 1) % len(skus)])
        for store in (shop, outlet_store):
            store.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
        queue = JobQueue(hub.store)
        assert queue.unfinished([ORDERS_TO_ERP]) == 2 * CUSTOMERS, "every order waits its turn"
        config_path = tmp_path / "causeway.yaml"
        config_path.write_text(yaml.safe_dump(config))
        workers = [WorkerProcess(config_path, f"worker{i}").start() for i in range(2)]
        try:
            deadline = time.monotonic() + 180
            while queue.unfinished([ORDERS_TO_ERP]) and time.monotonic() < deadline:
                time.sleep(0.5)
        finally:
            exits = [worker.stop() for worker in workers]
        dead = queue.dead()
        left = queue.unfinished([ORDERS_TO_ERP])
    logs = [worker.log.read_text() for worker in workers]
    assert exits == [0, 0], logs
    assert dead == [], f"parked: {dead}"
    assert left == 0, "the workers did not place every order in time"
    sales = sale_references(tryton_server, prefixes)
    assert len(sales) == 2 * CUSTOMERS, sorted(sales)
    assert set(sales.values()) <= {"confirmed", "processing"}, sales
    parties = parties_by_email(tryton_server, emails)
    assert all(len(found) == 1 for found in parties.values()), f"customers doubled: {parties}"
    assert all("worker thread(s) on postgresql" in text for text in logs), logs
