"""Shared pieces of the benchmarks: a fresh Tryton, store-shaped orders, signing."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import multiprocessing
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from causeway_sandbox.demo import local_config
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from causeway_sandbox.tryton.server import TrytonServer, default_build_dir, ensure_built

SECRET = "bench-secret"
TOKEN = "shpat_bench"
SKUS = [f"SKU-{n:04d}" for n in range(1, 41)]
POSTGRES_ADMIN_URL = os.environ.get(
    "CAUSEWAY_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def start_tryton() -> TrytonServer:
    build = default_build_dir()
    ensure_built(build)
    return TrytonServer(build, Path(tempfile.mkdtemp(prefix="causeway-bench-"))).start()


@contextmanager
def stocked_sandbox(quantity: int) -> Iterator[tuple[SandboxServer, httpx.Client]]:
    """A Shopify sandbox selling every bench SKU at 9.00, `quantity` of each in stock."""
    with SandboxServer(SandboxSettings(api_secret=SECRET, access_token=TOKEN)) as sandbox:
        shop = httpx.Client(base_url=sandbox.url, timeout=30)
        for sku in SKUS:
            shop.post(
                "/_sandbox/products",
                json={"title": sku, "sku": sku, "price": "9.00", "quantity": quantity},
            ).raise_for_status()
        yield sandbox, shop


def store_orders(count: int, tag: str, templates: int = 20) -> list[dict[str, Any]]:
    """`count` REST-shaped Shopify orders (the webhook body), made by the sandbox's
    checkout and then cloned with fresh ids so that thousands cost little."""
    with stocked_sandbox(100_000) as (_, shop):
        made = []
        for i in range(min(templates, count)):
            lines = [{"sku": SKUS[(i * 2 + k) % len(SKUS)], "quantity": 1 + k} for k in range(2)]
            made.append(
                shop.post(
                    "/_sandbox/orders",
                    json={
                        "email": f"{tag}-customer{i % 5}@example.com",
                        "first_name": "Bench",
                        "last_name": f"Customer {i % 5}",
                        "lines": lines,
                        "tax_rate": "0.10",
                    },
                ).json()
            )
    orders = []
    for i in range(count):
        order = copy.deepcopy(made[i % len(made)])
        order["id"] = 9_000_000 + i
        order["name"] = f"#{tag}{i}"
        order["order_number"] = i
        orders.append(order)
    return orders


SPAWN = multiprocessing.get_context("spawn")


@dataclass
class WorkerProcesses:
    """Worker processes started and ready: `go` starts them all at once, `stop` ends them."""

    processes: list[BaseProcess]
    go: Event
    stop: Event

    def join(self) -> None:
        self.stop.set()
        for process in self.processes:
            process.join(timeout=60)


def start_workers(target: Callable[..., None], url: str, count: int) -> WorkerProcesses:
    """`count` processes running target(url, name, ready, go, stop), each of which puts its
    name on `ready` once set up and works from `go` until `stop`; returns once all are ready."""
    ready, go, stop = SPAWN.Queue(), SPAWN.Event(), SPAWN.Event()
    processes = [
        SPAWN.Process(target=target, args=(url, f"w{i}", ready, go, stop)) for i in range(count)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=120)
    return WorkerProcesses(processes, go, stop)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting until {what}")
        time.sleep(0.02)


def webhook(order: dict[str, Any], event_id: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(order).encode()
    signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    return body, {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": signature,
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Shop-Domain": "bench.myshopify.com",
    }


def hub_settings(
    workdir: Path, erp: TrytonServer, shop_url: str, port: int, **server: Any
) -> dict[str, Any]:
    """The demo's local configuration with one worker, orders only, nothing scheduled."""
    config = local_config(workdir, erp, shop_url, token=TOKEN, secret=SECRET, port=port)
    # No public_url: the bench posts the webhooks itself, nothing is to subscribe.
    config["server"] = {"port": port, **server}
    config["workers"] = {"count": 1, "lease": "60s", "backoff_base": "200ms", "backoff_cap": "2s"}
    config["flows"]["orders-to-erp"]["reconcile_every"] = "1h"
    del config["flows"]["stock-to-channels"]
    return config


@contextmanager
def postgres_database(tag: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one run (dropped after), as a store URL."""
    name = f"causeway_bench_{tag}_{uuid.uuid4().hex[:8]}".lower()
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
