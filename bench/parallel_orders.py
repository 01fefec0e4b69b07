"""Orders from two stores with 2 worker processes versus 1, on PostgreSQL, ERP answering at once.

orders-to-erp used to run one batch at a time across all workers (so that two batches
never created one new customer twice): a second worker process added nothing. Now
batches run side by side and only the find-or-create of a customer is locked, per
customer, in the store (engine/locks.py). The ERP answers at once (bench/_instant_orders.py)
but takes the locks the Tryton connector takes, so what is measured is the engine, the
flow and the locks. Both runs, side by side in this script, drain the same orders: two
Shopify stores' webhooks already in the inbox, interleaved as they arrive, mostly new
customers, one in ten buying in both stores. The clock starts when every worker is ready
and is told to go, and stops when the store shows every order in the ERP.

The machine is shared: the script says how many cores were busy before each run (others'
work) and during it, next to the figures.

    .venv/bin/python -m bench.parallel_orders [--orders 4000]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import dataclass
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any

from bench._common import postgres_database, start_workers, store_orders, wait_until
from bench._instant_orders import InstantErp, orders_flow, orders_in_erp, route
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue
from causeway.engine.locks import StoreLocks
from causeway.engine.store import Store
from causeway.engine.worker import Worker
from causeway.flows.orders_to_erp import OrdersFromChannels

STORES = ("shop", "outlet")
TARGET_RATIO = 1.6


@dataclass(frozen=True)
class Result:
    workers: int
    seconds: float
    orders: int
    busy_before: float  # cores others kept busy just before the run
    busy_during: float  # cores busy, everyone's work included, during the run
    retried: int  # jobs that ran more than once (a lock waited out, a conflict)

    @property
    def per_second(self) -> float:
        return self.orders / self.seconds


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine since boot (/proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def busy_cores(since: tuple[int, int]) -> float:
    busy, total = cpu_times()
    return (busy - since[0]) / max(1, total - since[1]) * (os.cpu_count() or 1)


def two_stores_orders(count: int) -> list[InboxRecord]:
    """`count` orders per store as their webhooks land in the inbox, the stores in turn.
    Each order is a new customer's, except every tenth: the same person in both stores."""
    records = []
    for i, order in enumerate(store_orders(count, "par")):
        for store in STORES:
            shared = i % 10 == 0
            email = f"buyer{i}@example.com" if shared else f"{store}-buyer{i}@example.com"
            body: dict[str, Any] = {**order, "email": email}
            body["customer"] = {**(order.get("customer") or {}), "email": email}
            records.append(
                InboxRecord(
                    store, f"{store}-{i}", "orders/create", f"order:{i}", json.dumps(body).encode()
                )
            )
    return records


def hub_flow(store: Store) -> OrdersFromChannels:
    """orders-to-erp over the two stores, as the hub builds it, with the store's locks."""
    inbox = Inbox(store, JobQueue(store), route)
    erp = InstantErp(StoreLocks(store))
    channels = {s: orders_flow(store, source=s, inbox=inbox, erp=erp) for s in STORES}
    return OrdersFromChannels(channels, polled=[])


def fill_inbox(url: str, records: list[InboxRecord]) -> None:
    store = Store(url, migrate=False)
    inbox = hub_flow(store).channel(STORES[0]).inbox
    for start in range(0, len(records), 500):
        inbox.accept(records[start : start + 500])
    with store.transaction() as conn:  # as autovacuum would after such a burst
        conn.exec_driver_sql("ANALYZE")
    store.dispose()


def worker_process(url: str, name: str, ready: Queue[str], go: Event, stop: Event) -> None:
    """One worker process, as `causeway worker --threads 1` runs it."""
    store = Store(url, migrate=False)
    flow = hub_flow(store)
    worker = Worker(store, JobQueue(store), {flow.name: flow}, name=name)
    ready.put(name)
    go.wait()
    worker.run(stop)
    store.dispose()


def run(workers: int, records: list[InboxRecord]) -> Result:
    with postgres_database("parallel") as url:
        Store(url).dispose()  # migrated
        fill_inbox(url, records)
        running = start_workers(worker_process, url, workers)
        store = Store(url, migrate=False)
        queue = JobQueue(store)
        quiet = cpu_times()
        time.sleep(1.0)
        busy_before = busy_cores(quiet)
        started, clock = cpu_times(), time.perf_counter()
        running.go.set()
        wait_until(lambda: queue.unfinished() == 0, timeout=1800, what="the orders drained")
        seconds = time.perf_counter() - clock
        busy_during = busy_cores(started)
        running.join()
        placed, dead = orders_in_erp(store, STORES), queue.dead(limit=3)
        with store.read() as conn:
            retried = conn.exec_driver_sql("SELECT count(*) FROM jobs WHERE attempts > 1").scalar()
        store.dispose()
    if placed != len(records) or dead:
        raise SystemExit(f"{placed} of {len(records)} orders in the ERP; parked: {dead}")
    return Result(workers, seconds, len(records), busy_before, busy_during, int(retried or 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=2000, help="orders per store")
    args = parser.parse_args()
    records = two_stores_orders(args.orders)
    results = []
    for workers in (1, 2):
        result = run(workers, records)
        results.append(result)
        print(
            f"  {workers} worker process(es): {result.per_second:7.0f} orders/s "
            f"({result.seconds:.1f} s; cores busy: {result.busy_before:.1f} before by "
            f"others, {result.busy_during:.1f} during; jobs retried: {result.retried})",
            flush=True,
        )
    one, two = results
    ratio = two.per_second / one.per_second
    print(
        f"\norders: {len(records)} from {len(STORES)} stores, PostgreSQL, ERP answering at once, "
        f"customer locks held; {os.cpu_count()} cores"
    )
    print(f"{'workers':>7} {'orders/s':>9}")
    for r in results:
        print(f"{r.workers:>7} {r.per_second:>9.0f}")
    verdict = "meets" if ratio >= TARGET_RATIO else "does NOT meet"
    print(f"ratio 2 vs 1 worker processes: {ratio:.2f}x ({verdict} the {TARGET_RATIO}x target)")


if __name__ == "__main__":
    main()
