"""Amazon orders into the real Tryton by Amazon's lifecycle, driven by ORDER_CHANGE
notifications read from a real SQS-compatible queue (moto), with the reconciling poll
behind them: one sale per order whatever the notifications do and across a hub SIGKILL;
a Pending order waits until it is paid, a Canceled one never reaches the ERP, and one
canceled after placement cancels its sale."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import entities, links
from causeway.hub import Hub
from causeway_sandbox.amazon import AmazonSandboxServer
from causeway_sandbox.localserver import HubProcess
from causeway_sandbox.tryton.server import TrytonServer
from tests.amazon_notifications.local_sqs import LocalSqs, start_local_sqs
from tests.e2e.conftest import erp_sales
from tests.e2e.harness import hub_config, new_port

pytestmark = pytest.mark.tryton

MARKETPLACE = "ATVPDKIKX0DER"


@pytest.fixture(scope="module")
def amazon_server() -> Iterator[AmazonSandboxServer]:
    with AmazonSandboxServer() as server:
        yield server


@pytest.fixture
def amazon(amazon_server: AmazonSandboxServer) -> AmazonSandboxServer:
    amazon_server.control("POST", "reset")  # every order the hub polls is this test's
    return amazon_server


@pytest.fixture(scope="module")
def sqs() -> Iterator[LocalSqs]:
    local = start_local_sqs()
    yield local
    local.server.stop()


class Seller:
    """The seller's Amazon account: buyers check out, Amazon changes the orders and sends
    an ORDER_CHANGE notification to the seller's queue for each change, at least once and
    not always (the sandbox's subscription: `lose` and `duplicate` are its shares)."""

    def __init__(
        self,
        amazon: AmazonSandboxServer,
        sqs: LocalSqs,
        queue_url: str,
        *,
        lose: float = 0.0,
        duplicate: float = 0.0,
    ) -> None:
        self.amazon = amazon
        self.destination = {"queue_url": queue_url, "endpoint_url": sqs.endpoint_url}
        self.destination |= {"lose": lose, "duplicate": duplicate}
        self.subscribe()

    def subscribe(self) -> None:
        self.amazon.control("POST", "notifications/destination", json=self.destination)

    def unsubscribe(self) -> None:
        """Amazon's deliveries stop (lost): only the reconciling poll finds the orders."""
        self.amazon.control("DELETE", "notifications/destination")

    def checkout(self, status: str = "UNSHIPPED", sku: str = "WID-001", quantity: int = 2) -> str:
        lines = [{"sku": sku, "quantity": quantity, "unit_price": "10.00"}]
        body = {"lines": lines, "status": status, "tax_rate": "0.10"}
        return str(self.amazon.control("POST", "checkouts", json=body).json()["orderId"])

    def change(self, order_id: str, status: str) -> None:
        self.amazon.control("POST", "clock", json={"advance_seconds": 2})
        self.amazon.control("PATCH", f"orders/{order_id}", json={"fulfillmentStatus": status})

    def deliveries(self) -> dict[str, Any]:
        return dict(self.amazon.control("GET", "notifications").json())


def amazon_hub_config(
    tmp_path: Path,
    tryton: TrytonServer,
    amazon: AmazonSandboxServer,
    sqs: LocalSqs,
    queue_url: str,
    prefix: str,
    reconcile_every: str,
) -> dict[str, Any]:
    config = hub_config(tmp_path, tryton, "http://127.0.0.1:9", new_port())
    config["systems"] = {
        "erp": config["systems"]["erp"],
        "amazon": amazon.system_config(notifications=sqs.hub_settings(queue_url)),
    }
    channel = {"system": "amazon", "reference_prefix": prefix}
    config["flows"] = {
        "orders-to-erp": {
            "target": "erp",
            "channels": [channel],
            "reconcile_every": reconcile_every,
            "batch_size": 5,
        },
        "cancellations": {"target": "erp", "channels": [{"system": "amazon"}]},
    }
    return config


def eventually(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f}s: {what}")
        time.sleep(0.3)


def sales_by_order(tryton: TrytonServer, prefix: str) -> dict[str, list[str]]:
    """Amazon order id -> the states of its ERP sales (one, if exactly once)."""
    found: dict[str, list[str]] = {}
    for sale in erp_sales(tryton, prefix):
        found.setdefault(sale["reference"].removeprefix(prefix), []).append(sale["state"])
    return found


def test_amazon_orders_become_one_sale_each_under_duplicate_and_lost_notifications_and_a_kill(
    tryton_server: TrytonServer,
    amazon: AmazonSandboxServer,
    sqs: LocalSqs,
    prefix: str,
    tmp_path: Path,
) -> None:
    queue_url = sqs.new_queue(visibility_timeout=2)
    # A third of the notifications lost (the poll finds those orders), half sent twice.
    seller = Seller(amazon, sqs, queue_url, lose=0.34, duplicate=0.5)
    config = amazon_hub_config(
        tmp_path, tryton_server, amazon, sqs, queue_url, prefix, reconcile_every="3s"
    )
    hub = HubProcess(tmp_path, config).start()
    try:
        orders = [seller.checkout(quantity=1 + n % 3) for n in range(6)]
        eventually(lambda: len(erp_sales(tryton_server, prefix)) >= 1, 60, "a first sale")
        hub.kill()
        orders += [seller.checkout(), seller.checkout()]  # bought while the hub is down
        hub.start()
        eventually(
            lambda: len(sales_by_order(tryton_server, prefix)) == len(orders),
            120,
            "every order in the ERP",
        )
        time.sleep(3)  # a poll and the queue's redeliveries more: nothing may double
    finally:
        hub.stop()
    by_order = sales_by_order(tryton_server, prefix)
    assert set(by_order) == set(orders), "lost orders"
    assert Counter(len(states) for states in by_order.values()) == {1: len(orders)}
    delivered = seller.deliveries()
    assert delivered["lost"] >= 1 and delivered["duplicated"] >= 1  # both really happened
    assert sqs.depth(queue_url) == 0  # every notification stored, then deleted


@pytest.fixture
def running(
    tryton_server: TrytonServer,
    amazon: AmazonSandboxServer,
    sqs: LocalSqs,
    prefix: str,
    tmp_path: Path,
) -> Iterator[tuple[Hub, Seller]]:
    """The hub in-process with its workers and the queue reader; the poll runs rarely,
    so the notifications carry the orders."""
    queue_url = sqs.new_queue()
    config = amazon_hub_config(
        tmp_path, tryton_server, amazon, sqs, queue_url, prefix, reconcile_every="1h"
    )
    hub = Hub(parse_config(config, env={}))
    hub.start(workers=2, scheduler=False)
    try:
        yield hub, Seller(amazon, sqs, queue_url)
    finally:
        hub.stop()


def hub_state(hub: Hub, order_id: str) -> str | None:
    """The hub's state of the order: awaiting_payment, in_erp, cancelled."""
    with hub.store.read() as conn:
        link = links.find(conn, "amazon", "order", order_id)
        entity = entities.get(conn, link.hub_id) if link else None
    return entity.state if entity else None


def test_a_pending_order_reaches_the_erp_only_once_it_is_paid(
    running: tuple[Hub, Seller], tryton_server: TrytonServer, prefix: str
) -> None:
    hub, seller = running
    pending = seller.checkout(status="PENDING")  # Amazon withholds buyer and address
    eventually(lambda: hub_state(hub, pending) == "awaiting_payment", 30, "held as unpaid")
    assert sales_by_order(tryton_server, prefix) == {}
    seller.change(pending, "UNSHIPPED")
    eventually(lambda: hub_state(hub, pending) == "in_erp", 30, "placed once paid")
    assert list(sales_by_order(tryton_server, prefix)) == [pending]
    # The paid version brought them: the sale goes to the buyer's address.
    (sale,) = erp_sales(tryton_server, prefix)
    with TrytonConnector(
        tryton_server.url, tryton_server.database, tryton_server.username, tryton_server.password
    ) as erp:
        (delivery,) = erp.rpc.read(
            "sale.sale",
            [sale["id"]],
            ["party.name", "shipment_address.street", "shipment_address.postal_code"],
        )
    assert delivery["party."]["name"] == "Jane Buyer"
    assert delivery["shipment_address."]["street"] == "410 Terry Ave N"
    assert delivery["shipment_address."]["postal_code"] == "98109"


def test_an_order_canceled_while_pending_never_reaches_the_erp(
    running: tuple[Hub, Seller], tryton_server: TrytonServer, prefix: str
) -> None:
    hub, seller = running
    canceled = seller.checkout(status="PENDING")
    eventually(lambda: hub_state(hub, canceled) == "awaiting_payment", 30, "held as unpaid")
    seller.change(canceled, "CANCELLED")
    eventually(lambda: hub_state(hub, canceled) == "cancelled", 30, "recorded cancelled")
    assert sales_by_order(tryton_server, prefix) == {}


def test_an_order_canceled_after_placement_cancels_the_erp_sale(
    running: tuple[Hub, Seller], tryton_server: TrytonServer, prefix: str
) -> None:
    hub, seller = running
    order_id = seller.checkout()
    eventually(lambda: hub_state(hub, order_id) == "in_erp", 30, "placed")
    seller.change(order_id, "CANCELLED")
    eventually(lambda: hub_state(hub, order_id) == "cancelled", 30, "the ERP sale cancelled")
    # Tryton's way: its shipment and invoice cancelled, the sale done with nothing shipped.
    (sale,) = erp_sales(tryton_server, prefix)
    assert sale["state"] == "done"
    with TrytonConnector(
        tryton_server.url, tryton_server.database, tryton_server.username, tryton_server.password
    ) as erp:
        shipments = erp.rpc.read("stock.shipment.out", sale["shipments"], ["state"])
    assert {s["state"] for s in shipments} == {"cancelled"}
