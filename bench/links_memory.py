"""Memory of the hub with 1,000,000 links, against the same hub on an empty store.

The hub keeps links, order summaries and jobs in its store, not in memory: a merchant
with years of orders must not need a bigger machine for the hub. Both runs start
`causeway run` (its own process) with the orders and stock flows against the real
Tryton and the Shopify sandbox, and do the same work: a burst of new orders drained
into the ERP, stock published to the store, and lookups of old orders through the API.
The only difference is what the store already holds: nothing, or 500,000 store
orders each linked to its ERP sale (1,000,000 links) with their summaries.

    .venv/bin/python -m bench.links_memory [--links 1000000] [--orders 150]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench._common import SECRET, TOKEN, start_tryton, stocked_sandbox, store_orders, webhook
from bench._memory import status_kb
from causeway.engine import api_keys
from causeway.engine.schema import entities, links
from causeway.engine.store import Store, now
from causeway_sandbox.demo import local_config
from causeway_sandbox.localserver import HubProcess, free_port
from causeway_sandbox.tryton.server import TrytonServer

OLD_ORDER_BASE = 100_000_000
CHUNK = 50_000


def fill_store(url: str, count_links: int) -> float:
    """Write count_links / 2 placed store orders: a shop link, an ERP link, a summary."""
    started = time.perf_counter()
    store = Store(url)
    stamp = now()
    summary = json.dumps(
        {"name": "#old", "total": "42.00", "currency": "EUR", "erp_state": "processing"}
    )
    try:
        for start in range(0, count_links // 2, CHUNK):
            ids = range(start, min(start + CHUNK, count_links // 2))
            hub_ids = [f"old{n:028d}" for n in ids]
            link_rows: list[dict[str, Any]] = []
            for n, hub_id in zip(ids, hub_ids, strict=True):
                common = dict(hub_id=hub_id, created_at=stamp, updated_at=stamp)
                link_rows.append(
                    dict(
                        common,
                        system="shop",
                        entity_type="order",
                        external_id=str(OLD_ORDER_BASE + n),
                        fingerprint="in_erp",
                        remote_updated_at=stamp,
                    )
                )
                link_rows.append(
                    dict(
                        common,
                        system="erp",
                        entity_type="sale",
                        external_id=str(OLD_ORDER_BASE + n),
                        fingerprint="processing",
                        remote_updated_at=None,
                    )
                )
            with store.transaction() as conn:
                conn.execute(links.insert(), link_rows)
                conn.execute(
                    entities.insert(),
                    [
                        dict(
                            hub_id=h,
                            entity_type="order",
                            state="in_erp",
                            summary=summary,
                            created_at=stamp,
                            updated_at=stamp,
                        )
                        for h in hub_ids
                    ],
                )
    finally:
        store.dispose()
    return time.perf_counter() - started


def wait_in_erp(client: httpx.Client, order_ids: list[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = list(order_ids)
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(pending)} orders not in the ERP after {timeout} s")
        pending = [
            i
            for i in pending
            if client.get(f"/api/orders/shop/{i}").json().get("state") != "in_erp"
        ]
        time.sleep(0.5)


def run(
    erp: TrytonServer,
    shop_url: str,
    orders: list[dict[str, Any]],
    tag: str,
    prefilled_links: int,
    lookups: int,
) -> dict[str, float]:
    workdir = Path(tempfile.mkdtemp(prefix=f"causeway-memory-{tag}-"))
    port = free_port()
    config = local_config(workdir, erp, shop_url, token=TOKEN, secret=SECRET, port=port)
    config["server"] = {"port": port}  # the bench posts the webhooks itself
    config["flows"]["orders-to-erp"]["reference_prefix"] = f"{tag}-"
    config["flows"]["orders-to-erp"]["reconcile_every"] = "1h"
    config["flows"]["stock-to-channels"]["every"] = "5s"
    fill_seconds = fill_store(config["store"]["url"], prefilled_links) if prefilled_links else 0.0
    store = Store(config["store"]["url"])
    _, key = api_keys.create(store, "bench", "run")  # it looks orders up and runs a flow
    store.dispose()
    hub = HubProcess(workdir, config).start()
    assert hub.process is not None
    process = psutil.Process(hub.process.pid)
    try:
        time.sleep(2)
        idle_mb = process.memory_info().rss / 2**20
        api_key = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=hub.url, timeout=30, headers=api_key) as client:
            for i, order in enumerate(orders):
                body, headers = webhook(order, f"{tag}-{i}")
                client.post("/webhooks/shop", content=body, headers=headers).raise_for_status()
            wait_in_erp(client, [o["id"] for o in orders], timeout=600)
            rng = random.Random(7)
            for _ in range(lookups):
                old = OLD_ORDER_BASE + rng.randrange(max(1, prefilled_links // 2))
                client.get(f"/api/orders/shop/{old}")
            client.post("/api/flows/stock-to-channels/run").raise_for_status()
            time.sleep(6)  # a stock run or two on top
        return {
            "fill_s": fill_seconds,
            "idle_mb": idle_mb,
            "end_mb": process.memory_info().rss / 2**20,
            "peak_mb": status_kb("VmHWM", process.pid) / 1024,
        }
    finally:
        hub.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=150, help="new orders in each run")
    parser.add_argument("--lookups", type=int, default=2000, help="old orders read via the API")
    args = parser.parse_args()
    erp = start_tryton()
    try:
        with stocked_sandbox(100) as (sandbox, _):
            results = {}
            for tag, prefilled in (("empty", 0), ("full", args.links)):
                orders = [
                    dict(o, id=o["id"] + (0 if tag == "empty" else 1_000_000))
                    for o in store_orders(args.orders, tag)
                ]
                results[tag] = run(erp, sandbox.url, orders, tag, prefilled, args.lookups)
    finally:
        erp.stop()
    empty, full = results["empty"], results["full"]
    print(
        f"causeway run with orders-to-erp and stock-to-channels; {args.orders} new orders "
        f"drained into the real Tryton, stock published, {args.lookups} old orders looked up"
    )
    print(f"{'store holds':>22s}  {'idle RSS':>9s}  {'end RSS':>9s}  {'peak RSS':>9s}")
    for label, r in (("nothing", empty), (f"{args.links:,} links", full)):
        print(
            f"{label:>22s}  {r['idle_mb']:7.1f} MB  {r['end_mb']:7.1f} MB  {r['peak_mb']:7.1f} MB"
        )
    ratio = full["peak_mb"] / empty["peak_mb"]
    print(f"(filling the store took {full['fill_s']:.0f} s)")
    print(
        f"ratio peak RSS with {args.links:,} links / empty store: {ratio:.2f}x; "
        f"target <= 1.25x (links stay in the store, not in memory): "
        f"{'met' if ratio <= 1.25 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
