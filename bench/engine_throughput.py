"""Engine throughput: the hub's queue and workers versus Celery + Redis, same work per order.

The ERP answers at once (bench/_instant_orders.py), so what is measured is the
engine: order webhooks already in the inbox (each with its job) are drained by
worker processes through the real orders flow, which parses each body, maps it,
places the batch and records the links. The baseline is a Celery 5 pipeline on
the Redis of this machine (db 15, flushed before and after): one task per order
doing the same parse, mapping, ERP call and link writes, through the same code,
in the same kind of store. Both sides run here, side by side, with 1, 2 and 4
worker processes (Celery: --pool prefork --concurrency N). The clock starts when
every worker is ready and is told to go, and stops when the store shows every
order in the ERP.

    .venv/bin/python -m bench.engine_throughput [--orders 20000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

import redis
from sqlalchemy import create_engine, text

from bench._common import start_workers, store_orders, wait_until
from bench._instant_orders import SOURCE, orders_flow, orders_in_erp
from causeway.engine.inbox import InboxRecord
from causeway.engine.store import Store
from causeway.engine.worker import Worker

POSTGRES_ADMIN = os.environ.get(
    "CAUSEWAY_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = "redis://127.0.0.1:6379/15"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Result:
    system: str
    backend: str
    workers: int
    seconds: float
    orders: int

    @property
    def per_second(self) -> float:
        return self.orders / self.seconds


@contextmanager
def fresh_store(backend: str) -> Iterator[str]:
    """An empty store of this kind, migrated; dropped afterwards."""
    if backend == "sqlite":
        workdir = Path(tempfile.mkdtemp(prefix="causeway-bench-engine-"))
        url = f"sqlite:///{workdir / 'hub.db'}"
        Store(url).dispose()
        yield url
        return
    name = f"causeway_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    Store(url).dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# -- the hub: inbox -> job -> orders flow -> links ---------------------------------
def fill_inbox(url: str, bodies: list[bytes]) -> None:
    """The webhooks as ingress leaves them: stored in the inbox, each with its job."""
    store = Store(url, migrate=False)
    inbox = orders_flow(store).inbox
    for start in range(0, len(bodies), 500):
        inbox.accept(
            [
                InboxRecord(SOURCE, f"bench-{i}", "orders/create", f"order:{i}", body)
                for i, body in enumerate(bodies[start : start + 500], start=start)
            ]
        )
    with store.transaction() as conn:  # as autovacuum would after such a burst
        conn.exec_driver_sql("ANALYZE")
    store.dispose()


def engine_worker(url: str, name: str, ready: Queue[str], go: Event, stop: Event) -> None:
    """One worker process, as `causeway worker --threads 1` runs it."""
    store = Store(url, migrate=False)
    flow = orders_flow(store)
    worker = Worker(store, flow.inbox.jobs, {flow.name: flow}, name=name)
    ready.put(name)
    go.wait()
    worker.run(stop)
    store.dispose()


def run_engine(backend: str, workers: int, bodies: list[bytes]) -> Result:
    with fresh_store(backend) as url:
        fill_inbox(url, bodies)
        running = start_workers(engine_worker, url, workers)
        store = Store(url, migrate=False)
        queue = orders_flow(store).inbox.jobs
        started = time.perf_counter()
        running.go.set()
        wait_until(lambda: queue.unfinished() == 0, timeout=3600, what="the hub drained")
        seconds = time.perf_counter() - started
        running.join()
        placed, dead = orders_in_erp(store), queue.dead(limit=1)
        store.dispose()
    if placed != len(bodies) or dead:
        raise SystemExit(f"hub: {placed} of {len(bodies)} orders in the ERP; dead: {dead}")
    return Result("hub", backend, workers, seconds, len(bodies))


# -- the baseline: Celery + Redis ------------------------------------------------------
def run_celery(backend: str, workers: int, bodies: list[bytes]) -> Result:
    from bench._celery_orders import QUEUE, app, place_order

    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    with fresh_store(backend) as url:
        for body in bodies:
            place_order.apply_async(args=(body.decode(),), queue=QUEUE)
        # Started on an empty queue, so that start-up is not timed; `go` is add_consumer.
        worker = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "bench._celery_orders", "worker"),
                *("--pool", "prefork", "--concurrency", str(workers), "-Q", "warmup"),
                *("--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "WARNING"),
            ],
            cwd=ROOT,
            env={**os.environ, "CAUSEWAY_BENCH_STORE": url},
            stdout=subprocess.DEVNULL,  # the start-up banner
        )
        store = Store(url, migrate=False)
        try:
            wait_until(lambda: bool(app.control.ping(timeout=0.5)), 60, "celery answered")
            started = time.perf_counter()
            app.control.add_consumer(QUEUE, reply=True, timeout=5)
            wait_until(
                lambda: orders_in_erp(store) >= len(bodies), timeout=3600, what="celery drained"
            )
            seconds = time.perf_counter() - started
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
            store.dispose()
            broker.flushdb()
    return Result("celery", backend, workers, seconds, len(bodies))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="1,000 orders, 1 and 2 workers")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated")
    args = parser.parse_args()
    count = 1_000 if args.quick else args.orders
    counts = (1, 2) if args.quick else (1, 2, 4)
    backends = args.backends.split(",")
    plan = [("sqlite", n) for n in counts[:2] if "sqlite" in backends]
    plan += [("postgresql", n) for n in counts if "postgresql" in backends]
    bodies = [json.dumps(order).encode() for order in store_orders(count, "engine")]
    results: list[Result] = []
    for backend, workers in plan:
        for run in (run_engine, run_celery):
            result = run(backend, workers, bodies)
            results.append(result)
            print(
                f"  {result.system:6} {backend:10} {workers} worker(s): "
                f"{result.per_second:8.0f} orders/s",
                flush=True,
            )
    celery = {(r.backend, r.workers): r for r in results if r.system == "celery"}
    print(f"\norders: {count}, ERP answering at once; Redis db 15; 2 lines per order")
    print(f"{'backend':11} {'workers':>7} {'hub jobs/s':>11} {'celery jobs/s':>14} {'ratio':>6}")
    ratios = []
    for r in results:
        if r.system != "hub":
            continue
        base = celery[(r.backend, r.workers)]
        ratios.append(r.per_second / base.per_second)
        print(
            f"{r.backend:11} {r.workers:>7} {r.per_second:>11.0f} "
            f"{base.per_second:>14.0f} {ratios[-1]:>5.2f}x"
        )
    verdict = "ahead of" if min(ratios) > 1 else "NOT ahead of"
    print(f"verdict: the hub is {verdict} Celery + Redis in every row (lowest {min(ratios):.2f}x)")


if __name__ == "__main__":
    main()
