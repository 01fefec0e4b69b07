"""The Celery + Redis baseline: one task per order webhook, the same work as the hub.

Run by bench/engine_throughput.py as `celery -A bench._celery_orders worker`.
acks_late: a task is acknowledged after it ran, so a killed worker's tasks run
again, which is the hub's at-least-once contract too.
"""

from __future__ import annotations

import os

from celery import Celery

from bench._instant_orders import orders_flow, place_one
from causeway.engine.store import Store
from causeway.flows.orders_to_erp import OrdersToErp

REDIS_URL = "redis://127.0.0.1:6379/15"
QUEUE = "orders"

app = Celery("causeway_bench", broker=REDIS_URL)
app.conf.update(
    task_acks_late=True,
    task_ignore_result=True,
    task_default_queue=QUEUE,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)

_flow: OrdersToErp | None = None


def _orders_flow() -> OrdersToErp:
    """One store per pool process, opened after the fork."""
    global _flow
    if _flow is None:
        _flow = orders_flow(Store(os.environ["CAUSEWAY_BENCH_STORE"], migrate=False))
    return _flow


@app.task(name="place_order")
def place_order(body: str) -> None:
    place_one(_orders_flow(), body.encode())
