"""A day's stock snapshot taken against the real Tryton and the Shopify sandbox, in a hub:
a known SKU's ERP and store figures, a second run the same day that replaces rather than
adds, and a store that cannot be read failing the run while the ERP's rows are kept."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine.stock_snapshots import snapshot_of_day
from causeway.errors import RetryableError
from causeway.flows.stock_snapshots import NAME, StockSnapshots
from causeway_sandbox.shopify import SandboxServer
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.testkit import TrytonTestKit
from tests.e2e.harness import hub_config, new_port, serving

pytestmark = pytest.mark.tryton


def test_a_days_snapshot_has_the_erps_and_the_stores_figures_once_however_often_it_runs(
    tmp_path: Path,
    tryton_server: TrytonServer,
    tryton: TrytonConnector,
    sandbox: SandboxServer,
    shop: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sku = f"SNAP-{uuid.uuid4().hex[:6]}"
    TrytonTestKit(tryton).ensure_product(sku, "Snapshot lamp", Decimal(20), Decimal(8), Decimal(30))
    body = {"title": "Snapshot lamp", "sku": sku, "price": "20.00", "quantity": 7}
    shop.post("/_sandbox/products", json=body).raise_for_status()
    config = hub_config(tmp_path, tryton_server, sandbox.url, new_port())
    config["flows"][NAME] = {"source": "erp", "channels": [{"system": "shop"}]}
    today = date.today().isoformat()

    with serving(config, shop, topics=[]) as (hub, _server):
        flow = hub.flows[NAME]
        assert isinstance(flow, StockSnapshots)
        first = flow.run()
        assert first.errors == [] and first.day == today
        rows = snapshot_of_day(hub.store, today)
        mine = {(r.system, r.kind): r for r in rows if r.sku == sku}
        erp, channel = mine[("erp", "erp")], mine[("shop", "channel")]
        assert (erp.quantity, erp.forecast) == (Decimal(30), Decimal(30))
        assert (channel.quantity, channel.forecast) == (Decimal(7), None)
        # The ERP's whole catalogue, read in one call: the catalogue's SKUs are there too.
        assert any(r.sku == "WID-001" and r.kind == "erp" for r in rows)

        # The same day again, after a sale in the store: replaced, not added.
        sale = {
            "email": "snap.buyer@example.com",
            "first_name": "Sam",
            "last_name": "Buyer",
            "lines": [{"sku": sku, "quantity": 2}],
            "tax_rate": "0.10",
            "shipping_price": "0.00",
        }
        shop.post("/_sandbox/orders", json=sale).raise_for_status()
        second = flow.run()
        assert second.errors == []
        again = snapshot_of_day(hub.store, today)
        keys = [(r.day, r.system, r.location, r.sku, r.kind) for r in again]
        assert len(keys) == len(set(keys)) == len(rows)
        (shown,) = [r for r in again if r.sku == sku and r.kind == "channel"]
        assert shown.quantity == Decimal(5)

        # The store cannot be read: the run fails saying which store; the ERP's rows of
        # this run are kept, and the store's earlier rows of the day stay as they were.
        def down(skus: list[str]) -> dict[str, object]:
            raise RetryableError("Shopify answered 503 Service Unavailable")

        monkeypatch.setattr(hub.connectors["shop"], "inventory_items_by_sku", down)
        TrytonTestKit(tryton).set_stock(sku, Decimal(25))
        with pytest.raises(RetryableError, match=r"store shop could not be read: .*503"):
            flow.on_run({"run": True})
        last = {(r.system, r.kind): r for r in snapshot_of_day(hub.store, today) if r.sku == sku}
        assert last[("erp", "erp")].quantity == Decimal(25)
        assert last[("shop", "channel")].quantity == Decimal(5)
