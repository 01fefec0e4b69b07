"""The B2B portal's catalogue page with 10,000 products and live availability, and its
checkout, against the same pages reading the ERP one product at a time.

A Tryton of its own (a fresh copy of the build's template database) gets `--products`
extra goods products, created in batches of 50 over JSON-RPC; Acme's price list (0.9 x
list price, 0.8 from 10 units) prices them all. One hub serves the portal over HTTP
(uvicorn, as in production) to a signed-in Acme buyer, and the bench times GET requests:

- the catalogue's first page, and a search (a word of a name: a page of 24 of ~1,250);
- a new search each time (a number no search had before): its prices are read cold,
  which is the ERP's own price computation (reported; the target is for the two above);
- "batched": the portal as shipped: the product list shared, each page's prices and
  availability read in one batch per price break and per warehouse (portal/catalogue.py),
  kept for portal.cache_seconds (5 s): expiries happen during the run and are timed too;
- "batched, no cache": the same reads with a cache of 1 ms: every request reads the ERP;
- "one at a time": the baseline, the same page whose prices and availability are read
  with one ERP call per product (per break and per warehouse), nothing cached.

Checkout (bench/portal_checkout.py): the POST /portal/checkout of a cart of 10 lines, as
shipped ("batched": one quote of the cart, the credit read, the checkout written) and
priced one line at a time; and apart, "checkout to ERP number": from the POST to the ERP's
sale number on the checkout, placed by the portal-orders flow's job.

Target: p95 under 300 ms for "batched" (the catalogue's first page and search, checkout).

    .venv/bin/python -m bench.portal [--products 10000] [--requests 200] [--placed 20]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from bench import portal_checkout
from bench._common import start_tryton
from causeway.access.portal_sessions import COOKIE, portal_policy
from causeway.config import parse_config
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import portal_accounts, portal_sessions
from causeway.hub import Hub
from causeway.model.ports.portal import Availability, PartyPrices, PortalProduct, PriceBreak
from causeway.portal import catalogue as portal_catalogue
from causeway.portal.catalogue import Catalogue
from causeway.web.app import create_app
from causeway_sandbox.localserver import BackgroundServer
from causeway_sandbox.tryton.server import TrytonServer

TARGET_MS = 300.0
BATCH = 50  # Tryton on SQLite: 200 templates in one create overflow its SQL parser


# -- the filler ----------------------------------------------------------------------------
def add_products(erp: TrytonServer, count: int) -> float:
    """`count` salable goods products BENCH-00001..., in batches; seconds it took."""
    started = time.perf_counter()
    with TrytonConnector(erp.url, erp.database, erp.username, erp.password) as tryton:
        rpc = tryton.rpc
        (unit,) = rpc.search_read("product.uom", [("name", "=", "Unit")], ["id"])
        (goods,) = rpc.search_read("product.category", [("name", "=", "Goods")], ["id"])
        for start in range(0, count, BATCH):
            values = [
                {
                    "name": f"Bench part {n} {WORDS[n % len(WORDS)]}",
                    "type": "goods",
                    "salable": True,
                    "default_uom": unit["id"],
                    "sale_uom": unit["id"],
                    "list_price": Decimal(5 + n % 200),
                    "account_category": goods["id"],
                    "products": [("create", [{"suffix_code": f"BENCH-{n:05d}"}])],
                }
                for n in range(start, min(count, start + BATCH))
            ]
            rpc.create("product.template", values)
            done = min(count, start + BATCH)
            print(f"  {done:,} products ({time.perf_counter() - started:.0f} s)", flush=True)
    return time.perf_counter() - started


WORDS = ("bolt", "bracket", "hinge", "valve", "spring", "washer", "gasket", "clamp")


# -- the baseline ----------------------------------------------------------------------------
class OneAtATime:
    """The ERP read one product at a time: what a portal without batching does. The
    product list itself is read once (both sides share it: it is not what is compared)."""

    def __init__(self, erp: TrytonConnector) -> None:
        self.erp = erp
        self._products: list[PortalProduct] | None = None

    def portal_products(self) -> Sequence[PortalProduct]:
        if self._products is None:
            self._products = list(self.erp.portal_products())
        return self._products

    def party_prices(self, party_id: int, skus: Sequence[str]) -> PartyPrices:
        breaks: dict[str, tuple[PriceBreak, ...]] = {}
        found = self.erp.party_prices(party_id, [])
        for sku in skus:
            found = self.erp.party_prices(party_id, [sku])
            breaks.update(found.breaks)
        return PartyPrices(currency=found.currency, price_list=found.price_list, breaks=breaks)

    def availability(
        self, skus: Sequence[str], warehouses: Sequence[str] | None = None
    ) -> Mapping[str, Availability]:
        result: dict[str, Availability] = {}
        for sku in skus:
            result.update(self.erp.availability([sku], warehouses))
        return result

    def product_image(self, sku: str, index: int = 0) -> tuple[bytes, str] | None:
        return self.erp.product_image(sku, index)


# -- timing --------------------------------------------------------------------------------
def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """p50 and p95 of `call`, in milliseconds (after one warm-up call)."""
    call()
    took = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return statistics.median(took), took[min(len(took) - 1, int(len(took) * 0.95))]


def pages(
    client: httpx.Client, rng: random.Random, products: int
) -> dict[str, Callable[[], object]]:
    def get(path: str, params: dict[str, Any] | None = None) -> None:
        answer = client.get(path, params=params)
        answer.raise_for_status()
        if 'class="product-card"' not in answer.text:
            raise SystemExit(f"{path} {params} shows no product: {answer.text[:500]}")

    return {
        "first page": lambda: get("/portal"),
        "search": lambda: get("/portal", {"q": "hinge"}),
        # A search no one made before: its page's prices are not cached (the cold read).
        "new search": lambda: get("/portal", {"q": f"part {rng.randrange(products)} "}),
    }


def measure(hub: Hub, client: httpx.Client, repeat: int, products: int) -> dict[Any, Any]:
    rng = random.Random(13)
    results: dict[Any, Any] = {}
    shipped = portal_catalogue.catalogue_of(hub)  # as the portal makes it, held stock too
    erp = hub.connectors["erp"]
    assert isinstance(erp, TrytonConnector)
    same = {
        "held": shipped._held_reader,
        "warehouse_key": shipped._warehouse_key,
        "refresh_in_background": False,  # every request reads the ERP
    }
    kinds = {
        "batched": shipped,
        "batched, no cache": Catalogue(erp, cache_seconds=0.001, **same),  # type: ignore[arg-type]
        "one at a time": Catalogue(OneAtATime(erp), cache_seconds=0.001, **same),  # type: ignore[arg-type]
    }
    for kind, catalogue in kinds.items():
        if kind != "batched":  # the product list is shared: what is compared is the rest
            catalogue._products = kinds["batched"]._products
        portal_catalogue._CATALOGUES[hub] = catalogue
        calls = erp.rpc.calls
        runs = repeat if kind != "one at a time" else max(3, repeat // 40)
        for what, call in pages(client, rng, products).items():
            results[(kind, what)] = timed(call, runs)
        results[(kind, "calls")] = (erp.rpc.calls - calls) / (runs + 1) / 3
        print(f"  {kind}: done", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests of each page")
    parser.add_argument("--placed", type=int, default=20, help="checkouts timed to their sale")
    args = parser.parse_args()
    erp = start_tryton()
    try:
        print(f"tryton: adding {args.products:,} products ...")
        fill = add_products(erp, args.products)
        with tempfile.TemporaryDirectory(prefix="causeway-portal-bench-") as folder:
            results = run(erp, Path(folder), args)
    finally:
        erp.stop()
    report(results, args, fill)


def run(erp: TrytonServer, folder: Path, args: argparse.Namespace) -> dict[Any, Any]:
    config = {
        "store": {"url": f"sqlite:///{folder / 'hub.db'}"},
        "systems": {
            "erp": {
                "type": "tryton",
                "url": erp.url,
                "database": erp.database,
                "username": erp.username,
                "password": erp.password,
            }
        },
        "flows": {},
        "portal": {"enabled": True, "erp": "erp"},
    }
    hub = Hub(parse_config(config, env={}))
    hub.store.migrate()
    tryton = TrytonConnector(erp.url, erp.database, erp.username, erp.password)
    (party,) = tryton.rpc.model("party.party", "search", [("name", "=", "Acme Retail Ltd")])
    portal_checkout.open_credit(tryton, party)
    company = portal_accounts.add_company(hub.store, party, "Acme Retail Ltd", actor="bench")
    member = portal_accounts.add_member(hub.store, company.id, "buyer@acme.example", "buyer",
                                        actor="bench")  # fmt: skip
    token = portal_sessions.start(
        hub.store, member.user_id, company.id, portal_policy(hub.config.portal)
    )
    server = BackgroundServer(create_app(hub), name="portal-bench").start()
    try:
        with httpx.Client(base_url=server.url, cookies={COOKIE: token}, timeout=120) as client:
            results = measure(hub, client, args.requests, args.products)
            lines = portal_checkout.cart(args.products)
            checkouts = portal_checkout.Checkouts(hub, client, company, member, lines)
            results |= portal_checkout.measure(hub, checkouts, args.requests, args.placed, timed)
            return results
    finally:
        server.stop()
        tryton.close()
        hub.store.dispose()


def report(results: dict[Any, Any], args: argparse.Namespace, fill: float) -> None:
    kinds = ("batched", "one at a time")
    print(
        f"\n{args.products:,} extra products (filled in {fill:.0f} s); p50 / p95 in ms over "
        f"{args.requests} requests ({max(3, args.requests // 40)} for one at a time); "
        f"target p95 < {TARGET_MS:.0f} ms"
    )
    print(f"{'':>12s}" + "".join(f"{k:>26s}" for k in kinds))
    for what in ("first page", "search", "new search"):
        cells = []
        for kind in kinds:
            p50, p95 = results[(kind, what)]
            targeted = kind == "batched" and what != "new search"
            mark = (" ok" if p95 < TARGET_MS else " SLOW") if targeted else ""
            cells.append(f"{p50:8.1f} / {p95:8.1f}{mark:>5s}")
        print(f"{what:>12s}" + "".join(f"{c:>26s}" for c in cells))
    print(f"{'ERP calls':>12s}" + "".join(f"{results[(k, 'calls')]:>26.1f}" for k in kinds))
    for what in ("first page", "search"):
        ratio = results[("one at a time", what)][0] / results[("batched", what)][0]
        nocache = results[("batched, no cache", what)][0] / results[("batched", what)][0]
        print(f"{what}: one at a time / batched, p50: {ratio:,.0f}x (no cache: {nocache:.1f}x)")
    checkout_report(results, args)
    targets = ("first page", "search", "checkout")
    slow = [w for w in targets if results[("batched", w)][1] >= TARGET_MS]
    print("target met" if not slow else f"target NOT met: {slow}")


def checkout_report(results: dict[Any, Any], args: argparse.Namespace) -> None:
    kinds = ("batched", "one at a time")
    print(
        f"\ncheckout of {portal_checkout.CART_LINES} lines (POST /portal/checkout); p50 / p95 "
        f"in ms over {args.requests} checkouts ({max(5, args.requests // 20)} one at a time)"
    )
    print(f"{'':>16s}" + "".join(f"{k:>26s}" for k in kinds))
    cells = []
    for kind in kinds:
        p50, p95 = results[(kind, "checkout")]
        mark = (" ok" if p95 < TARGET_MS else " SLOW") if kind == "batched" else ""
        cells.append(f"{p50:8.1f} / {p95:8.1f}{mark:>5s}")
    print(f"{'checkout':>16s}" + "".join(f"{c:>26s}" for c in cells))
    calls = [results[(k, "checkout calls")] for k in kinds]
    print(f"{'ERP calls':>16s}" + "".join(f"{c:>26.1f}" for c in calls))
    ratio = results[("one at a time", "checkout")][0] / results[("batched", "checkout")][0]
    print(f"checkout: one at a time / batched, p50: {ratio:,.1f}x")
    p50, p95 = results[("checkout", "to ERP number")]
    print(
        f"checkout to ERP number (the flow's job places the sale; {args.placed} checkouts): "
        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms"
    )


if __name__ == "__main__":
    main()
