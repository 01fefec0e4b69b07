"""Two stores fed by two warehouses of one Tryton: the US store sells what the main
warehouse holds, the EU store what the European warehouse holds, and an EU order comes
off the European warehouse only, both while the ERP does not have it yet (held by the
hub) and once it is a sale shipping from there.

This module runs its own Tryton: a second warehouse would change what the session's other
tests see (with one warehouse, Tryton picks it as every sale's default).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.flows import stock_to_channels
from causeway.flows.stock_to_channels import StockToChannels
from causeway.model import StockLevel
from causeway_sandbox.shopify import SandboxServer
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.testkit import TrytonTestKit
from tests.e2e.conftest import add_eu_store, erp_sells_in_euros
from tests.e2e.harness import hub_config, new_port, serving, settle, subscribe
from tests.tryton_fixtures import connect, own_tryton

pytestmark = pytest.mark.tryton


# This module's own Tryton (see the module docstring); `tryton` connects to it.
tryton_server = own_tryton("tryton-wh-e2e")


def shown(store: httpx.Client, sku: str) -> int:
    return int(store.get("/_sandbox/inventory").json()[sku])


def buy(store: httpx.Client, sku: str, quantity: int) -> None:
    store.post(
        "/_sandbox/orders",
        json={
            "email": "eu.buyer@example.com",
            "first_name": "Eva",
            "last_name": "Buyer",
            "lines": [{"sku": sku, "quantity": quantity}],
            "tax_rate": "0.10",
            "shipping_price": "0.00",
        },
    ).raise_for_status()


class ReadsPerWarehouse:
    """The ERP connector's stock reads, counted by the warehouse asked for."""

    def __init__(self, erp: TrytonConnector, monkeypatch: pytest.MonkeyPatch) -> None:
        self.warehouses: list[str | None] = []
        read = erp.stock_levels

        def counted(skus: Any = None, *, warehouse: str | None = None) -> list[StockLevel]:
            self.warehouses.append(warehouse)
            return read(skus, warehouse=warehouse)

        monkeypatch.setattr(erp, "stock_levels", counted)


def test_each_store_shows_its_own_warehouses_stock_and_an_order_comes_off_its_warehouse_only(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    eu_store: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = uuid.uuid4().hex[:6]
    eu_code, eu_name, sku = f"EU-{run}", f"Europe {run}", f"LAMP-{run}"
    with connect(tryton_server) as erp:
        kit = TrytonTestKit(erp)
        kit.ensure_warehouse(eu_code, eu_name)
        erp_sells_in_euros(erp)
        kit.ensure_product(sku, "Desk lamp", Decimal(20), Decimal(8), Decimal(30))  # main: 30
        kit.set_stock(sku, Decimal(12), warehouse=eu_code)
    config = hub_config(tmp_path, tryton_server, sandbox.url, new_port())
    add_eu_store(config, eu_store)
    orders, stock = config["flows"]["orders-to-erp"], config["flows"]["stock-to-channels"]
    for key in ("source", "reference_prefix", "tax_map"):
        orders.pop(key, None)
    # The EU store's sales ship from Europe (named by code); its stock is Europe's (by name).
    orders["channels"] = [
        {"system": "shop", "reference_prefix": f"us{run}-"},
        {"system": "shop_eu", "reference_prefix": f"eu{run}-", "warehouse": eu_code},
    ]
    stock.pop("targets", None)
    stock["channels"] = [{"system": "shop"}, {"system": "shop_eu", "warehouse": eu_name}]
    with (
        httpx.Client(base_url=eu_store.url, timeout=30) as eu_shop,
        serving(config, shop, topics=["orders/create"]) as (hub, server),
    ):
        for store in (shop, eu_shop):
            product = {"title": "Desk lamp", "sku": sku, "price": "20.00", "quantity": 50}
            store.post("/_sandbox/products", json=product).raise_for_status()
        subscribe(eu_shop, server.url, "shop_eu", ["orders/create"])
        flow = hub.flows[stock_to_channels.NAME]
        assert isinstance(flow, StockToChannels)
        reads = ReadsPerWarehouse(hub.connectors["erp"], monkeypatch)

        flow.run(full=True)
        assert (shown(shop, sku), shown(eu_shop, sku)) == (30, 12)
        assert reads.warehouses == [None, eu_name]  # one read per warehouse

        # The EU store sells 3; the hub has the order, the ERP not yet: Europe holds it.
        buy(eu_shop, sku, 3)
        eu_shop.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
        assert hub.jobs.unfinished(["orders-to-erp"]) == 1
        flow.run(full=True)  # full: every figure is set again, not only changed ones
        assert (shown(shop, sku), shown(eu_shop, sku)) == (30, 9)

        # The sale is placed, shipping from Europe: it comes off Europe's forecast only.
        with connect(tryton_server) as erp:
            settle(hub, eu_shop, lambda: bool(sales_of(erp, f"eu{run}-")))
            (sale,) = sales_of(erp, f"eu{run}-")
            assert sale["warehouse."]["code"] == eu_code
            main, europe = (erp.stock_levels([sku], warehouse=w)[0] for w in ("WH", eu_code))
            assert (main.forecast, europe.forecast) == (Decimal(30), Decimal(9))
        flow.run(full=True)
        assert (shown(shop, sku), shown(eu_shop, sku)) == (30, 9)

        # Two channels fed by one warehouse, one by its code, one by its name: read once.
        both_europe = StockToChannels(
            hub.store,
            source="erp",
            source_connector=hub.connectors["erp"],
            targets=flow.targets,
            warehouses={"shop": [eu_code], "shop_eu": [eu_name]},
        )
        reads.warehouses.clear()
        both_europe.run(full=True)
        assert len(reads.warehouses) == 1
        assert (shown(shop, sku), shown(eu_shop, sku)) == (9, 9)


def sales_of(erp: TrytonConnector, prefix: str) -> list[dict[str, Any]]:
    return erp.rpc.search_read(
        "sale.sale", [["reference", "like", f"{prefix}%"]], ["reference", "warehouse.code"]
    )
