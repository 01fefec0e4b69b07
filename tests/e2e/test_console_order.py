"""The console's order page refreshed from the systems: the real Tryton, the Shopify
sandbox and the hub in-process, read over HTTP with a viewer's API key.

A customer buys in the store; orders-to-erp places the sale in Tryton; the warehouse
ships it with UPS and fulfillments-to-channels fulfils the store order. Then, behind
the hub's back, the invoice is paid in Tryton, and the store's later order updates never
reached the hub (it is subscribed to orders/create only): "refresh from the systems"
reads the store's order and Tryton's sale as they are now and shows both drifts.
One test on a module-scoped hub, to keep the suite quick.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import api_keys, links
from causeway.flows import fulfillments_to_channels as fulfil
from causeway.hub import Hub
from causeway.orders.record import read_summary
from causeway_sandbox.localserver import BackgroundServer
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.warehouse import open_shipments, ship
from tests.e2e.conftest import store_with_the_catalogue
from tests.e2e.harness import SECRET, TOKEN, hub_config, new_port, serving
from tests.e2e.test_fulfillments import into_erp

pytestmark = pytest.mark.tryton

TRACKING = "1ZCONSOLE0001"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    yield from store_with_the_catalogue(SandboxSettings(api_secret=SECRET, access_token=TOKEN))


@pytest.fixture(scope="module")
def shop(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def hub_and_server(
    tmp_path_factory: pytest.TempPathFactory,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
) -> Iterator[tuple[Hub, BackgroundServer]]:
    workdir: Path = tmp_path_factory.mktemp("console-order")
    prefix = f"c{uuid.uuid4().hex[:6]}-"
    config = hub_config(workdir, tryton_server, sandbox.url, new_port(), prefix=prefix)
    config["flows"]["fulfillments-to-channels"] = {
        "source": "erp",
        "targets": ["shop"],
        "every": "1h",
    }
    with serving(config, shop, topics=["orders/create"]) as running:
        yield running


def test_refresh_reads_the_store_and_tryton_live_and_shows_the_drift(
    hub_and_server: tuple[Hub, BackgroundServer],
    shop: httpx.Client,
    tryton: TrytonConnector,
) -> None:
    hub, server = hub_and_server
    order = checkout(shop)
    sale_id = into_erp(hub, shop, order)
    (shipment_id,) = open_shipments(tryton.rpc, sale_id)
    ship(tryton.rpc, shipment_id, tracking_number=TRACKING, carrier="UPS")
    hub.run_flow(fulfil.NAME)
    hub.new_worker().run_until_idle(timeout=120)
    # Behind the hub's back: the invoice is paid in Tryton itself.
    recorded = hub_summary(hub, order)
    paid, _ = tryton.pay_sale_invoices(
        recorded["reference"],
        Decimal(recorded["erp_total"]),
        "USD",
        payment_method="Shop payments",
        note="paid at the counter",
    )
    assert paid.state == "paid"

    _, secret = api_keys.create(hub.store, "service-rep", "read")
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {secret}"}, timeout=120
    ) as viewer:
        path = f"/console/orders/shop/{order['id']}"
        html = viewer.get(path).text
        assert f"Order {order['name']}" in html
        assert f'href="https://www.ups.com/track?tracknum={TRACKING}"' in html
        assert f"#{tryton.database}/model/sale.sale/{sale_id}" in html

        answer = viewer.get(f"{path}/refresh", headers={"HX-Request": "true"})

    assert answer.status_code == 200, answer.text
    live = answer.text
    assert "did not answer" not in live
    assert f"sale {recorded['erp_number']}" in live
    # The store fulfilled the order (the hub's stored copy predates it), with the tracking
    # number the hub shipped with: the status drifts, the tracking does not.
    assert '<th scope="row">fulfilment status</th><td>unfulfilled</td><td>fulfilled</td>' in live
    assert '<tr class="mismatch"><th scope="row">tracking</th>' not in live
    # Tryton's invoice was paid without the hub, which closed the sale.
    assert '<th scope="row">invoice state</th><td>-</td><td>paid</td>' in live
    assert '<th scope="row">state</th><td>processing</td><td>done</td>' in live
    # Both read live, the store's lines beside Tryton's: they agree.
    now = live[live.index("Lines and amounts now") :]
    assert 'class="mismatch"' not in now and "as read just now" in now


def checkout(shop: httpx.Client) -> dict[str, Any]:
    response = shop.post(
        "/_sandbox/orders",
        json={
            "email": "rep-call@example.com",
            "first_name": "Rita",
            "last_name": "Caller",
            "lines": [{"sku": "WID-001", "quantity": 2}, {"sku": "GAD-001", "quantity": 1}],
            "tax_rate": "0.10",
        },
    )
    response.raise_for_status()
    return response.json()["order"]  # type: ignore[no-any-return]


def hub_summary(hub: Hub, order: dict[str, Any]) -> dict[str, Any]:
    """What the hub recorded of the order (its sale's reference, number and total)."""
    with hub.store.read() as conn:
        link = links.find(conn, "shop", "order", str(order["id"]))
        assert link is not None
        return read_summary(conn, link.hub_id)
