"""The demo's scenario, step by step: start Tryton, the three stores, Amazon and the hub;
publish the stock (Amazon's by a feed the hub settles); let customers buy; follow each order
into Tryton; sell on Amazon; ship and pay; book Amazon's fees and a refund's; read back
what Tryton, each store and Amazon show."""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console

from causeway.config import parse_config
from causeway.connectors.registry import build_connector
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine.rate import RateBudgets
from causeway.flows import stock_to_channels
from causeway.flows.stock_to_channels import StockToChannels
from causeway.hub import Hub
from causeway.reports import REPORTS
from causeway.reports.filters import ReportFilters
from causeway.warehouse.build import build as build_warehouse
from causeway.web.app import create_app
from causeway.web.order_view import order_view
from causeway_sandbox.demo import amazon_stock
from causeway_sandbox.demo.amazon import (
    AmazonSeller,
    AmazonSummary,
    buy_on_amazon,
    confirm_shipment,
    pay_on_amazon,
    prepare_fba,
)
from causeway_sandbox.demo.amazon_fees import book_fees
from causeway_sandbox.demo.config import demo_config, write_config
from causeway_sandbox.demo.erp import prepare_erp, sales_of, sales_with_prefix
from causeway_sandbox.demo.keep_running import keep_running
from causeway_sandbox.demo.shopify_store import ShopifyStore
from causeway_sandbox.demo.stores import SKUS, STORES, DemoStore, PlacedOrder, basket
from causeway_sandbox.demo.summary import DemoSummary, StoreSummary
from causeway_sandbox.demo.tour import (
    lifecycle_table,
    live_view,
    print_summary,
    print_tour,
    progress_table,
)
from causeway_sandbox.demo.woo_store import WooStore
from causeway_sandbox.localserver import BackgroundServer, free_port
from causeway_sandbox.tryton.server import TrytonServer, default_build_dir, ensure_built
from causeway_sandbox.tryton.warehouse import open_shipments, ship

TICK = 0.25  # seconds between two looks at the hub's order views


class Steps:
    """Times each step into the summary."""

    def __init__(self, summary: DemoSummary) -> None:
        self.summary = summary
        self.last = time.monotonic()

    def done(self, name: str) -> None:
        now = time.monotonic()
        self.summary.steps[name] = round(now - self.last, 1)
        self.last = now


def start_store(spec: Any) -> DemoStore:
    return ShopifyStore(spec) if spec.kind == "shopify" else WooStore(spec)


def run_demo(
    *, orders: int, once: bool, as_json: bool, workdir: Path | None, console: Console
) -> bool:
    if orders < len(STORES):
        summary = DemoSummary(
            problems=[f"--orders {orders}: at least one per store, {len(STORES)}"]
        )
        print_summary(summary, as_json, console)
        return False
    started = time.monotonic()
    build = default_build_dir()
    ensure_built(build)
    own_dir = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="causeway-demo-")) if workdir is None else workdir
    workdir.mkdir(parents=True, exist_ok=True)
    say: Callable[..., None] = (lambda *_, **__: None) if as_json else console.print
    summary = DemoSummary()
    steps = Steps(summary)
    erp = TrytonServer(build, workdir / "tryton")
    hub: Hub | None = None
    stores: list[DemoStore] = []
    server: BackgroundServer | None = None
    placed: list[PlacedOrder] = []
    seller: AmazonSeller | None = None
    try:
        say("[bold]1.[/bold] starting the Tryton ERP (real trytond, SQLite) ...")
        # Tryton takes seconds to start: the stores start meanwhile (leaving the block
        # waits for Tryton, started or failed, also when a store fails to start).
        with ThreadPoolExecutor(1) as background:
            starting = background.submit(erp.start)
            say("[bold]2.[/bold] starting three stores: two Shopify, one WooCommerce ...")
            for spec in STORES:
                store = start_store(spec)
                stores.append(store)
                store.stock_catalogue()
                summary.stores[spec.system] = StoreSummary.of(spec, pays_invoices=True)
                domain = f", {spec.shop_domain}" if spec.shop_domain else ""
                say(f"   {spec.system}: {spec.title} in {spec.currency}{domain}, at {store.url}")
            seller = AmazonSeller()
            summary.amazon = AmazonSummary()
            amazon_stock.list_on_amazon(seller, summary.amazon)
            say(f"   and Amazon (the Selling Partner API sandbox), at {seller.url}")
            starting.result()
        with TrytonConnector(erp.url, erp.database, erp.username, erp.password) as tryton:
            prepare_erp(tryton, STORES)
            prepare_fba(tryton)
        say(
            f"   Tryton at {erp.url}, with EUR, a euro price list, a Net 30 term and an "
            "Amazon FBA warehouse"
        )
        steps.done("start_erp_and_stores")

        say("[bold]3.[/bold] starting the hub ...")
        port = free_port()
        config = demo_config(workdir, erp, stores, port, amazon=seller.system_config())
        write_config(config, workdir / "causeway.yaml")
        hub = Hub(parse_config(config, env={}))
        hub.start()
        server = BackgroundServer(create_app(hub), port=port).start()
        for store in stores:
            name = store.spec.system
            uri = f"{server.url}/webhooks/{name}"
            hub.connectors[name].subscribe_webhooks(uri, hub.flows.webhook_topics(name))
        say(f"   hub at {server.url}, webhooks at /webhooks/<store>")
        say(f"   its config: {workdir / 'causeway.yaml'}", soft_wrap=True)
        say(
            "   orders-to-erp: a channel per store, prefixes US-, EU- (euro terms), WOO-, "
            "and Amazon, AMZ-"
        )
        steps.done("start_hub")

        say(
            "[bold]4.[/bold] publishing the ERP's stock, shared 40% / 30% / 20% and Amazon 10% "
            "(its listings feed settles later) ..."
        )
        stock = hub.flows[stock_to_channels.NAME]
        assert isinstance(stock, StockToChannels)
        channels = stock.run(full=True).channels
        published = [channels[store.spec.system] for store in stores]
        summary.stock_skus_published = len(set.intersection(*(set(c.shown) for c in published)))
        amazon_stock.settle(hub, seller, summary.amazon)
        amazon_stock.show_feeds(summary.amazon, say)
        shown = {store.spec.system: store.shown_stock().get("WID-001") for store in stores}
        say(
            "   WID-001 (Tryton has 1000) sells: "
            + ", ".join(f"{name} {qty}" for name, qty in shown.items())
        )
        steps.done("publish_stock")

        say(
            f"[bold]5.[/bold] {orders} customers buy, taking turns at the three stores; three "
            "buy on Amazon ..."
        )
        # Amazon's buyers first: its orders come by the poll, run now, while the
        # stores' orders travel (step 6 follows them).
        assert summary.amazon is not None
        poll_orders = partial(hub.run_flow, "orders-to-erp")
        buy_on_amazon(seller, summary.amazon, poll_orders)
        rng = random.Random(2026)
        for n in range(orders):
            store = stores[n % len(stores)]
            placed.append(store.checkout(n, basket(rng)))
            summary.stores[store.spec.system].orders_placed += 1
        _follow_orders(hub, placed, summary, live_view(as_json, console), 60 + 3 * orders)
        steps.done("orders_to_erp")

        say("\n[bold]6.[/bold] Amazon: orders come by the poll, each by its lifecycle ...")
        pay_on_amazon(seller, summary.amazon, lambda order: _view(hub, order), poll_orders, say)
        steps.done("amazon_orders_to_erp")

        say("\n[bold]7.[/bold] the ERP's forecast dropped; publishing the change ...")
        stock.run()
        steps.done("republish_stock")

        shipped = [next(o for o in placed if o.store == s.spec.system) for s in stores]
        say("\n[bold]8.[/bold] the warehouse ships an order of each store and the paid Amazon")
        say("   order in Tryton, with UPS tracking; every store order was paid at checkout ...")
        _ship_in_erp(hub, [*shipped, seller.placed[0]])
        hub.run_flow("fulfillments-to-channels")  # rather than wait for its next run
        _follow_lifecycle(hub, placed, shipped, summary, live_view(as_json, console))
        by_name = {store.spec.system: store for store in stores}
        for order in shipped:
            summary.stores[order.store].orders_shipped_in_erp += 1
            if by_name[order.store].fulfilled(order.order_id):
                summary.stores[order.store].orders_fulfilled_in_store += 1
        confirm_shipment(seller, seller.placed[0], summary.amazon)
        say(
            f"   Amazon was sent {seller.placed[0].number}'s tracking: "
            f"{', '.join(summary.amazon.tracking_numbers) or 'nothing'}"
        )
        steps.done("ship_and_pay")

        say("\n[bold]9.[/bold] Amazon posts the shipped orders' fees; channel-fees books them ...")
        paid, _, fba = seller.placed
        book_fees(hub, seller, [paid, fba], paid, summary.amazon, say)
        steps.done("amazon_fees")

        say(f"\n[bold]10.[/bold] the seller lists {amazon_stock.REFUSED[0]} on Amazon, missing")
        say("   an attribute; the final publish sends it and Amazon refuses it ...")
        amazon_stock.list_refused_product(seller, summary.amazon)
        _read_back(hub, stores, summary)
        amazon_stock.settle(hub, seller, summary.amazon)
        amazon_stock.show_feeds(summary.amazon, say)
        found = sales_with_prefix(hub.connectors["erp"], summary.amazon.reference_prefix)
        summary.amazon.erp_references = [sale.reference for sale in found]
        steps.done("read_back")

        say("\n[bold]11.[/bold] building the reporting warehouse from the hub and Tryton ...")
        _build_warehouse(hub, erp, summary, say)
        steps.done("build_warehouse")
        if not as_json:
            console.print()
            print_tour(summary, console)
    except Exception as exc:  # the summary reports it; --once fails on it
        summary.problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        summary.seconds = round(time.monotonic() - started, 1)
        if not once and summary.ok and hub is not None and server is not None:
            keep_running(hub, server, stores, placed[0], (seller, summary.amazon), as_json, console)
        if server is not None:
            server.stop()
        for store in reversed(stores):
            store.stop()
        if seller is not None:
            seller.stop()
        if hub is not None:
            hub.stop()
        erp.stop()
        if own_dir:
            shutil.rmtree(workdir, ignore_errors=True)
    print_summary(summary, as_json, console)
    return summary.ok


def _build_warehouse(
    hub: Hub, erp: TrytonServer, summary: DemoSummary, say: Callable[..., None]
) -> None:
    """`causeway warehouse build`, then the channel P&L the console's Reports page shows.
    The CRM's deals and segments too when the configuration has a CRM."""
    path = hub.config.warehouse_file()
    crm_name = hub.config.warehouse_crm()
    crm = (
        build_connector(crm_name, hub.config.systems[crm_name], RateBudgets())
        if crm_name is not None
        else None
    )
    try:
        with TrytonConnector(erp.url, erp.database, erp.username, erp.password) as tryton:
            built = build_warehouse(hub.store, path, erp=tryton, crm=crm, settings=hub.config)
    finally:
        if crm is not None:
            crm.close()
    summary.warehouse_order_lines = built.tables.get("fact_order_lines", 0)
    say(f"   {path}: {summary.warehouse_order_lines} order lines, costed by Tryton")
    for row in REPORTS["channel-pnl"].run(path, ReportFilters()).rows:
        say(
            f"   {row['channel']}: revenue {row['revenue']:.2f}, cost of goods "
            f"{row['cogs']:.2f}, profit {row['profit']:.2f} {row['company_currency']}"
        )


def _view(hub: Hub, order: PlacedOrder) -> dict[str, Any]:
    return order_view(hub.store, hub.jobs, order.store, order.order_id) or {}


def _follow_orders(
    hub: Hub, placed: list[PlacedOrder], summary: DemoSummary, live: Any, timeout: float
) -> None:
    """Show each order's way into the ERP until all are there (or `timeout` passed)."""
    deadline = time.monotonic() + timeout
    with live as screen:
        while True:
            views = [(order, _view(hub, order)) for order in placed]
            rows = [
                (
                    order.store,
                    order.number,
                    view.get("state", "waiting"),
                    view.get("summary", {}).get("erp_number") or "",
                )
                for order, view in views
            ]
            if screen is not None:
                screen.update(progress_table(rows))
            if all(row[2] == "in_erp" for row in rows) or time.monotonic() > deadline:
                break
            time.sleep(TICK)
    for store, number, state, erp_number in rows:
        if state == "in_erp":
            summary.stores[store].orders_in_erp += 1
            summary.stores[store].erp_numbers[number] = erp_number
        elif state == "parked":
            summary.problems.append(f"{store} order {number} was parked; see `causeway status`")


def _ship_in_erp(hub: Hub, orders: list[PlacedOrder]) -> None:
    """Play the warehouse: ship each order's sale in Tryton with a tracking number."""
    rpc = hub.connectors["erp"].rpc
    for n, order in enumerate(orders, start=1):
        sale_id = int(_view(hub, order)["ids"]["erp"]["id"])
        for shipment in open_shipments(rpc, sale_id):
            ship(rpc, shipment, tracking_number=f"1Z999AA1{n:010d}")


def _follow_lifecycle(
    hub: Hub, placed: list[PlacedOrder], shipped: list[PlacedOrder], summary: DemoSummary, live: Any
) -> None:
    """Show each order's status, tracking and invoice until the shipped ones are fulfilled
    and every invoice is paid (or two minutes have passed)."""
    deadline = time.monotonic() + 120
    with live as screen:
        while True:
            rows = []
            for order in placed:
                view = _view(hub, order)
                reached = {m["milestone"]: m for m in view.get("timeline", [])}
                detail = (reached.get("shipped") or {}).get("detail", {})
                rows.append(
                    (
                        order.store,
                        order.number,
                        view.get("summary", {}).get("erp_number") or "",
                        "shipped" if "shipped" in reached else view.get("status", ""),
                        str(detail.get("tracking_number") or ""),
                        view.get("summary", {}).get("invoice_state") or "",
                    )
                )
            if screen is not None:
                screen.update(lifecycle_table(rows))
            status = {(o.store, o.number): row for o, row in zip(placed, rows, strict=True)}
            fulfilled = all(status[(o.store, o.number)][3] == "shipped" for o in shipped)
            paid = Counter(row[0] for row in rows if row[5] == "paid")
            all_paid = all(paid[s] == store.orders_placed for s, store in summary.stores.items())
            if (fulfilled and all_paid) or time.monotonic() > deadline:
                for system, store in summary.stores.items():
                    store.invoices_paid_in_erp = paid[system]
                return
            time.sleep(TICK)


def _read_back(hub: Hub, stores: list[DemoStore], summary: DemoSummary) -> None:
    """What Tryton holds and each store shows, once the dust settled."""
    stock = hub.flows[stock_to_channels.NAME]
    assert isinstance(stock, StockToChannels)
    # A full publish now: WooCommerce has no compare-and-set, so the publish right after
    # its own sales errs low on purpose (stock/allocation.py); this one is exact.
    stock.run(full=True)
    erp = hub.connectors["erp"]
    forecast: dict[str, int] = {}
    for level in erp.stock_levels(SKUS):
        forecast[level.sku] = forecast.get(level.sku, 0) + int(level.forecast)
    summary.erp_forecast = forecast
    for store in stores:
        found = summary.stores[store.spec.system]
        found.stock_shown = store.shown_stock()
        found.found_in_erp(sales_of(erp, store.spec))
        found.webhook_deliveries, found.duplicates_ignored = store.webhook_deliveries()
