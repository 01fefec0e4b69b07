"""The console's product page against the real Tryton: a rep opens a SKU and sees, on one
page, the ERP's stock read live, what the store was last told, the units held by an
order the ERP does not have yet, and the store's listing with its price."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from causeway.engine import api_keys
from causeway.flows.catalog_to_channels import NAME as CATALOG
from causeway.flows.stock_to_channels import NAME as STOCK
from causeway.hub import Hub
from causeway_sandbox.shopify import SandboxSettings
from causeway_sandbox.tryton.server import TrytonServer
from tests.e2e.conftest import CATALOGUE, store_with_the_catalogue
from tests.e2e.harness import SECRET, TOKEN, hub_config, new_port, serving
from tests.tryton_fixtures import connect

pytestmark = pytest.mark.tryton

SKU = "WID-001"


@dataclass
class Console:
    hub: Hub
    shop: httpx.Client
    viewer: httpx.Client  # the hub's HTTP server, with a read key


@pytest.fixture(scope="module")
def console(
    tryton_server: TrytonServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Console]:
    """A hub between the session's Tryton and a store of this module's own, serving
    HTTP, with catalog-to-channels besides the orders and the stock."""
    workdir: Path = tmp_path_factory.mktemp("console-product")
    store = store_with_the_catalogue(SandboxSettings(api_secret=SECRET, access_token=TOKEN))
    sandbox = next(store)
    config = hub_config(
        workdir, tryton_server, sandbox.url, new_port(), prefix=f"c{uuid.uuid4().hex[:6]}-"
    )
    # Only the SKU looked at: the session's Tryton holds other tests' products too.
    config["flows"]["catalog-to-channels"] = {
        "source": "erp",
        "channels": [{"system": "shop", "assortment": {"skus": [SKU]}}],
    }
    with (
        httpx.Client(base_url=sandbox.url, timeout=30) as shop,
        serving(config, shop, ["orders/create"]) as (hub, server),
    ):
        _, key = api_keys.create(hub.store, "rep", "read")
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as viewer:
            yield Console(hub, shop, viewer)
    next(store, None)  # stops the store


def units(value: Decimal) -> str:
    return f"{value.normalize():f}"


def test_a_rep_sees_erp_stock_what_the_store_was_told_held_units_and_the_price(
    console: Console, tryton_server: TrytonServer
) -> None:
    hub, shop = console.hub, console.shop
    for flow in (STOCK, CATALOG):  # what their schedules do
        hub.run_flow(flow)
        hub.new_worker().run_until_idle(timeout=120)
    told = int(shop.get("/_sandbox/inventory").json()[SKU])
    # A sale the ERP does not have yet: its webhook is in, orders-to-erp has not run.
    shop.post(
        "/_sandbox/orders",
        json={
            "email": "rep.test@example.com",
            "first_name": "Rita",
            "last_name": "Rep",
            "lines": [{"sku": SKU, "quantity": 2}],
        },
    ).raise_for_status()
    shop.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()

    answer = console.viewer.get(f"/console/products/{SKU}")

    assert answer.status_code == 200, answer.text
    page = answer.text
    with connect(tryton_server) as erp:
        [level] = erp.stock_levels([SKU])
    assert f"<td>{units(level.on_hand)}</td><td>{units(level.forecast)}</td>" in page
    assert f"<td>{told}</td>" in page  # what stock-to-channels last told the store
    assert "<strong>2</strong> units" in page and "<li>shop: 2</li>" in page
    assert "<td>on sale</td>" in page and f"<td>{CATALOGUE[SKU]}</td>" in page  # Tryton's price
    assert "did not answer" not in page
