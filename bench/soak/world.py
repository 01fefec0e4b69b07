"""The systems a soak runs against: a fresh real Tryton, the Shopify sandbox, the hub as a
process, each in the run's own folder, with the soak's SKUs in both the ERP and the store.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from bench.soak.plan import SoakPlan
from bench.soak.readers import connect
from bench.soak.shopper import soak_skus
from causeway_sandbox.demo import local_config
from causeway_sandbox.localserver import HubProcess, free_port
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from causeway_sandbox.tryton.server import TrytonServer, default_build_dir, ensure_built
from causeway_sandbox.tryton.testkit import TrytonTestKit

SECRET = "soak-webhook-secret"
TOKEN = "shpat_soak"
PREFIX = "soak-"


def price_of(sku: str) -> Decimal:
    return Decimal(5 + int(sku.rsplit("-", 1)[1])) + Decimal("0.90")


def base_faults(plan: SoakPlan) -> dict[str, Any]:
    """The store's faults while orders flow (storms and slow spells come on top)."""
    return {
        "error_rate_5xx": plan.error_rate_5xx,
        "rate_429": plan.rate_429,
        "latency_ms": 0,
        "duplicate_rate": plan.duplicate_rate,
        "webhook_timeout_rate": plan.webhook_timeout_rate,
        "out_of_order": plan.out_of_order,
    }


NO_FAULTS = {
    "error_rate_5xx": 0.0,
    "rate_429": 0.0,
    "latency_ms": 0,
    "duplicate_rate": 0.0,
    "webhook_timeout_rate": 0.0,
    "out_of_order": False,
}


def hub_config(plan: SoakPlan, workdir: Path, erp: TrytonServer, shop_url: str) -> dict[str, Any]:
    """The demo's local configuration with every order flow on: orders (webhooks plus a
    frequent reconciling poll), stock, cancellations and payments. Short leases and
    backoff, and attempts enough to outlast every outage the timetable makes."""
    port = free_port()
    config = local_config(workdir, erp, shop_url, token=TOKEN, secret=SECRET, port=port)
    config["store"] = {"url": f"sqlite:///{workdir / 'hub.db'}"}
    config["workers"] = {
        "count": plan.workers,
        "lease": "3s",
        "backoff_base": "200ms",
        "backoff_cap": "3s",
        "max_attempts": 200,
    }
    flows = config["flows"]
    flows["orders-to-erp"].update(
        reconcile_every=plan.reconcile_every,
        batch_size=plan.batch_size,
        reference_prefix=PREFIX,
    )
    flows["stock-to-channels"].update(every=plan.stock_every, safety_stock=plan.safety_stock)
    flows["cancellations"] = {"source": "shop", "target": "erp"}
    flows["payments-and-invoices"] = {"source": "shop", "target": "erp", "refresh_every": "1h"}
    return config


@dataclass
class World:
    plan: SoakPlan
    workdir: Path
    erp: TrytonServer
    sandbox: SandboxServer
    hub: HubProcess
    starting_stock: dict[str, Decimal]

    @property
    def hub_db(self) -> Path:
        return self.hub.workdir / "hub.db"

    def stop(self) -> None:
        self.hub.stop()
        self.sandbox.stop()
        self.erp.stop()


def start_world(plan: SoakPlan) -> World:
    workdir = plan.workdir or Path(tempfile.mkdtemp(prefix="causeway-soak-"))
    workdir.mkdir(parents=True, exist_ok=True)
    build = default_build_dir()
    ensure_built(build)
    erp = TrytonServer(build, workdir / "tryton").start()
    sandbox: SandboxServer | None = None
    try:
        skus = soak_skus(plan)
        stock = Decimal(plan.stock_per_sku)
        with connect(erp) as connector:
            for sku in skus:
                TrytonTestKit(connector).ensure_product(
                    sku, f"Soak item {sku}", price_of(sku), Decimal(3), stock
                )
        sandbox = SandboxServer(
            SandboxSettings(api_secret=SECRET, access_token=TOKEN, seed=plan.seed)
        ).start()
        with httpx.Client(base_url=sandbox.url, timeout=30, trust_env=False) as shop:
            for sku in skus:
                shop.post(
                    "/_sandbox/products",
                    json={
                        "title": f"Soak item {sku}",
                        "sku": sku,
                        "price": str(price_of(sku)),
                        "quantity": plan.stock_per_sku - plan.safety_stock,
                    },
                ).raise_for_status()
        hub_dir = workdir / "hub"
        hub_dir.mkdir(exist_ok=True)
        hub = HubProcess(hub_dir, hub_config(plan, hub_dir, erp, sandbox.url)).start(timeout=60)
    except BaseException:
        if sandbox is not None:
            sandbox.stop()
        erp.stop()
        raise
    return World(plan, workdir, erp, sandbox, hub, {sku: stock for sku in skus})
