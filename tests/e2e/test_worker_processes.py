"""`causeway run` plus three `causeway worker` processes on one PostgreSQL store."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest

from causeway_sandbox.localserver import HubProcess, WorkerProcess
from causeway_sandbox.shopify import SandboxServer
from causeway_sandbox.tryton.server import TrytonServer
from tests.e2e.conftest import assert_matches_store_order, erp_sales, place_orders
from tests.e2e.harness import hub_config, new_port
from tests.e2e.test_orders_exactly_once import wait_until_in_erp

pytestmark = pytest.mark.tryton


@pytest.mark.parametrize(
    "sandbox", [{"duplicate_rate": 0.3, "out_of_order": True, "seed": 5}], indirect=True
)
def test_a_hub_and_three_worker_processes_give_exactly_n_sales(
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    prefix: str,
    postgres_url: str,
    tmp_path: Path,
) -> None:
    config = hub_config(tmp_path, tryton_server, sandbox.url, new_port(), prefix=prefix)
    config["store"] = {"url": postgres_url}
    config["workers"]["count"] = 1
    config["flows"]["orders-to-erp"]["batch_size"] = 4
    hub = HubProcess(tmp_path, config)
    # All four start at once on an empty database: one migrates, the others wait.
    workers = [WorkerProcess(hub.config_path, f"worker{i}").start() for i in range(3)]
    hub.start()
    try:
        shop.put(
            "/_sandbox/webhooks",
            json={"uri": f"{hub.url}/webhooks/shop", "topics": ["orders/create", "orders/updated"]},
        ).raise_for_status()
        orders = place_orders(shop, 16)
        for order in orders[:6]:  # edits after checkout: orders/updated for the same orders
            shop.post(
                f"/_sandbox/orders/{order['id']}/update", json={"note": "gift wrap"}
            ).raise_for_status()
        states = wait_until_in_erp(hub, orders, timeout=180)
        shop.post("/_sandbox/deliveries/wait", json={"timeout": 30})
    finally:
        exits = [worker.stop() for worker in workers]
        hub.stop()
    assert set(states.values()) == {"in_erp"}, states
    assert exits == [0, 0, 0], "SIGTERM stops a worker process cleanly"
    sales = erp_sales(tryton_server, prefix)
    references = Counter(s["reference"] for s in sales)
    assert len(references) == 16, "lost orders"
    assert max(references.values()) == 1, f"doubled orders: {references.most_common(3)}"
    by_reference = {s["reference"]: s for s in sales}
    for order in orders:
        assert_matches_store_order(by_reference[f"{prefix}{order['name'].lstrip('#')}"], order)
    worked = [w.log.read_text() for w in workers]
    assert all("worker thread(s) on postgresql" in text for text in worked), worked
