"""What `causeway status` reports, as data (the CLI prints it, tests read it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from causeway.config import CausewayConfig
from causeway.engine.jobs import JobQueue
from causeway.engine.schema import flow_runs
from causeway.engine.store import Store

FLOW_NAMES = ("orders-to-erp", "stock-to-channels")


def configured_flows(config: CausewayConfig) -> list[str]:
    flows = config.flows
    present = {"orders-to-erp": flows.orders_to_erp, "stock-to-channels": flows.stock_to_channels}
    return [name for name in FLOW_NAMES if present[name] and present[name].enabled]


def collect_status(config: CausewayConfig) -> dict[str, Any]:
    store = Store(config.store.url)
    try:
        queue = JobQueue(store)
        counts = queue.counts()
        with store.read() as conn:
            runs = {row.flow: row for row in conn.execute(select(flow_runs))}
        flows = []
        for name in configured_flows(config):
            run = runs.get(name)
            schedules = [
                r.next_run_at
                for key, r in runs.items()
                if key.startswith(f"schedule:{name}") and r.next_run_at
            ]
            flows.append(
                {
                    "name": name,
                    **{
                        state: counts.get((name, state), 0)
                        for state in ("queued", "running", "done", "dead")
                    },
                    "last_success_at": run.last_success_at if run else None,
                    "last_error": run.last_error if run else None,
                    "next_run_at": min(schedules) if schedules else None,
                }
            )
        return {"flows": flows, "dead": queue.dead()}
    finally:
        store.dispose()
