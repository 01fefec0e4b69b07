"""`causeway sync files`: one files-exchange run now, with its orders placed at once.

A scheduled run only puts the folder's orders in the inbox; a running hub's workers
place them. Run by hand, there may be no hub running, so the orders are placed
here before order-status.csv is written: what the operator reads afterwards is
what the ERP made of the file.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.markup import escape

from causeway.config import CausewayConfig
from causeway.connectors.files.folder import UnsafeFolderError, shown
from causeway.connectors.files.intake import SETTLE_SECONDS
from causeway.engine.timeline import AMOUNT_MISMATCH
from causeway.engine.worker import Worker
from causeway.flows import files_exchange, orders_to_erp
from causeway.flows.files_exchange import FilesExchange
from causeway.orders.status import FAILED

PLACE_TIMEOUT = 600.0


def sync_files_now(config: CausewayConfig, *, console: Console, err: Console) -> int | None:
    """Returns the number of problems (bad rows, rejected files, failures); None when
    files-exchange is not configured."""
    from causeway.hub import Hub

    hub = Hub(config)
    try:
        flow = hub.flows.get(files_exchange.NAME)
        if not isinstance(flow, FilesExchange):
            err.print(
                "[red]error:[/red] flows.files-exchange is not configured in causeway.yaml",
                highlight=False,
            )
            return None
        try:
            run = flow.import_waiting()
        except UnsafeFolderError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
            return 1
        if run.settling:
            # A file is read once it is whole: unchanged between two looks (or with its
            # .done marker). Run by hand, the second look comes a moment later.
            console.print(
                f"waiting {SETTLE_SECONDS:.0f} s to see that {_names(run.settling)} "
                f"stopped changing",
                highlight=False,
            )
            time.sleep(SETTLE_SECONDS + 0.1)
            run.absorb(flow.import_waiting())  # the folder was usable a moment ago
        for name in run.files:
            console.print(f"read {escape(shown(name))}", highlight=False)
        for name in run.settling:
            err.print(
                f"[yellow]not read yet:[/yellow] {escape(shown(name))} is still changing "
                f"(an upload in progress?); it is read by a later run once it stops, or at "
                f"once with a {escape(shown(name))}.done marker beside it",
                highlight=False,
                soft_wrap=True,
            )
        console.print(
            f"{run.orders} order(s) read, {run.new_orders} new; {run.bad_rows} bad row(s)",
            highlight=False,
        )
        for report in run.reports:
            err.print(
                f"[yellow]what was wrong:[/yellow] {escape(str(report))}",
                highlight=False,
                soft_wrap=True,
            )
        orders = hub.flows.get(orders_to_erp.NAME)
        if orders is not None:
            # Held jobs (orders-to-erp on a schedule) stay held for that schedule.
            worker = Worker(
                hub.store,
                hub.jobs,
                {orders_to_erp.NAME: orders},
                lease_seconds=config.workers.lease,
            )
            worker.run_until_idle(timeout=PLACE_TIMEOUT)
        statuses = flow.write_status()
        failed = [s for s in statuses if s.state == FAILED]
        # Placed, but the ERP sale's amounts differ from the file's
        # (flows/orders_to_erp/amount_check.py).
        differ = [s for s in statuses if s.state == AMOUNT_MISMATCH]
        differing = f", {len(differ)} with other amounts in the ERP" if differ else ""
        console.print(
            f"order-status.csv: {len(statuses)} order(s), {len(failed)} failed{differing}",
            highlight=False,
        )
        for status in failed + differ:
            err.print(
                f"[red]{escape(status.order_number)}:[/red] {escape(status.problem or '')}",
                highlight=False,
            )
        problems = run.bad_rows + len(run.rejected) + len(failed) + len(differ)
        try:
            console.print(f"stock.csv: {flow.write_stock()} SKU(s)", highlight=False)
        except Exception as exc:  # the orders are in; only the stock list is stale
            err.print(
                f"[red]stock.csv not written:[/red] {escape(hub.redact(str(exc)))}",
                highlight=False,
            )
            problems += 1
        return problems
    finally:
        hub.stop()


def _names(names: list[str]) -> str:
    return ", ".join(escape(shown(n)) for n in names)
