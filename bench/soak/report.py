"""The soak's printed report: what was sent, what the ERP has, what must be zero."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from bench.soak.run import SoakReport

SHOWN = 5  # examples printed per problem


def print_report(report: SoakReport, console: Console | None = None) -> None:
    console = console or Console()
    r, ledger, chaos = report.reconciliation, report.ledger, report.chaos
    drain = f"{report.drain_seconds:.1f} s" if report.drain_seconds is not None else "NOT DRAINED"

    table = Table(title=f"soak (seed {report.plan.seed})", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    rows: list[tuple[str, object]] = [
        ("orders sent", r.orders_sent),
        ("checkouts refused (out of stock)", ledger.refused_checkouts),
        ("orders in the ERP", r.orders_in_erp),
        ("  of which cancelled in the store", r.orders_cancelled),
        ("  edited in the store", r.orders_edited),
        ("  paid in the store", r.orders_paid),
        ("ordering time", f"{report.ordering_seconds:.1f} s"),
        ("time to drain", drain),
        ("stock mismatches before the full run", report.stock_mismatches_before_full_run),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    table.add_section()
    for name, count in r.problems.items():
        table.add_row(name, f"[{'red' if count else 'green'}]{count}[/]")
    table.add_section()
    for name, count in report.faults.items():
        table.add_row(name, str(count))
    table.add_row("hub SIGKILLs / restarts", f"{chaos.hub_kills} / {chaos.hub_restarts}")
    table.add_row("ERP restarts", str(chaos.erp_restarts))
    table.add_row("429 storms / slow spells", f"{chaos.storms_429} / {chaos.slow_spells}")
    table.add_section()
    for state, count in sorted(report.jobs.items()):
        table.add_row(f"hub jobs {state}", str(count))
    console.print(table)

    examples = {
        "duplicates": r.duplicates,
        "lost": r.lost,
        "wrong orders": r.wrong,
        "cancellations not applied": r.not_cancelled,
        "payments not applied": r.not_paid,
        "unknown sales": r.unknown_sales,
        "stock mismatches (store, ERP)": [f"{k}: {v}" for k, v in r.stock_mismatches.items()],
        "ERP stock drift (forecast, expected)": [f"{k}: {v}" for k, v in r.erp_stock_drift.items()],
    }
    for name, items in examples.items():
        if items:
            console.print(f"[red]{name}[/]: {', '.join(map(str, items[:SHOWN]))}")
    for error in report.errors:
        console.print(f"[red]error[/]: {error}")
    if ledger.refused_changes:
        refused = ledger.refused_changes
        console.print(f"the store refused {len(refused)} changes, e.g. {refused[:2]}")
    console.print(f"logs and databases: {report.workdir}")
    console.print("[green]OK[/]" if report.ok else "[red]FAILED[/]")
