"""The reports over a warehouse built from a real run: a Shopify store and a WooCommerce
store selling into the real Tryton, one order shipped, one returned, one cancelled, the
costs known, and the figures worked out by hand below.

The catalogue (this test's own SKUs, in the two stores and in Tryton, taxed at 10 %):
  A: sold at 20.00, costs 8.00      B: sold at 50.00, costs 30.00
The orders (the company's currency and both stores' is USD: every rate is 1):
  S1  Shopify  2 x A  net 40.00, 5.00 shipping (untaxed), total 49.00
                                                shipped in Tryton with UPS (2 x A at 8.00
                                                = 16.00), whose carrier cost is 6.50
                                                (scripts/tryton/setup_business.py)
  S2  Shopify  1 x B  net 50.00, total 55.00    refunded and returned, "too small"
  W1  Woo      1 x A + 1 x B                    cancelled in the store
  W2  Woo      3 x A  net 60.00, the store's 10.00 flat-rate shipping
                                                placed, not shipped yet (no shipping cost)
The Shopify channel's fee is configured at 2.9 % + 0.30 a order; WooCommerce's is none.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.hub import Hub
from causeway.reports import REPORTS
from causeway.reports.filters import ReportFilters
from causeway.warehouse.build import build
from causeway.warehouse.schema import TABLES
from causeway_sandbox.shopify import SandboxServer
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.testkit import TrytonTestKit
from causeway_sandbox.tryton.warehouse import open_shipments, ship
from causeway_sandbox.woocommerce.server import WooSandboxServer
from tests.e2e.conftest import buy
from tests.e2e.harness import serving, settle, sold_on_both_stores, two_stores_config
from tests.e2e.test_cancellations_and_returns import checkout
from tests.tryton_fixtures import connect

pytestmark = pytest.mark.tryton

D = Decimal
TOPICS = ["orders/create", "orders/updated", "orders/paid", "orders/cancelled", "refunds/create"]


@dataclass
class Run:
    hub: Hub
    shop: httpx.Client
    woo: httpx.Client
    erp: TrytonConnector
    a: str  # the SKUs, this test's own
    b: str
    shop_prefix: str
    woo_prefix: str
    warehouse: Path

    def settle(self, done: Any) -> None:
        self.woo.post("/_sandbox/deliveries/wait", json={"timeout": 30}).raise_for_status()
        settle(self.hub, self.shop, done, timeout=90)

    def sale(self, reference: str) -> dict[str, Any] | None:
        found = self.erp.rpc.search_read(
            "sale.sale", [("reference", "=", reference)], ["id", "state", "shipments"]
        )
        return found[0] if found else None

    def build(self, path: Path | None = None, *, full: bool = False) -> Path:
        target = path or self.warehouse
        build(self.hub.store, target, erp=self.erp, settings=self.hub.config, full=full)
        return target

    def report(self, slug: str, key: str, path: Path | None = None) -> dict[Any, dict[str, Any]]:
        rows = REPORTS[slug].run(path or self.warehouse, ReportFilters()).rows
        return {row[key]: row for row in rows}


@pytest.fixture
def run(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    woo: WooSandboxServer,
    store: httpx.Client,
) -> Iterator[Run]:
    tag = uuid.uuid4().hex[:6].upper()
    a, b = f"WHA-{tag}", f"WHB-{tag}"
    sold_on_both_stores(shop, store, {a: "20.00", b: "50.00"})
    shop_prefix, woo_prefix = f"s{tag.lower()}-", f"w{tag.lower()}-"
    config = two_stores_config(tmp_path, tryton_server, sandbox.url, woo, shop_prefix, woo_prefix)
    both = [{"system": "shop"}, {"system": "woo"}]
    config["flows"]["cancellations"] = {"target": "erp", "channels": both}
    config["flows"]["returns-to-erp"] = {
        "target": "erp",
        "receipt_check_every": "1h",
        "channels": both,
    }
    config["warehouse"] = {
        "channel_fees": {"shop": {"percent": "2.9", "fixed": "0.30", "currency": "USD"}}
    }
    with connect(tryton_server) as erp:
        kit = TrytonTestKit(erp)
        kit.ensure_product(a, f"Mug {tag}", D("20.00"), D("8.00"), D(100))
        kit.ensure_product(b, f"Jacket {tag}", D("50.00"), D("30.00"), D(100))
        with serving(config, shop, TOPICS) as (hub, server):
            hub.connectors["woo"].subscribe_webhooks(
                f"{server.url}/webhooks/woo", hub.flows.webhook_topics("woo")
            )
            yield Run(
                hub, shop, store, erp, a, b, shop_prefix, woo_prefix,
                tmp_path / "warehouse" / "warehouse.duckdb",
            )  # fmt: skip


def table_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            t.name: sorted(con.execute(f"SELECT * FROM {t.name}").fetchall(), key=lambda r: repr(r))
            for t in TABLES
        }


def test_reports_over_two_stores_and_the_real_tryton_equal_the_figures_worked_out_by_hand(
    run: Run, tmp_path: Path
) -> None:
    s1 = checkout(run.shop, [(run.a, 2)], shipping="5.00")
    s2 = checkout(run.shop, [(run.b, 1)])
    w1 = buy(run.woo, (run.a, 1), (run.b, 1))
    w2 = buy(run.woo, (run.a, 3))
    refs = {
        "s1": f"{run.shop_prefix}{s1['name'].lstrip('#')}",
        "s2": f"{run.shop_prefix}{s2['name'].lstrip('#')}",
        "w1": f"{run.woo_prefix}{w1['number']}",
        "w2": f"{run.woo_prefix}{w2['number']}",
    }
    run.settle(lambda: all(run.sale(ref) for ref in refs.values()))
    # A first build while nothing has shipped: the next one is incremental.
    run.build()

    # The warehouse ships S1; the customer sends S2 back; W1 is cancelled in the store.
    sale_s1 = run.sale(refs["s1"])
    assert sale_s1 is not None
    (shipment_id,) = open_shipments(run.erp.rpc, sale_s1["id"])
    ship(run.erp.rpc, shipment_id, tracking_number="1Z999", carrier="UPS")
    (line,) = s2["line_items"]
    refund = run.shop.post(
        f"/_sandbox/orders/{s2['id']}/refunds",
        json={
            "lines": [{"line_item_id": line["id"], "quantity": 1, "restock_type": "return"}],
            "note": "too small",
        },
    )
    refund.raise_for_status()
    return_ref = f"{refs['s2']}-R{refund.json()['refund']['id']}"
    run.woo.post(f"/_sandbox/orders/{w1['id']}/status", json={"status": "cancelled"})

    def cancelled() -> bool:
        sale = run.sale(refs["w1"])
        return sale is not None and sale["state"] == "done"

    run.settle(lambda: cancelled() and run.sale(return_ref) is not None)
    assert run.hub.jobs.dead() == []
    run.build()

    # -- channel P&L ------------------------------------------------------------------
    pnl = run.report("channel-pnl", "channel")
    shop = pnl["shop"]
    assert shop["company_currency"] == "USD"
    assert shop["orders"] == 2  # S1 and S2
    assert shop["revenue"] == D("90.00")  # 40.00 + 50.00, tax excluded
    # S1: 2 shipped at the 8.00 Tryton booked = 16.00; S2: 1 x B at 30.00, back on the
    # shelf after the return, so 30.00 off: 16.00 + 30.00 - 30.00
    assert shop["cogs"] == D("16.00")
    assert shop["refunds"] == D("50.00")  # 1 x 50.00 refunded on S2
    # 2.9 % of each total + 0.30: 49.00 x 0.029 + 0.30 = 1.721; 55.00 x 0.029 + 0.30 = 1.895
    assert shop["fees"] == D("3.616")
    assert shop["shipping_charged"] == D("5.00")  # S1's
    assert shop["shipping_cost"] == D("6.50")  # UPS's cost on S1's one shipment
    # 90.00 + 5.00 shipping charged - 16.00 - 6.50 shipping cost - 50.00 - 3.616
    assert shop["profit"] == D("18.884")
    woo = pnl["woo"]
    assert woo["orders"] == 1  # W2; the cancelled W1 is no order of the P&L
    # W2: 3 x A: 60.00 net, 3 x 8.00 = 24.00 (product cost: nothing shipped), no fee
    assert (woo["revenue"], woo["cogs"], woo["refunds"], woo["fees"]) == (
        D("60.00"), D("24.00"), D(0), D(0),
    )  # fmt: skip
    # 60.00 + 10.00 shipping charged - 24.00 - 0 shipping cost (not shipped yet)
    assert (woo["shipping_charged"], woo["shipping_cost"]) == (D("10.00"), D(0))
    assert woo["profit"] == D("46.00")

    # -- customer profitability: the same orders, per customer ------------------------------
    customers = run.report("customer-profitability", "customer_id").values()
    assert sum(c["shipping_cost"] for c in customers) == D("6.50")
    assert sum(c["profit"] for c in customers) == D("64.884")  # 18.884 + 46.00
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        shipped = con.execute(
            "SELECT shipping_cost, shipping_cost_currency, rate, shipping_cost_company "
            "FROM fact_fulfilments"
        ).fetchall()
    assert shipped == [(D("6.50"), "USD", D(1), D("6.50"))]

    # -- product margin -----------------------------------------------------------------
    margin = run.report("product-margin", "sku")
    # A: S1's 2 + W2's 3 = 5 units, 100.00 net, 16.00 + 24.00 = 40.00 cost
    assert (margin[run.a]["units_sold"], margin[run.a]["revenue"], margin[run.a]["cogs"]) == (
        D(5), D("100.00"), D("40.00"),
    )  # fmt: skip
    assert margin[run.a]["margin"] == D("60.00")
    # B: S2's 1 unit; W1's B was cancelled
    assert (margin[run.b]["units_sold"], margin[run.b]["margin"]) == (D(1), D("20.00"))

    # -- returns ------------------------------------------------------------------------
    returns = run.report("returns", "sku")
    jacket = returns[run.b]
    assert (jacket["units_sold"], jacket["units_returned"]) == (D(1), D(1))
    assert jacket["return_rate"] == pytest.approx(1.0)
    assert jacket["reason"] == "too small"
    assert jacket["refunded"] == D("50.00")

    # -- fulfilment lead time ----------------------------------------------------------
    lead = run.report("fulfilment-lead-time", "channel")
    assert set(lead) == {"shop"}  # only S1 has shipped
    assert (lead["shop"]["shipments"], lead["shop"]["warehouse"]) == (1, "WH")
    assert 0 <= lead["shop"]["max_hours"] < 1  # shipped within the test

    # -- the cancelled order is kept, as cancelled --------------------------------------
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        states = dict(
            con.execute(
                "SELECT order_number, state FROM fact_orders WHERE channel = 'woo'"
            ).fetchall()
        )
    assert states == {str(w1["number"]): "cancelled", str(w2["number"]): "placed"}

    # -- two builds, one after the other, hold what one full build does -----------------
    full = run.build(tmp_path / "full" / "warehouse.duckdb", full=True)
    incremental, rebuilt = table_rows(run.warehouse), table_rows(full)
    for table in incremental:
        if table == "fact_integration":  # the jobs go on being counted in between
            continue
        assert incremental[table] == rebuilt[table], table
