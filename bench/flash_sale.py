"""Flash sale: four channels sell one SKU with 100 units in the ERP; how many units are
sold that the ERP does not have (oversold), and how fast each sale reaches every channel.

Two Shopify stores, a WooCommerce store and Amazon (the sandboxes) sell one SKU that the
real Tryton holds 100 of. Buyers check out on each channel as fast as it lets them until
every channel shows 0 and the hub has nothing left to do. A channel decrements its own
stock when it sells and refuses a sale beyond what it shows (Shopify: a tracked item,
policy "deny"; WooCommerce: manage_stock, no backorders; Amazon: the merchant-fulfilled
listing's DEFAULT quantity, the sandbox's `sell_from_listings`), so oversold units are
counted from the orders the channels took, not computed. Each Amazon order's ORDER_CHANGE
goes on an SQS queue (moto) as it is taken; Amazon's stock is published by a
JSON_LISTINGS_FEED that the sandbox processes in bench/_flash_amazon.FEED_PROCESSING_S
(a sold-out by patchListingsItem at once), so its times include the feed's processing.
The hub runs as `causeway run` in its own process: orders-to-erp places the orders in
Tryton, stock-to-channels publishes.

Side by side, in one run, each with its own SKU, stores and hub:
- the baseline, the usual batch integration: stock-to-channels every 5 minutes and not on
  a sale (`republish_on_sale: false`), every channel shown the whole quantity. The sale is
  over long before the next run: that is its behaviour, configured, not simulated;
- Causeway in real time, every channel shown the whole quantity (`targets:`);
- Causeway in real time, each channel a quarter (`share: 1/4`, the no-oversell split).

"To every channel" is, for each sale, the time until every channel shows no more than its
part of what the ERP has left after that sale (the selling store at once; the others when
a publish, or their own sales, bring them there). "Publishes" counts the stock writes the
stores received from the hub after the first one.

"Each channel" is the same per channel: until that channel shows no more than its part.

Demand is uneven, as in a real sale: shop_a has the most buyers, the WooCommerce store the
fewest, so a split of the stock has to follow the sales, not just be set once.

    .venv/bin/python -m bench.flash_sale [--units 100] [--buyers 3 2 1 2] [--rate 6]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from bench._common import start_tryton
from bench._flash_amazon import FEED_PROCESSING_S
from bench._flash_stores import (
    AMAZON,
    CHANNELS,
    PRICE,
    WOO,
    Stores,
    hub_config,
    open_stores,
    subscribed,
)
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine.jobs import JobQueue, RetryPolicy
from causeway.engine.store import Store
from causeway_sandbox.localserver import HubProcess
from causeway_sandbox.tryton.server import TrytonServer
from causeway_sandbox.tryton.testkit import TrytonTestKit

SAMPLE_EVERY = 0.02  # how often the stores' quantities are read
QUIET = 3.0  # every store at 0 and the hub idle this long: the sale is over
LONGEST = 60.0  # a side ends after this long even if the ERP is still taking its orders


@dataclass(frozen=True)
class Side:
    label: str
    republish_on_sale: bool
    share: Fraction | None  # None: every channel sees the whole quantity

    def part(self, left: int) -> int:
        """What one channel may show when the ERP has `left` (stock/allocation.py's rule)."""
        left = max(0, left)
        return left if self.share is None else math.floor(self.share * left)


SIDES = (
    Side(f"Causeway real time, shares 1/{len(CHANNELS)}", True, Fraction(1, len(CHANNELS))),
    Side("Causeway real time, whole stock", True, None),
    Side("batch every 5 min (baseline)", False, None),
)


@dataclass
class Outcome:
    side: Side
    sold: dict[str, int]
    erp_left: int | None
    publishes: int
    lasted: float
    latencies: list[float]  # per sale, to every channel
    to_each: dict[str, list[float]]  # per channel, per sale: until it showed its part
    never: int  # sales some channel never reflected before the end
    refused: int
    erp_busy: bool  # the ERP was still taking orders when the side ended
    dead_jobs: int

    @property
    def total(self) -> int:
        return sum(self.sold.values())


def wait_for(what: str, done: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"flash sale: {what} did not happen within {timeout:.0f} s")
        time.sleep(0.1)


class Observer(threading.Thread):
    """Reads every store's quantity every SAMPLE_EVERY seconds: (time, {channel: qty})."""

    def __init__(self, stores: Stores) -> None:
        super().__init__(daemon=True)
        self.stores = stores
        self.samples: list[tuple[float, dict[str, int]]] = []
        self.stop = threading.Event()

    def latest(self) -> dict[str, int]:
        return self.samples[-1][1]

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append((time.monotonic(), self.stores.shown()))
            self.stop.wait(SAMPLE_EVERY)


def buyer(
    stores: Stores,
    channel: str,
    number: int,
    rate: float,
    observer: Observer,
    sales: list[tuple[float, str]],
    refusals: list[float],
    stop: threading.Event,
) -> None:
    """A shopper who keeps buying one unit while the store shows any."""
    rng = random.Random(number)
    while not stop.is_set():
        if observer.latest()[channel] <= 0:
            stop.wait(SAMPLE_EVERY)
            continue
        if stores.buy(channel, number):
            sales.append((time.monotonic(), channel))
        else:
            refusals.append(time.monotonic())
        stop.wait(rng.expovariate(rate))


def to_every_channel(
    side: Side, units: int, sales: list[tuple[float, str]], samples: list[Any]
) -> tuple[list[float], int, dict[str, list[float]]]:
    """Per sale, seconds until every channel showed at most its part of what was left;
    sales some channel never reflected; and per channel, the seconds until it did."""
    latencies, never = [], 0
    to_each: dict[str, list[float]] = {name: [] for name in CHANNELS}
    for k, (sold_at, _) in enumerate(sorted(sales), start=1):
        target = side.part(units - k)
        reached: dict[str, float] = {}
        for at, shown in samples:
            if at < sold_at:
                continue
            for name in CHANNELS:
                if name not in reached and shown[name] <= target:
                    reached[name] = at
            if len(reached) == len(CHANNELS):
                break
        for name, at in reached.items():
            to_each[name].append(max(0.0, at - sold_at))
        if len(reached) < len(CHANNELS):
            never += 1
        else:
            latencies.append(max(0.0, max(reached.values()) - sold_at))
    return latencies, never, to_each


def flash_sale(
    erp: TrytonServer, side: Side, *, units: int, buyers: list[int], rate: float
) -> Outcome:
    sku = f"FLASH-{uuid.uuid4().hex[:6].upper()}"
    with TrytonConnector(erp.url, erp.database, erp.username, erp.password) as tryton:
        TrytonTestKit(tryton).ensure_product(
            sku, f"Flash {sku}", Decimal(PRICE), Decimal("8"), Decimal(units)
        )
    stores = open_stores(sku)
    workdir = Path(tempfile.mkdtemp(prefix="causeway-flash-"))
    config = hub_config(
        workdir, erp, stores, share=side.share, republish_on_sale=side.republish_on_sale
    )
    hub = HubProcess(workdir, config).start()
    jobs = JobQueue(Store(config["store"]["url"]), RetryPolicy(1, 1, 1))
    observer = Observer(stores)
    stop = threading.Event()
    try:
        first = side.part(units)
        wait_for("the first publish", lambda: set(stores.shown().values()) == {first})
        wait_for("the webhook subscriptions", lambda: subscribed(stores))
        writes_before = stores.stock_writes()
        log(side, "stores stocked, webhooks subscribed")
        observer.start()
        wait_for("the observer", lambda: bool(observer.samples))
        sales: list[tuple[float, str]] = []
        refusals: list[float] = []
        threads = [
            threading.Thread(
                target=buyer,
                args=(stores, c, i * 10 + n, rate, observer, sales, refusals, stop),
                daemon=True,
            )
            for i, c in enumerate(CHANNELS)
            for n in range(buyers[i])
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        quiet_since, erp_busy = None, False
        # Over when every store shows 0 and the hub has nothing left that could change it.
        while True:
            time.sleep(0.2)
            idle = not any(observer.latest().values()) and not jobs.unfinished()
            if not idle:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= QUIET:
                break
            if not side.republish_on_sale and not any(observer.latest().values()):
                break  # no run is coming before 5 minutes: nothing will change the stores
            if time.monotonic() - started > LONGEST:
                erp_busy = True
                break
        stop.set()
        for thread in threads:
            thread.join()
        lasted = (max(at for at, _ in sales) if sales else started) - started
        observer.stop.set()
        observer.join()
        latencies, never, to_each = to_every_channel(side, units, sales, observer.samples)
        log(side, f"sale over after {time.monotonic() - started:.1f} s; hub log {hub.log}")
        dump(workdir, sales, observer.samples)
        sold = stores.sold()
        assert sum(sold.values()) == len(sales), (sold, len(sales))  # stores and buyers agree
        with TrytonConnector(erp.url, erp.database, erp.username, erp.password) as tryton:
            levels = tryton.stock_levels([sku])
        return Outcome(
            side,
            sold,
            int(levels[0].forecast) if levels and not jobs.unfinished() else None,
            stores.stock_writes() - writes_before,
            lasted,
            latencies,
            to_each,
            never,
            len(refusals),
            erp_busy,
            len(jobs.dead()),
        )
    finally:
        stop.set()
        observer.stop.set()
        hub.stop()
        stores.close()


def log(side: Side, text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {side.label}: {text}", file=sys.stderr, flush=True)


def dump(workdir: Path, sales: list[Any], samples: list[Any]) -> None:
    (workdir / "sale.json").write_text(json.dumps({"sales": sales, "samples": samples}))


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def report(outcomes: list[Outcome], units: int, buyers: list[int], rate: float) -> None:
    print(
        f"flash sale: 1 SKU, {units} units in the real Tryton 8.2; 2 Shopify stores + 1 "
        f"WooCommerce store + Amazon with {'/'.join(map(str, buyers))} buyers, each trying "
        f"{rate:g} checkouts/s; Amazon's feeds processed in {FEED_PROCESSING_S:g} s"
    )
    head = (
        f"{'':33} {'sold':>5} {'oversold':>8} {'unsold':>6} {'a':>4} {'b':>4} {'woo':>4} "
        f"{'amz':>4} "
        f"{'sale':>7} {'p50':>8} {'p99':>8} {'never':>5} {'publishes':>9} {'ERP left':>8}"
    )
    print(head)
    for o in outcomes:
        erp = "-" if o.erp_left is None else str(o.erp_left)
        print(
            f"{o.side.label:33} {o.total:5} {max(0, o.total - units):8} "
            f"{max(0, units - o.total):6} {o.sold['shop_a']:4} {o.sold['shop_b']:4} "
            f"{o.sold[WOO]:4} {o.sold[AMAZON]:4} {o.lasted:6.1f}s "
            f"{seconds(percentile(o.latencies, 50)):>8} "
            f"{seconds(percentile(o.latencies, 99)):>8} {o.never:5} {o.publishes:9} {erp:>8}"
        )
        each = ", ".join(
            f"{name} {seconds(percentile(o.to_each[name], 50))}/"
            f"{seconds(percentile(o.to_each[name], 99))}"
            for name in CHANNELS
        )
        print(f"  to each channel's new quantity, p50/p99: {each}")
        if o.erp_busy or o.dead_jobs:
            print(
                f"  the ERP was still taking the orders after {LONGEST:.0f} s (its figure is "
                f"not shown); parked orders: {o.dead_jobs}"
            )
    print(
        "sold/oversold/unsold: units in the stores' orders, against the ERP's; p50/p99: from "
        "a sale until every channel shows at most its part of what is left; never: sales "
        "some channel had not reflected when the sale ended; ERP left: Tryton's forecast "
        "once every order is placed (- : the baseline's hub was stopped before)"
    )
    causeway = next((o for o in outcomes if o.side is SIDES[0]), None)
    baseline = next((o for o in outcomes if not o.side.republish_on_sale), None)
    if causeway is None or baseline is None:
        return  # --only: no comparison
    over = max(0, causeway.total - units), max(0, baseline.total - units)
    print(f"oversold: Causeway {over[0]} units, baseline {over[1]} units (target: 0)")
    p99 = percentile(causeway.latencies, 99)
    print(f"Causeway p99 to every channel: {seconds(p99)} (target: under 5 s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument(
        "--buyers",
        type=int,
        nargs=len(CHANNELS),
        default=[3, 2, 1, 2],
        help="of shop_a, shop_b, woo and amazon",
    )
    parser.add_argument("--rate", type=float, default=6.0, help="checkouts/s per buyer")
    parser.add_argument("--only", type=int, nargs="*", help="the sides to run (0, 1, 2)")
    args = parser.parse_args()
    erp = start_tryton()
    try:
        outcomes = [
            flash_sale(erp, side, units=args.units, buyers=args.buyers, rate=args.rate)
            for i, side in enumerate(SIDES)
            if args.only is None or i in args.only
        ]
    finally:
        erp.stop()
    report(outcomes, args.units, args.buyers, args.rate)


if __name__ == "__main__":
    main()
