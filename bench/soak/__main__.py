"""`python -m bench.soak`: a soak run from the command line; exit 1 unless all is zero."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from bench.soak.plan import SoakPlan
from bench.soak.report import print_report
from bench.soak.run import run_soak

app = typer.Typer(add_completion=False)


@app.command()
def soak(
    orders: Annotated[int, typer.Option(help="checkouts to place")] = 2000,
    rate: Annotated[float, typer.Option(help="checkouts per second")] = 8.0,
    seed: Annotated[int, typer.Option(help="replays the same orders, faults and chaos")] = 1,
    hub_kills: Annotated[int, typer.Option(help="SIGKILLs of the hub")] = 4,
    erp_restarts: Annotated[int, typer.Option(help="Tryton stops/kills and starts")] = 2,
    storms: Annotated[int, typer.Option(help="429 storms")] = 3,
    drain_timeout: Annotated[float, typer.Option(help="seconds to wait for the drain")] = 900,
    workdir: Annotated[Path | None, typer.Option(help="keep logs and databases here")] = None,
) -> None:
    """Orders through store faults, ERP restarts and hub SIGKILLs, then reconciled."""
    plan = SoakPlan(
        orders=orders,
        rate=rate,
        seed=seed,
        hub_kills=hub_kills,
        erp_restarts=erp_restarts,
        storms_429=storms,
        drain_timeout=drain_timeout,
        workdir=workdir,
    )
    # A terminated soak (timeout, Ctrl-C) still stops the ERP and the hub it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report = run_soak(plan)
    print_report(report)
    raise typer.Exit(0 if report.ok else 1)


if __name__ == "__main__":
    app()
