"""Scenarios an operator would recognise: the hub in-process, the real Tryton, the sandbox."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import func, select
from typer.testing import CliRunner

from causeway.cli import app
from causeway.config import parse_config
from causeway.connectors.shopify.connector import QuantityChange, ShopifyConnector
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine.inbox import InboxRecord
from causeway.engine.schema import inbox, jobs
from causeway.flows import orders_to_erp, stock_to_channels
from causeway.flows.orders_to_erp import OrdersFromChannels, OrdersToErp
from causeway.flows.stock_to_channels import StockToChannels
from causeway.hub import Hub
from causeway.stock.allocation import Allocation
from causeway.web.app import create_app
from causeway.web.order_view import order_view
from causeway_sandbox.localserver import BackgroundServer
from causeway_sandbox.shopify import SandboxServer
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.testkit import TrytonTestKit
from tests.auth import bearer
from tests.e2e.conftest import erp_sales, place_orders
from tests.e2e.harness import SECRET, TOKEN, hub_config, new_port, serving

pytestmark = pytest.mark.tryton


@pytest.fixture
def hub(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    prefix: str,
) -> Iterator[tuple[Hub, BackgroundServer]]:
    port = new_port()
    config = hub_config(tmp_path, tryton_server, sandbox.url, port, prefix=prefix)
    config["flows"]["stock-to-channels"]["safety_stock"] = 2
    config["server"]["max_body_bytes"] = 64_000
    with serving(config, shop) as running:
        yield running


def orders_flow(hub: Hub) -> OrdersToErp:
    flows = hub.flows[orders_to_erp.NAME]
    assert isinstance(flows, OrdersFromChannels)
    return flows.channel("shop")


def inbox_size(hub: Hub) -> int:
    with hub.store.read() as conn:
        return conn.execute(select(func.count()).select_from(inbox)).scalar_one()


def drain(hub: Hub, shop: httpx.Client) -> None:
    shop.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
    hub.new_worker().run_until_idle(timeout=120)


def signed(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def test_a_forged_or_missing_signature_is_refused_and_nothing_is_stored(
    hub: tuple[Hub, BackgroundServer],
) -> None:
    running, server = hub
    body = json.dumps({"id": 1, "line_items": []}).encode()
    headers = {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Event-Id": "forged-1",
        "Content-Type": "application/json",
    }
    forged = httpx.post(
        f"{server.url}/webhooks/shop",
        content=body,
        headers=headers | {"X-Shopify-Hmac-Sha256": signed(body, "not-the-secret")},
    )
    missing = httpx.post(f"{server.url}/webhooks/shop", content=body, headers=headers)
    tampered = httpx.post(
        f"{server.url}/webhooks/shop",
        content=body + b" ",
        headers=headers | {"X-Shopify-Hmac-Sha256": signed(body)},
    )
    assert (forged.status_code, missing.status_code, tampered.status_code) == (401, 401, 401)
    assert "signature" in forged.json()["error"]
    assert inbox_size(running) == 0
    with running.store.read() as conn:
        assert conn.execute(select(func.count()).select_from(jobs)).scalar_one() == 0


def test_an_oversized_body_is_refused_with_413(hub: tuple[Hub, BackgroundServer]) -> None:
    running, server = hub
    body = b"{" + b" " * 70_000 + b"}"
    response = httpx.post(
        f"{server.url}/webhooks/shop",
        content=body,
        headers={"X-Shopify-Hmac-Sha256": signed(body), "X-Shopify-Topic": "orders/create"},
    )
    assert response.status_code == 413
    assert inbox_size(running) == 0


def test_an_unparseable_but_signed_payload_is_kept_and_parked_with_its_reason(
    hub: tuple[Hub, BackgroundServer],
) -> None:
    running, server = hub
    body = b'{"id": 77, "line_items": "not a list"'
    response = httpx.post(
        f"{server.url}/webhooks/shop",
        content=body,
        headers={
            "X-Shopify-Hmac-Sha256": signed(body),
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Event-Id": "broken-1",
        },
    )
    assert response.status_code == 200
    running.new_worker().run_until_idle()
    (dead,) = running.jobs.dead()
    assert "not JSON" in dead["last_error"]
    assert inbox_size(running) == 1


def test_an_unknown_sku_is_parked_with_its_name_while_other_orders_land_then_replay_lands_it(
    hub: tuple[Hub, BackgroundServer],
    shop: httpx.Client,
    tryton_server: TrytonServer,
    prefix: str,
    tryton: TrytonConnector,
) -> None:
    running, server = hub
    new_sku = f"NEW-{uuid.uuid4().hex[:6].upper()}"
    shop.post(
        "/_sandbox/products",
        json={"title": "New thing", "sku": new_sku, "price": "12.00", "quantity": 10},
    ).raise_for_status()
    good = place_orders(shop, 3)
    (bad,) = place_orders(shop, 1, skus=[new_sku])
    drain(running, shop)

    (dead,) = running.jobs.dead()
    assert new_sku in dead["last_error"] and "replay" in dead["last_error"]
    api = httpx.Client(base_url=server.url, headers=bearer(running, "read"))
    view = api.get(f"/api/orders/shop/{bad['id']}").json()
    assert view["state"] == "parked" and new_sku in view["problem"]
    assert len(erp_sales(tryton_server, prefix)) == 3
    for order in good:
        landed = api.get(f"/api/orders/shop/{order['id']}").json()
        assert landed["state"] == "in_erp" and "erp" in landed["ids"]

    TrytonTestKit(tryton).ensure_product(new_sku, "New thing", Decimal(12), Decimal(5), Decimal(10))
    assert running.jobs.replay(dead["id"]) == 1
    running.new_worker().run_until_idle()
    assert len(erp_sales(tryton_server, prefix)) == 4
    assert api.get(f"/api/orders/shop/{bad['id']}").json()["state"] == "in_erp"


def test_an_unknown_order_is_404_with_a_message(hub: tuple[Hub, BackgroundServer]) -> None:
    running, server = hub
    response = httpx.get(f"{server.url}/api/orders/shop/999999999", headers=bearer(running, "read"))
    assert response.status_code == 404 and "999999999" in response.json()["error"]


def test_a_stock_change_in_tryton_reaches_the_store_and_unchanged_skus_cost_no_call(
    hub: tuple[Hub, BackgroundServer],
    shop: httpx.Client,
    tryton: TrytonConnector,
) -> None:
    running, _ = hub
    flow = running.flows[stock_to_channels.NAME]
    assert isinstance(flow, StockToChannels)
    flow.run(full=True)
    levels = {level.sku: level for level in tryton.stock_levels(["SKU-0009"])}
    published = shop.get("/_sandbox/inventory").json()
    assert published["SKU-0009"] == int(levels["SKU-0009"].forecast) - 2  # safety stock

    TrytonTestKit(tryton).set_stock("SKU-0009", Decimal(400))
    # 400 on hand, less what open sales of other tests (one shared ERP) will take.
    (level,) = tryton.stock_levels(["SKU-0009"])
    expected = int(level.forecast) - 2
    assert level.on_hand == 400 and expected != published["SKU-0009"]
    shop.delete("/_sandbox/calls")
    run = flow.run()
    assert run.channels["shop"].pushed == {"SKU-0009": expected}
    assert shop.get("/_sandbox/inventory").json()["SKU-0009"] == expected
    pushes = [
        c
        for c in shop.get("/_sandbox/calls").json()
        if c["operationName"] == "InventorySetQuantities"
    ]
    assert len(pushes) == 1

    shop.delete("/_sandbox/calls")
    flow.run()  # nothing changed in the ERP since
    assert shop.get("/_sandbox/calls").json() == []


def test_orders_whose_webhooks_never_arrived_are_found_by_the_reconciling_poll(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    prefix: str,
) -> None:
    config = hub_config(tmp_path, tryton_server, sandbox.url, new_port(), prefix=prefix)
    running = Hub(parse_config(config, env={}))  # no webhook subscription at all
    try:
        orders = place_orders(shop, 4)
        running.run_flow(orders_to_erp.NAME)  # the reconcile, on demand
        running.new_worker().run_until_idle(timeout=120)
        assert len(erp_sales(tryton_server, prefix)) == 4
        # A second poll finds nothing new and fetches no order in full.
        shop.delete("/_sandbox/calls")
        assert orders_flow(running).reconcile() == 0
        operations = [c["operationName"] for c in shop.get("/_sandbox/calls").json()]
        assert operations == ["OrdersChangedSince"]
        view = order_view(running.store, running.jobs, "shop", str(orders[0]["id"]))
        assert view is not None and view["state"] == "in_erp"
    finally:
        running.stop()


def test_the_poll_fetches_no_order_whose_webhook_is_still_waiting_in_the_queue(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    prefix: str,
) -> None:
    # Found by the soak: with a backlog of webhooks not yet worked off, every poll fetched
    # each of those orders again, one call each, and the poll (an orders-to-erp batch)
    # held up every batch for minutes while the hub fell further behind.
    config = hub_config(tmp_path, tryton_server, sandbox.url, new_port(), prefix=prefix)
    running = Hub(parse_config(config, env={}))
    try:
        orders = place_orders(shop, 3)
        for order in orders:  # delivered and stored; no worker has run yet
            body = json.dumps({k: v for k, v in order.items() if k != "order"}).encode()
            record = InboxRecord(
                "shop", f"create-{order['id']}", "orders/create", f"order:{order['id']}", body
            )
            assert running.inbox.accept([record]) == [True]
        shop.delete("/_sandbox/calls")
        assert orders_flow(running).reconcile() == 0
        operations = [c["operationName"] for c in shop.get("/_sandbox/calls").json()]
        assert operations == ["OrdersChangedSince"]

        # A change the inbox does not have (its webhook lost) is still fetched.
        shop.post("/_sandbox/clock", json={"advance_seconds": 5}).raise_for_status()
        shop.post(
            f"/_sandbox/orders/{orders[1]['id']}/update", json={"note": "ring twice"}
        ).raise_for_status()
        shop.delete("/_sandbox/calls")
        assert orders_flow(running).reconcile() == 1
        operations = [c["operationName"] for c in shop.get("/_sandbox/calls").json()]
        assert operations == ["OrdersChangedSince", "OrderById"]
    finally:
        running.stop()


def test_orders_wait_while_the_erp_is_down_and_land_once_it_is_back(
    tmp_path: Path,
    tryton_build_dir: Path,
    sandbox: SandboxServer,
    shop: httpx.Client,
    prefix: str,
) -> None:
    erp = TrytonServer(tryton_build_dir, tmp_path / "erp").start()
    config = hub_config(tmp_path, erp, sandbox.url, new_port(), prefix=prefix)
    running = Hub(parse_config(config, env={}))
    running.start(workers=0, scheduler=False)
    server = BackgroundServer(create_app(running), port=config["server"]["port"]).start()
    try:
        shop.put("/_sandbox/webhooks", json={"uri": f"{server.url}/webhooks/shop"})
        erp.kill()
        place_orders(shop, 3)
        shop.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
        worker = running.new_worker()
        worker.run_until_idle()
        # Each order failed at least once (more on a slow machine, where a 200 ms backoff
        # runs out before the worker looks again), none landed and none was given up.
        assert worker.stats.retried >= 3 and worker.stats.done == 0
        assert not running.jobs.dead()
        # waiting, not lost (beside them, the stock run each order started waits too)
        assert running.jobs.unfinished([orders_to_erp.NAME]) == 3
        assert running.jobs.unfinished([stock_to_channels.NAME]) >= 1
        erp.restart()
        deadline = time.monotonic() + 60
        while running.jobs.unfinished() and time.monotonic() < deadline:
            worker.run_until_idle()
            time.sleep(0.2)
        assert len(erp_sales(erp, prefix)) == 3
    finally:
        server.stop()
        running.stop()
        erp.stop()


def test_sync_stock_full_from_the_command_line_repairs_drift(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
) -> None:
    config = hub_config(tmp_path, tryton_server, sandbox.url, new_port())
    path = tmp_path / "causeway.yaml"
    path.write_text(yaml.safe_dump(config))
    first = CliRunner().invoke(app, ["sync", "stock", "--full", "-c", str(path)])
    assert first.exit_code == 0, first.output
    assert "shop: 12 updated" in first.output
    # Someone edits stock by hand in the store: a full sync puts it back.
    sku = "GAD-001"
    expected = shop.get("/_sandbox/inventory").json()[sku]
    with ShopifyConnector(sandbox.url, TOKEN) as store:
        ref = store.inventory_items_by_sku([sku])[sku]
        change = QuantityChange(
            inventory_item_id=ref.inventory_item_id,
            location_id=store.primary_location_id(),
            quantity=expected + 7,
        )
        assert store.set_available([change]).applied == [change]
    assert shop.get("/_sandbox/inventory").json()[sku] == expected + 7
    again = CliRunner().invoke(app, ["sync", "stock", "--full", "-c", str(path)])
    assert again.exit_code == 0, again.output
    assert "shop: 1 updated, 11 already right" in again.output
    assert shop.get("/_sandbox/inventory").json()[sku] == expected


def test_the_same_hub_runs_on_postgresql(
    tmp_path: Path,
    postgres_url: str,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    prefix: str,
) -> None:
    config = hub_config(tmp_path, tryton_server, sandbox.url, new_port(), prefix=prefix)
    config["store"] = {"url": postgres_url}
    running = Hub(parse_config(config, env={}))
    running.start(workers=0, scheduler=False)
    server = BackgroundServer(create_app(running), port=config["server"]["port"]).start()
    try:
        shop.put("/_sandbox/webhooks", json={"uri": f"{server.url}/webhooks/shop"})
        orders = place_orders(shop, 5)
        drain(running, shop)
        assert len(erp_sales(tryton_server, prefix)) == 5
        view = httpx.get(
            f"{server.url}/api/orders/shop/{orders[0]['id']}", headers=bearer(running, "read")
        ).json()
        assert view["state"] == "in_erp" and "erp" in view["ids"]
    finally:
        server.stop()
        running.stop()


def test_a_channel_given_half_the_stock_less_its_own_safety_stock_shows_exactly_that(
    hub: tuple[Hub, BackgroundServer],
    shop: httpx.Client,
    tryton: TrytonConnector,
) -> None:
    running, _ = hub
    everything = running.flows[stock_to_channels.NAME]
    assert isinstance(everything, StockToChannels)
    TrytonTestKit(tryton).set_stock("SKU-0009", Decimal(401))
    half = StockToChannels(
        running.store,
        source=everything.source,
        source_connector=everything.erp,
        targets=everything.targets,
        safety_stock=2,
        allocations={"shop": Allocation(share=Fraction(1, 2), cap=150, safety_stock=3)},
    )
    (level,) = tryton.stock_levels(["SKU-0009"])
    sellable = int(level.forecast) - 2
    half.run(full=True)
    shown = shop.get("/_sandbox/inventory").json()["SKU-0009"]
    assert shown == min(150, sellable // 2) - 3


def test_a_new_order_starts_a_stock_run_now_though_stock_runs_every_five_minutes(
    hub: tuple[Hub, BackgroundServer],
) -> None:
    running, _ = hub
    record = InboxRecord("shop", "e-1", "orders/create", "1", b"{}")
    started = {job.flow: job for job in running.flows.route(record, 1)}
    republish = started[stock_to_channels.NAME]
    assert republish.payload == {"run": True}
    assert republish.run_at is not None and republish.run_at < time.time() + 2
    assert orders_to_erp.NAME in started
