"""The warehouse ships an Amazon order in Tryton; Amazon gets the shipment confirmation.

Real Tryton, the Amazon sandbox, the hub in-process with fulfillments-to-channels
targeting the Amazon system: a merchant-fulfilled Amazon order of Tryton's products is
placed in Tryton under the reference orders-to-erp gives it, linked as orders-to-erp links
it, shipped in Tryton with a tracking number (part first, then the back order), and each
run of the flow confirms one package on Amazon.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from causeway.config import parse_config
from causeway.connectors.amazon import AmazonConnector
from causeway.connectors.amazon.auth import LwaCredentials
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import links, timeline
from causeway.flows import fulfillments_to_channels as fulfil
from causeway.hub import Hub
from causeway.orders.record import record_placed
from causeway_sandbox.amazon import AmazonSandboxServer
from causeway_sandbox.demo.config import erp_system
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.warehouse import open_shipments, ship
from tests.amazon.conftest import MARKETPLACE
from tests.amazon.shipping_support import unshipped_order

pytestmark = pytest.mark.tryton


@pytest.fixture(scope="module")
def amazon() -> Iterator[AmazonSandboxServer]:
    with AmazonSandboxServer() as server:
        yield server


@pytest.fixture
def hub(tmp_path: Path, tryton_server: TrytonServer, amazon: AmazonSandboxServer) -> Iterator[Hub]:
    config = {
        "store": {"url": f"sqlite:///{tmp_path / 'hub.db'}"},
        "workers": {"count": 1, "lease": "3s", "backoff_base": "200ms", "backoff_cap": "2s"},
        "systems": {"erp": erp_system(tryton_server), "amazon": amazon.system_config()},
        "flows": {
            "fulfillments-to-channels": {"source": "erp", "targets": ["amazon"], "every": "1h"}
        },
    }
    running = Hub(parse_config(config, env={}))
    running.start(workers=0, scheduler=False)
    try:
        yield running
    finally:
        running.stop()


def amazon_reader(amazon: AmazonSandboxServer) -> AmazonConnector:
    s = amazon.settings
    return AmazonConnector(
        amazon.endpoint,
        LwaCredentials(amazon.token_url, s.client_id, s.client_secret, s.refresh_token),
        marketplace_ids=[MARKETPLACE],
        selling_partner_id=s.selling_partner_id,
    )


def place_in_tryton(
    hub: Hub, tryton: TrytonConnector, amazon: AmazonSandboxServer, order_id: str
) -> tuple[str, int]:
    """What orders-to-erp does with the order: the sale in Tryton and its links; returns
    (the order's hub id, the sale id)."""
    reader = amazon_reader(amazon)
    try:
        order = reader.order_from_polled(reader.order_node(order_id))
    finally:
        reader.close()
    reference = f"amz{uuid.uuid4().hex[:6]}-{order_id}"
    placed = tryton.place_orders([(reference, order)])[reference]
    assert not isinstance(placed, BaseException), placed
    hub_id = links.new_hub_id()
    with hub.store.transaction() as conn:
        record_placed(
            conn,
            hub_id,
            order=order,
            source="amazon",
            source_type=fulfil.ORDER,
            reference=reference,
            sale=placed,
            target="erp",
            state="placed",
            received_at=time.time(),
            sale_fingerprint=None,
        )
    return hub_id, placed.sale_id


def run_fulfilment(hub: Hub) -> None:
    hub.run_flow(fulfil.NAME)
    hub.new_worker().run_until_idle(timeout=60)


def confirmations(amazon: AmazonSandboxServer, order_id: str) -> list[dict[str, Any]]:
    answer = amazon.control("GET", f"shipment-confirmations?orderId={order_id}")
    return answer.json()  # type: ignore[no-any-return]


def amazon_order(amazon: AmazonSandboxServer, order_id: str) -> dict[str, Any]:
    reader = amazon_reader(amazon)
    try:
        return reader.order_node(order_id)
    finally:
        reader.close()


def test_shipping_an_amazon_order_in_tryton_confirms_each_package_with_its_tracking(
    hub: Hub, tryton: TrytonConnector, amazon: AmazonSandboxServer
) -> None:
    order_id = f"114-{uuid.uuid4().int % 10**7:07d}-0000001"
    (seeded,) = amazon.control(
        "POST", "orders", json=[unshipped_order(order_id, [("WID-001", 2), ("GAD-001", 1)])]
    ).json()
    widget, gadget = (item["orderItemId"] for item in seeded["orderItems"])
    hub_id, sale_id = place_in_tryton(hub, tryton, amazon, order_id)

    # The warehouse ships one widget first.
    (first,) = open_shipments(tryton.rpc, sale_id)
    ship(tryton.rpc, first, tracking_number="1ZAMZPART1", only={"WID-001": 1, "GAD-001": 0})
    run_fulfilment(hub)

    (package,) = [c["packageDetail"] for c in confirmations(amazon, order_id)]
    assert (package["carrierCode"], package["trackingNumber"]) == ("UPS", "1ZAMZPART1")
    assert package["orderItems"] == [{"orderItemId": widget, "quantity": 1}]
    assert amazon_order(amazon, order_id)["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"

    # Then the back order Tryton made for the rest.
    (rest,) = open_shipments(tryton.rpc, sale_id)
    ship(tryton.rpc, rest, tracking_number="1ZAMZREST2")
    run_fulfilment(hub)

    sent = [c["packageDetail"] for c in confirmations(amazon, order_id)]
    assert [p["trackingNumber"] for p in sent] == ["1ZAMZPART1", "1ZAMZREST2"]
    assert sorted((i["orderItemId"], i["quantity"]) for i in sent[1]["orderItems"]) == sorted(
        [(widget, 1), (gadget, 1)]
    )
    shipped = amazon_order(amazon, order_id)
    assert shipped["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    reader = amazon_reader(amazon)
    try:
        assert reader.fulfillment_state(order_id).tracking_numbers == {"1ZAMZPART1", "1ZAMZREST2"}
    finally:
        reader.close()
    with hub.store.read() as conn:
        reached = {m.milestone: m.detail for m in timeline.read(conn, hub_id)}
    assert reached["partially_shipped"]["tracking_number"] == "1ZAMZPART1"
    assert reached["shipped"]["tracking_number"] == "1ZAMZREST2"

    # The poll reading both shipments again confirms nothing more.
    with hub.store.transaction() as conn:
        conn.exec_driver_sql("DELETE FROM cursors WHERE stream = 'shipments-done'")
    run_fulfilment(hub)
    assert len(confirmations(amazon, order_id)) == 2
    assert hub.jobs.dead() == []
