"""`causeway check`: every configured system tested as the hub will use it, one line each."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from causeway.cli.common import (
    FAILED,
    ConfigOption,
    LogFormat,
    app,
    console,
    load_or_exit,
    setup_logging,
)


@app.command()
def check(
    config: ConfigOption = Path("causeway.yaml"),
    as_json: Annotated[bool, typer.Option("--json", help="print the checks as JSON")] = False,
) -> None:
    """Check every system: reachable, credentials accepted, API scopes, ERP modules and
    master data, webhook subscriptions, drop folders, the store. Exits 1 when any fails."""
    from causeway.checks import run_checks

    settings = load_or_exit(config)
    setup_logging(LogFormat.text, logging.ERROR)  # the clients' retry warnings: not here
    results = run_checks(settings)
    failures = [result for result in results if not result.ok]
    if as_json:
        console.print_json(json.dumps([asdict(result) for result in results]))
    else:
        width = max((len(result.system) for result in results), default=0)
        for result in results:
            mark = "[green]✓[/green]" if result.ok else "[red]✗[/red]"
            if result.ok and result.fix:  # a warning: works today, needs attention soon
                mark = "[yellow]![/yellow]"
            line = f"{mark} {result.system:<{width}}  {result.what}"
            if result.fix:
                line += f": {result.fix}"
            console.print(line, highlight=False, soft_wrap=True)
        warnings = sum(1 for result in results if result.ok and result.fix)
        console.print(
            f"{len(failures)} of {len(results)} check(s) failed"
            if failures
            else f"all {len(results)} checks passed"
            + (f", {warnings} with a warning" if warnings else ""),
            highlight=False,
        )
    if failures:
        raise typer.Exit(FAILED)
