"""Getting started: `causeway init` writes an example config, `causeway demo` runs the tour."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from causeway.cli.common import BAD_CONFIG, app, console, fail

EXAMPLE = Path(__file__).parent.parent / "config" / "example.yaml"


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="where to write the example")] = Path(
        "causeway.yaml"
    ),
    force: Annotated[bool, typer.Option(help="overwrite an existing file")] = False,
) -> None:
    """Write a commented example causeway.yaml to start from."""
    if path.exists() and not force:
        raise fail(f"{path} exists; use --force to overwrite it")
    path.write_text(EXAMPLE.read_text())
    console.print(f"wrote {path}: edit the systems and flows, then run `causeway run -c {path}`")


@app.command()
def demo(
    once: Annotated[
        bool,
        typer.Option(
            "--once",
            help="exit after the scenario; 0 only if every order of every store reached the "
            "ERP once, shipments fulfilled their orders and the paid orders' invoices were paid",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
    orders: Annotated[
        int, typer.Option(help="sample orders to place, across the three stores")
    ] = 12,
    workdir: Annotated[Path | None, typer.Option(help="where the demo keeps its files")] = None,
) -> None:
    """Start Tryton, three stores (two Shopify, one WooCommerce) and the hub; place sample
    orders; watch them land, ship and get paid; see the stock each store shows."""
    try:
        from causeway_sandbox.demo import run_demo
    except ModuleNotFoundError as exc:
        if exc.name not in ("graphql", "causeway_sandbox"):
            raise
        # A production install (deploy/install.sh) leaves out the sandboxes and their
        # libraries: they are a distribution of their own (sandbox/ in the repository).
        raise fail(
            "the demo runs on the vendor sandboxes, which a production install leaves out: "
            "run `make demo` in a Causeway checkout, or install them from it "
            "(pip install ./sandbox)",
            BAD_CONFIG,
        ) from None

    ok = run_demo(orders=orders, once=once, as_json=as_json, workdir=workdir, console=console)
    raise typer.Exit(0 if ok else 1)
