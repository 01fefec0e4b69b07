"""One soak run from start to report: the world, the shopper, the chaos, the drain, the
final stock publication and the reconciliation."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from bench.soak.chaos import Chaos, ChaosLog
from bench.soak.plan import SoakPlan
from bench.soak.readers import (
    UNFINISHED_ORDER_JOBS,
    erp_forecast,
    erp_references,
    erp_sales,
    fault_counts,
    hub_jobs,
    store_inventory,
    store_orders,
)
from bench.soak.reconcile import (
    Reconciliation,
    erp_stock_drift,
    reconcile_orders,
    reference_of,
    sellable,
    stock_mismatches,
)
from bench.soak.shopper import Ledger, Shopper, soak_skus
from bench.soak.world import NO_FAULTS, PREFIX, World, base_faults, start_world

Say = Callable[[str], None]


@dataclass
class SoakReport:
    plan: SoakPlan
    workdir: str
    reconciliation: Reconciliation
    ledger: Ledger
    chaos: ChaosLog
    faults: dict[str, int]
    jobs: dict[str, int]
    ordering_seconds: float
    drain_seconds: float | None  # from the last order; None: not drained in time
    stock_mismatches_before_full_run: int
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.reconciliation.ok and self.drain_seconds is not None and not self.errors


def run_soak(plan: SoakPlan, say: Say = print) -> SoakReport:
    events = plan.chaos()
    say(f"soak: {plan.orders} orders at {plan.rate}/s, seed {plan.seed}; chaos timetable:")
    for event in events:
        say(f"  {event.describe()}")
    world = start_world(plan)
    say(
        f"soak: systems up in {world.workdir} "
        f"(ERP {world.erp.url}, store {world.sandbox.url}, hub {world.hub.url})"
    )
    errors: list[str] = []
    try:
        shop = httpx.Client(base_url=world.sandbox.url, timeout=60, trust_env=False)
        faults = base_faults(plan)
        shop.put("/_sandbox/faults", json=faults).raise_for_status()
        shopper = Shopper(plan, world.sandbox.url)
        chaos = Chaos(
            events,
            hub=world.hub,
            erp=world.erp,
            shop_url=world.sandbox.url,
            base_faults=faults,
            storm_rate_429=plan.storm_rate_429,
            slow_latency_ms=plan.slow_latency_ms,
            started_at=lambda: shopper.started_at,
            say=say,
        )
        shopper.started_at = time.monotonic()
        shopper.start()
        chaos.start()
        while shopper.is_alive():
            shopper.join(timeout=15)
            say(f"soak: {len(shopper.ledger.placed)} orders placed, changes {shopper.ledger.done}")
        ordering_seconds = time.monotonic() - shopper.started_at
        chaos.stop()
        errors += [f"{t.name}: {t.error!r}" for t in (shopper, chaos) if t.error]
        if world.hub.process is None or world.hub.process.poll() is not None:
            world.hub.start(timeout=60)  # the chaos thread failed while it was down
        if not world.erp.running:
            world.erp.start(fresh=False)
        # The ERP is the bottleneck: most of the hub's store calls come after the last
        # order. The faults stay on until every order has its sale, then go off.
        say("soak: orders stopped; faults stay on until every order is in the ERP")
        stopped = time.monotonic()
        wait_until_placed(world, shop, shopper.ledger, plan.drain_timeout)
        shop.put("/_sandbox/faults", json=NO_FAULTS).raise_for_status()
        say("soak: faults off; waiting for the drain")
        drained = wait_for_drain(world, shop, shopper.ledger, say)
        drain_seconds = None if drained is None else time.monotonic() - stopped
        inventory = store_inventory(shop, soak_skus(plan))
        before = stock_mismatches(
            inventory, sellable(erp_forecast(world.erp, soak_skus(plan)), plan.safety_stock)
        )
        world.hub.stop()
        errors += final_stock_publication(world)
        report = SoakReport(
            plan=plan,
            workdir=str(world.workdir),
            reconciliation=reconcile(world, shop, shopper.ledger),
            ledger=shopper.ledger,
            chaos=chaos.log,
            faults=fault_counts(shop),
            jobs=hub_jobs(world.hub_db),
            ordering_seconds=ordering_seconds,
            drain_seconds=drain_seconds,
            stock_mismatches_before_full_run=len(before),
            errors=errors,
        )
        shop.close()
        return report
    finally:
        world.stop()


def reconcile(world: World, shop: httpx.Client, ledger: Ledger) -> Reconciliation:
    skus = soak_skus(world.plan)
    orders = store_orders(shop, set(ledger.placed))
    result = reconcile_orders(orders, erp_sales(world.erp, PREFIX), PREFIX)
    forecast = erp_forecast(world.erp, skus)
    result.stock_mismatches = stock_mismatches(
        store_inventory(shop, skus), sellable(forecast, world.plan.safety_stock)
    )
    result.erp_stock_drift = erp_stock_drift(world.starting_stock, forecast, orders)
    return result


def wait_until_placed(world: World, shop: httpx.Client, ledger: Ledger, timeout: float) -> None:
    """Until every store order that is not cancelled has a sale (or the timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        live = {
            reference_of(order, PREFIX)
            for order in store_orders(shop, set(ledger.placed))
            if not order.get("cancelled_at")
        }
        if live <= erp_references(world.erp, PREFIX):
            return
        time.sleep(5)


def wait_for_drain(world: World, shop: httpx.Client, ledger: Ledger, say: Say) -> float | None:
    """Seconds until every webhook is delivered, no order job is left, and the ERP has
    every order as the store has it (placed, edited, paid, cancelled); None on timeout."""
    started = time.monotonic()
    deadline = started + world.plan.drain_timeout
    last_said = 0.0
    while time.monotonic() < deadline:
        idle = shop.post("/_sandbox/deliveries/wait", json={"timeout": 5}).json()["idle"]
        jobs = hub_jobs(world.hub_db)
        if idle and jobs[UNFINISHED_ORDER_JOBS] == 0:
            orders = store_orders(shop, set(ledger.placed))
            result = reconcile_orders(orders, erp_sales(world.erp, PREFIX), PREFIX)
            behind = len(result.lost) + len(result.not_cancelled) + len(result.not_paid)
            if not behind and not result.wrong:
                return time.monotonic() - started
        else:
            behind = -1
        if time.monotonic() - last_said > 15:
            last_said = time.monotonic()
            say(f"soak: draining: deliveries idle {idle}, jobs {jobs}, orders behind {behind}")
        time.sleep(2)
    return None


def final_stock_publication(world: World) -> list[str]:
    """`causeway sync stock --full`, as an operator would run it; its failure is reported."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "causeway.cli",
            "sync",
            "stock",
            "--full",
            "-c",
            str(world.hub.config_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        return [f"causeway sync stock --full exited {done.returncode}: {done.stderr[-500:]}"]
    return []
