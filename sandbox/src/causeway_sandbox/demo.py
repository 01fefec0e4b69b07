"""`causeway demo`: the whole data path on one machine, in about a minute.

It starts the real Tryton ERP (from the local build), a Shopify sandbox that
speaks Shopify's wire contract, and the hub between them; publishes ERP stock to
the store; places sample orders in the store, whose webhooks arrive signed, some
twice and out of order, as real ones do; and shows each order land in the ERP
exactly once. Then the warehouse ships some of them in Tryton: the store orders
are fulfilled with their tracking numbers, and the invoices of the orders the
store was paid for are posted and paid in Tryton. `--once` makes it a check:
exit 0 only if every order landed, every shipment fulfilled its order and every
invoice was paid.
"""

from __future__ import annotations

import json
import random
import secrets
import shutil
import tempfile
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.live import Live
from rich.table import Table

from causeway.config import parse_config
from causeway.engine import api_keys
from causeway.flows import stock_to_channels
from causeway.flows.stock_to_channels import StockToChannels
from causeway.hub import Hub
from causeway.web.app import create_app
from causeway.web.order_view import order_view
from causeway_sandbox.localserver import BackgroundServer, free_port
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from causeway_sandbox.tryton.server import TrytonServer, default_build_dir, ensure_built
from causeway_sandbox.tryton.warehouse import open_shipments, ship

CATALOGUE = [("WID-001", "Widget", "10.00"), ("GAD-001", "Gadget", "25.00")] + [
    (f"SKU-{n:04d}", f"Bench item {n}", f"{5 + n}.00") for n in range(1, 9)
]
CUSTOMERS = [
    ("Ada", "Lovelace", "ada@example.com"),
    ("Grace", "Hopper", "Grace.Hopper@Example.com"),
    ("Alan", "Turing", "alan@example.org"),
    ("Katherine", "Johnson", "kj@example.net"),
    ("Edsger", "Dijkstra", "ewd@example.nl"),
]
SOURCES = [
    ("web", "https://shop.example.com/?utm_source=newsletter", "https://mail.example.com/"),
    ("web", "https://shop.example.com/products/widget", "https://www.google.com/"),
    ("pos", None, None),
]


@dataclass
class DemoSummary:
    orders_placed: int = 0
    orders_in_erp: int = 0
    erp_sales_for_these_orders: int = 0
    webhook_deliveries: int = 0
    duplicates_ignored: int = 0
    stock_skus_published: int = 0
    orders_shipped_in_erp: int = 0
    orders_fulfilled_in_store: int = 0
    invoices_paid_in_erp: int = 0
    seconds: float = 0.0
    erp_numbers: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.orders_placed > 0
            and self.orders_in_erp == self.orders_placed
            and self.erp_sales_for_these_orders == self.orders_placed
            and self.orders_fulfilled_in_store == self.orders_shipped_in_erp
            and self.invoices_paid_in_erp == self.orders_placed
            and not self.problems
        )


def local_config(
    workdir: Path, erp: TrytonServer, shop_url: str, *, token: str, secret: str, port: int
) -> dict[str, Any]:
    """causeway.yaml, as data, for a hub between a local Tryton and a local store.

    The demo uses it as is; tests and benchmarks change what they measure.
    """
    return {
        "store": {"url": f"sqlite:///{workdir / 'causeway.db'}"},
        "server": {"port": port, "public_url": f"http://127.0.0.1:{port}"},
        "workers": {"count": 2, "lease": "10s", "backoff_base": "500ms", "backoff_cap": "5s"},
        "systems": {
            "shop": {
                "type": "shopify",
                "shop_url": shop_url,
                "access_token": token,
                "webhook_secret": secret,
            },
            "erp": {
                "type": "tryton",
                "url": erp.url,
                "database": erp.database,
                "username": erp.username,
                "password": erp.password,
            },
        },
        "flows": {
            "orders-to-erp": {
                "source": "shop",
                "target": "erp",
                "reconcile_every": "20s",
                "batch_size": 25,
            },
            "stock-to-channels": {
                "source": "erp",
                "targets": ["shop"],
                "every": "10s",
                "safety_stock": 2,
            },
        },
    }


def _place_orders(sandbox: httpx.Client, count: int, rng: random.Random) -> list[dict[str, Any]]:
    placed = []
    for i in range(count):
        first, last, email = CUSTOMERS[i % len(CUSTOMERS)]
        source, landing, referrer = SOURCES[i % len(SOURCES)]
        lines = [
            {"sku": sku, "quantity": rng.randint(1, 3)}
            for sku, _, _ in rng.sample(CATALOGUE, rng.randint(1, 3))
        ]
        body = {
            "email": email,
            "first_name": first,
            "last_name": last,
            "lines": lines,
            "tax_rate": "0.10",
            "shipping_price": "4.90" if i % 2 else "0.00",
            # Every third customer has a welcome code: it reaches the ERP sale to the cent.
            "discount_codes": (
                [{"code": "WELCOME10", "type": "percentage", "value": "10"}] if i % 3 == 2 else []
            ),
            "source_name": source,
            "landing_site": landing,
            "referring_site": referrer,
        }
        response = sandbox.post("/_sandbox/orders", json=body)
        response.raise_for_status()
        placed.append(response.json())
    return placed


# The rest of the order's life, on in the demo: shipments fulfil store orders with
# their tracking, and the store's payments pay the ERP invoices.
LIFECYCLE_FLOWS: dict[str, Any] = {
    "fulfillments-to-channels": {
        "source": "erp",
        "targets": ["shop"],
        "schedule": "every 5s",
        "tracking_urls": {"UPS": "https://www.ups.com/track?tracknum={number}"},
        "notify_customer": True,
    },
    "payments-and-invoices": {"source": "shop", "target": "erp", "schedule": "realtime, every 5s"},
}


def live_view_for(as_json: bool, console: Console) -> Any:
    return nullcontext() if as_json else Live(console=console, refresh_per_second=4)


def _ship_in_erp(hub: Hub, order_ids: list[str]) -> None:
    """Play the warehouse: ship each order's sale in Tryton with a tracking number."""
    rpc = hub.connectors["erp"].rpc
    for n, order_id in enumerate(order_ids, start=1):
        view = order_view(hub.store, hub.jobs, "shop", order_id) or {}
        sale_id = int(view["ids"]["erp"]["id"])
        for shipment in open_shipments(rpc, sale_id):
            ship(rpc, shipment, tracking_number=f"1Z999AA1{n:010d}")


def _follow_lifecycle(
    hub: Hub, ids: list[str], numbers: dict[str, str], shipped: list[str], live: Any
) -> list[tuple[str, str, str, str, str]]:
    """Show each order's status, tracking and invoice until shipped ones are fulfilled
    and every invoice is paid (or a minute has passed)."""
    deadline = time.monotonic() + 60
    with live as screen:
        while True:
            rows = []
            for order_id in ids:
                view = order_view(hub.store, hub.jobs, "shop", order_id) or {}
                reached = {m["milestone"]: m for m in view.get("timeline", [])}
                tracking = (reached.get("shipped") or {}).get("detail", {}).get(
                    "tracking_number"
                ) or ""
                summary = view.get("summary", {})
                rows.append(
                    (
                        numbers[order_id],
                        summary.get("erp_number") or "",
                        "shipped" if "shipped" in reached else view.get("status", ""),
                        str(tracking),
                        summary.get("invoice_state") or "",
                    )
                )
            if screen is not None:
                screen.update(_lifecycle_table(rows))
            fulfilled = all(
                row[2] == "shipped" for row, i in zip(rows, ids, strict=True) if i in shipped
            )
            if (fulfilled and all(row[4] == "paid" for row in rows)) or time.monotonic() > deadline:
                return rows
            time.sleep(0.25)


def _lifecycle_table(rows: list[tuple[str, str, str, str, str]]) -> Table:
    table = Table(
        "store order", "ERP sale", "status", "tracking", "invoice", title="After the sale"
    )
    for number, sale, status, tracking, invoice in rows:
        table.add_row(number, sale, status, tracking, invoice)
    return table


def _progress_table(rows: list[tuple[str, str, str]]) -> Table:
    table = Table("store order", "state", "ERP sale", title="Orders: store -> hub -> ERP")
    for number, state, erp in rows:
        colour = {"in_erp": "green", "parked": "red"}.get(state, "yellow")
        table.add_row(number, f"[{colour}]{state}[/{colour}]", erp)
    return table


def run_demo(
    *, orders: int, once: bool, as_json: bool, workdir: Path | None, console: Console
) -> bool:
    started = time.monotonic()
    build = default_build_dir()
    ensure_built(build)
    own_dir = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="causeway-demo-")) if workdir is None else workdir
    workdir.mkdir(parents=True, exist_ok=True)
    say = (lambda *_: None) if as_json else console.print
    summary = DemoSummary()
    rng = random.Random(2026)
    settings = SandboxSettings(
        api_secret="demo-webhook-secret",
        access_token="shpat_demo",
        duplicate_rate=0.25,
        out_of_order=True,
        seed=7,
    )
    erp = TrytonServer(build, workdir / "tryton")
    hub: Hub | None = None
    servers: list[Any] = []
    try:
        say("[bold]1.[/bold] starting the Tryton ERP (real trytond, SQLite) ...")
        erp.start()
        say(f"   Tryton at {erp.url}, database {erp.database!r}")
        say("[bold]2.[/bold] starting the Shopify sandbox ...")
        sandbox = SandboxServer(settings).start()
        servers.append(sandbox)
        shop = httpx.Client(base_url=sandbox.url, timeout=30)
        for sku, title, price in CATALOGUE:
            shop.post(
                "/_sandbox/products",
                json={"title": title, "sku": sku, "price": price, "quantity": 0},
            ).raise_for_status()
        say(f"   sandbox store at {sandbox.url} with {len(CATALOGUE)} products")
        say("[bold]3.[/bold] starting the hub ...")
        port = free_port()
        config = local_config(
            workdir,
            erp,
            sandbox.url,
            token=settings.access_token,
            secret=settings.api_secret,
            port=port,
        )
        config["flows"] |= LIFECYCLE_FLOWS
        hub = Hub(parse_config(config, env={}))
        hub.start()
        servers.append(BackgroundServer(create_app(hub), port=port).start())
        hub.connectors["shop"].subscribe_webhooks(
            f"http://127.0.0.1:{port}/webhooks/shop", hub.flows.webhook_topics("shop")
        )
        say(f"   hub at http://127.0.0.1:{port} (webhooks: /webhooks/shop)")

        say("[bold]4.[/bold] publishing sellable stock from the ERP to the store ...")
        stock = hub.flows[stock_to_channels.NAME]
        assert isinstance(stock, StockToChannels)
        run = stock.run(full=True)
        summary.stock_skus_published = len(run.channels["shop"].pushed)
        inventory = shop.get("/_sandbox/inventory").json()
        say(
            f"   {summary.stock_skus_published} SKUs set; WID-001 now sells "
            f"{inventory.get('WID-001')} (ERP 1000 minus safety stock 2)"
        )

        say(f"[bold]5.[/bold] placing {orders} orders in the store ...")
        placed = _place_orders(shop, orders, rng)
        summary.orders_placed = len(placed)
        ids = [str(o["id"]) for o in placed]
        numbers = {str(o["id"]): o["name"] for o in placed}
        deadline = time.monotonic() + 60 + 3 * orders
        with live_view_for(as_json, console) as live:
            while True:
                rows = []
                for order_id in ids:
                    view = order_view(hub.store, hub.jobs, "shop", order_id) or {}
                    rows.append(
                        (
                            numbers[order_id],
                            view.get("state", "waiting"),
                            view.get("summary", {}).get("erp_number") or "",
                        )
                    )
                if live is not None:
                    live.update(_progress_table(rows))
                if all(state == "in_erp" for _, state, _ in rows) or time.monotonic() > deadline:
                    break
                time.sleep(0.25)
        summary.orders_in_erp = sum(1 for _, state, _ in rows if state == "in_erp")
        summary.erp_numbers = {num: erp_no for num, _, erp_no in rows if erp_no}
        for _, state, _ in rows:
            if state == "parked":
                summary.problems.append("an order was parked; see `causeway status`")

        references = [f"shop-{numbers[i].lstrip('#')}" for i in ids]
        summary.erp_sales_for_these_orders = len(
            hub.connectors["erp"].rpc.search_read(
                "sale.sale",
                [
                    ["reference", "in", references],
                    ["state", "in", ["confirmed", "processing", "done"]],
                ],
                ["id"],
            )
        )
        delivered = [
            d
            for d in shop.get("/_sandbox/deliveries").json()
            if 200 <= (d.get("status") or 0) < 300
        ]
        summary.webhook_deliveries = len(delivered)
        summary.duplicates_ignored = len(delivered) - len({d["event_id"] for d in delivered})

        say("\n[bold]6.[/bold] the ERP's forecast dropped; publishing the change ...")
        stock.run()
        after = shop.get("/_sandbox/inventory").json()
        say(
            "   store stock now: "
            + ", ".join(f"{sku} {after.get(sku)}" for sku, _, _ in CATALOGUE[:4])
        )

        shipped = ids[: min(3, len(ids))]
        say(
            f"\n[bold]7.[/bold] the warehouse ships {len(shipped)} orders in Tryton (UPS, with "
            "tracking numbers); the store was paid at checkout ..."
        )
        _ship_in_erp(hub, shipped)
        summary.orders_shipped_in_erp = len(shipped)
        hub.run_flow("fulfillments-to-channels")  # rather than wait for its next run
        rows = _follow_lifecycle(hub, ids, numbers, shipped, live_view_for(as_json, console))
        summary.orders_fulfilled_in_store = sum(
            1
            for order_id in shipped
            if shop.get(f"/_sandbox/orders/{order_id}").json()["order"]["fulfillment_status"]
            == "fulfilled"
        )
        summary.invoices_paid_in_erp = sum(1 for row in rows if row[4] == "paid")
    except Exception as exc:  # the summary reports it; --once fails on it
        summary.problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        summary.seconds = round(time.monotonic() - started, 1)
        if not once and not summary.problems and hub is not None:
            # The API needs a key (docs/security.md): one that can only read, for the tour.
            _, key = api_keys.create(hub.store, f"demo-{secrets.token_hex(3)}", "read")
            say(
                "\nThe hub keeps running. Look an order up with a read-only API key made "
                "for the demo (`causeway keys create` makes your own):"
            )
            if not as_json:  # one line, unwrapped, to copy
                console.print(
                    f"  curl -H 'Authorization: Bearer {key}' "
                    f"{servers[1].url}/api/orders/shop/{ids[0]}",
                    soft_wrap=True,
                    highlight=False,
                )
            say(f"Place more orders with POST {servers[0].url}/_sandbox/orders. Ctrl-C stops.")
            try:
                while True:
                    time.sleep(1)
            except KeyboardInterrupt:
                pass
        for server in reversed(servers):
            server.stop()
        if hub is not None:
            hub.stop()
        erp.stop()
        if own_dir:
            shutil.rmtree(workdir, ignore_errors=True)
    _print_summary(summary, as_json, console)
    return summary.ok


def _print_summary(summary: DemoSummary, as_json: bool, console: Console) -> None:
    data = asdict(summary) | {"ok": summary.ok}
    if as_json:
        print(json.dumps(data, default=lambda o: str(o) if isinstance(o, Decimal) else o))
        return
    console.print()
    table = Table("", "", title="Summary", show_header=False)
    for key in (
        "orders_placed",
        "orders_in_erp",
        "erp_sales_for_these_orders",
        "webhook_deliveries",
        "duplicates_ignored",
        "stock_skus_published",
        "orders_shipped_in_erp",
        "orders_fulfilled_in_store",
        "invoices_paid_in_erp",
        "seconds",
    ):
        table.add_row(key.replace("_", " "), str(data[key]))
    console.print(table)
    for problem in summary.problems:
        console.print(f"[red]problem:[/red] {problem}")
    console.print(
        "[green]every order reached the ERP exactly once; shipments fulfilled their store "
        "orders and payments paid the ERP invoices[/green]"
        if summary.ok
        else "[red]not every order went all the way: see the summary above[/red]"
    )
