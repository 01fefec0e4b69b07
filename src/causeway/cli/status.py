"""`causeway status`: each flow's runs, queues, dead jobs and alerts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from causeway.cli.common import ALERTING, ConfigOption, app, console, load_or_exit, when


@app.command()
def status(
    config: ConfigOption = Path("causeway.yaml"),
    as_json: Annotated[bool, typer.Option("--json", help="print as JSON")] = False,
) -> None:
    """Each flow's last and next run, queue depth, dead jobs and alerts.

    Exits 0 when nothing is alerting, 3 when something is (parked jobs included),
    2 when the config is wrong, 1 when the store is missing or unreachable."""
    from causeway.status import collect_status

    report = collect_status(load_or_exit(config))
    if as_json:
        console.print_json(json.dumps(report))
    else:
        _print_status(report)
    if report["alerts"]:
        raise typer.Exit(ALERTING)


def _print_status(report: dict[str, Any]) -> None:
    # The columns an operator scans; every count and time is in --json.
    counts = ("queued", "held", "dead")
    flows = Table(title="Flows")
    flows.add_column("flow", no_wrap=True)
    flows.add_column("schedule", no_wrap=True)
    for state in counts:
        flows.add_column(state, justify="right")
    for column in ("last run", "next run", "last error"):
        flows.add_column(column)
    for flow in report["flows"]:
        last_run = when(flow["last_run_at"])
        if flow["last_run_at"] and flow["last_run_at"] != flow["last_success_at"]:
            last_run += " failed"
        flows.add_row(
            flow["name"],
            flow["schedule"] + (", paused" if flow.get("paused") else ""),
            *(str(flow[state]) for state in counts),
            last_run,
            when(flow["next_run_at"]),
            Text((flow["last_error"] or "")[:80]),
        )
    console.print(flows)
    if report["dead"]:
        dead = Table(
            "job", "flow", "entity", "attempts", "reason", title="Dead jobs (causeway replay ID)"
        )
        for job in report["dead"]:
            dead.add_row(
                str(job["id"]),
                job["flow"],
                Text(job["ordering_key"]),
                str(job["attempts"]),
                Text(job["last_error"] or ""),  # quotes outside data: never markup
            )
        console.print(dead)
    else:
        console.print("no dead jobs")
    if report["alerts"]:
        # A list, not a table: the messages are sentences and must wrap whole.
        console.print(f"[bold red]Alerts ({len(report['alerts'])})[/bold red]")
        for alert in report["alerts"]:
            # Messages quote outside data (order numbers, errors): never read as markup.
            console.print(
                f"- {alert['kind']} [bold]{escape(alert['subject'])}[/bold] since "
                f"{when(alert['since'])}: {escape(alert['message'])}",
                highlight=False,
            )
    else:
        console.print("no alerts")
