"""`causeway warehouse build|export|load|backfill-orders`: the reporting warehouse
(docs/warehouse.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from causeway.cli.common import BAD_CONFIG, ConfigOption, app, console, err, fail, load_or_exit

if TYPE_CHECKING:
    from causeway.config import CausewayConfig
    from causeway.flows.orders_to_erp.backfill import BackfillReport, Channel
    from causeway.model.ports.crm_reporting import CrmReporting
    from causeway.model.ports.erp_reporting import ErpReporting

warehouse_app = typer.Typer(
    help="The reporting warehouse: a DuckDB file built from the hub, the ERP and the CRM "
    "(docs/warehouse.md).",
    no_args_is_help=True,
)
app.add_typer(warehouse_app, name="warehouse")

PathOption = Annotated[
    Path | None,
    typer.Option("--path", help="the warehouse file; default: warehouse.path in causeway.yaml"),
]


def _file(settings: CausewayConfig, path: Path | None) -> Path:
    return path if path is not None else settings.warehouse_file()


def _erp(settings: CausewayConfig) -> ErpReporting | None:
    """The ERP connector the warehouse reads through its reporting port, or None."""
    from causeway.model.ports.erp_reporting import ErpReporting

    found = _reporting(
        settings, "erp", settings.warehouse_erp(), ErpReporting,
        "costs, shipments, invoices and rates",
    )  # fmt: skip
    return found if isinstance(found, ErpReporting) else None


def _crm(settings: CausewayConfig) -> CrmReporting | None:
    """The CRM connector the warehouse reads deals and segments through, or None."""
    from causeway.model.ports.crm_reporting import CrmReporting

    found = _reporting(
        settings, "crm", settings.warehouse_crm(), CrmReporting, "deals and segments"
    )
    return found if isinstance(found, CrmReporting) else None


def _reporting(
    settings: CausewayConfig, key: str, name: str | None, port: type, reports: str
) -> object | None:
    """The connector of the system `name` if it implements the reporting `port`. When it
    does not: an error if warehouse.<key> named it, else a note and None (the build goes
    on without that system)."""
    from causeway.connectors.registry import build_connector
    from causeway.engine.rate import RateBudgets

    if name is None:
        return None
    connector = build_connector(name, settings.systems[name], RateBudgets())
    if isinstance(connector, port):
        return connector
    message = (
        f"the {key.upper()} system {name!r} ({settings.systems[name].type}) cannot report "
        f"{reports} to the warehouse"
    )
    if getattr(settings.warehouse, key) is not None:
        raise fail(f"warehouse.{key}: {message}; write `{key}: none` to build without", BAD_CONFIG)
    err.print(f"[yellow]note:[/yellow] {message}: building without them", highlight=False)
    return None


def _close(*connectors: object) -> None:
    """Each connector's HTTP client, where it has one."""
    for connector in connectors:
        close = getattr(connector, "close", None)
        if callable(close):
            close()


@warehouse_app.command("build")
def build_command(
    full: Annotated[
        bool, typer.Option("--full", help="rebuild from nothing rather than apply what changed")
    ] = False,
    path: PathOption = None,
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Bring the warehouse up to date (incremental), and swap it in atomically."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from causeway.cli.common import open_store
    from causeway.warehouse.build import STEPS, build

    settings = load_or_exit(config)
    erp = _erp(settings)
    crm = _crm(settings)
    target = _file(settings, path)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} steps"),
        TimeElapsedColumn(),
    )
    with open_store(settings) as store, Progress(*columns, console=console) as bar:
        task = bar.add_task("warehouse", total=len(STEPS))
        seen: list[str] = []

        def progress(step: str, rows: int) -> None:
            if step not in seen:
                seen.append(step)
            bar.update(task, completed=len(seen) - 1, description=f"{step}: {rows} rows")

        try:
            report = build(
                store, target, erp=erp, crm=crm, settings=settings, full=full, progress=progress
            )
        finally:
            _close(erp, crm)
        bar.update(task, completed=len(STEPS), description="done")
    kind = "full" if report.full else "incremental"
    console.print(f"{target}: {kind} build in {report.seconds:.1f}s")
    table = Table()
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in report.tables.items():
        table.add_row(name, str(rows))
    console.print(table)


@warehouse_app.command("export")
def export_command(
    to: Annotated[Path, typer.Option("--to", help="the folder to write the tables into")],
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv")] = "parquet",
    path: PathOption = None,
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Every table as Parquet (partitioned by date and channel) or CSV files."""
    from causeway.warehouse.export import FORMATS, export

    if fmt not in FORMATS:
        raise fail(f"--format {fmt}: use {' or '.join(FORMATS)}", BAD_CONFIG)
    settings = load_or_exit(config)
    report = export(_file(settings, path), to, fmt)
    total = sum(report.rows.values())
    console.print(f"{len(report.rows)} tables, {total} rows, as {fmt} in {to}")


@warehouse_app.command("load")
def load_command(
    path: PathOption = None,
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Load every table into the company's PostgreSQL warehouse (warehouse.destination)."""
    from causeway.warehouse.load import load

    settings = load_or_exit(config)
    destination = settings.warehouse.destination
    if destination is None:
        raise fail(
            "warehouse.destination: name the PostgreSQL database to load into in "
            "causeway.yaml (postgresql://user:${PASSWORD}@host:5432/database)",
            BAD_CONFIG,
        )
    source = _file(settings, path)
    report = load(
        source,
        destination.get_secret_value(),
        dataset=settings.warehouse.dataset,
        pipelines_dir=source.parent / "dlt",
    )
    total = sum(report.rows.values())
    console.print(f"{len(report.rows)} tables, {total} rows loaded into schema {report.dataset}")


@warehouse_app.command("backfill-orders")
def backfill_orders_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="read and count the orders, write nothing")
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=5000, help="orders per transaction")
    ] = 200,
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Order facts for the store orders placed before the hub kept them (upgrades from
    before migration 0020), read again from their newest record in the inbox, so the
    warehouse has their history. Orders whose records retention pruned cannot be
    rebuilt; portal orders and CRM quotes are left out (docs/order-facts.md). Safe to
    run again: only orders without facts are written."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from causeway.cli.common import open_store

    settings = load_or_exit(config)
    channels, erp = _order_channels(settings)
    from causeway.flows.orders_to_erp.backfill import backfill_orders, to_backfill

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    try:
        with open_store(settings) as store:
            total = to_backfill(store, channels, erp=erp)
            with Progress(*columns, console=console) as bar:
                task = bar.add_task("orders without facts", total=total)
                report = backfill_orders(
                    store,
                    channels,
                    erp=erp,
                    batch=batch_size,
                    dry_run=dry_run,
                    progress=lambda looked: bar.update(task, completed=looked),
                )
    finally:
        _close(*(channel.connector for channel in channels.values()))
    _print_backfill(report, total)


def _order_channels(settings: CausewayConfig) -> tuple[dict[str, Channel], str]:
    """orders-to-erp's channels, each with the connector the flow reads its records with
    and its configured customer group, and the ERP it places sales in."""
    from causeway.connectors.registry import build_connector
    from causeway.engine.rate import RateBudgets
    from causeway.flows.orders_to_erp import NAME
    from causeway.flows.orders_to_erp.backfill import Channel
    from causeway.flows.orders_to_erp.declaration import OrdersToErpFlow

    orders = settings.flows.settings(NAME)
    if not isinstance(orders, OrdersToErpFlow):
        raise fail(
            f"flows.{NAME} is not in causeway.yaml: the hub places no store orders, so there "
            f"are none to backfill",
            BAD_CONFIG,
        )
    budgets = RateBudgets()
    channels = {
        c.system: Channel(
            build_connector(c.system, settings.systems[c.system], budgets), c.customer_group
        )
        for c in orders.channels
    }
    return channels, orders.target


def _print_backfill(report: BackfillReport, total: int) -> None:
    from rich.table import Table

    done = "would be backfilled" if report.dry_run else "backfilled"
    table = Table()
    for name, justify in (
        ("channel", "left"),
        (done, "right"),
        ("of them cancelled", "right"),
        ("pruned: cannot be rebuilt", "right"),
        ("no record", "right"),
        ("unreadable", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for system, count in sorted(report.channels.items()):
        table.add_row(
            system,
            *(
                str(n)
                for n in (
                    count.backfilled,
                    count.cancelled,
                    count.pruned,
                    count.no_record,
                    count.unreadable,
                )
            ),
        )
    what = "dry run: nothing written; " if report.dry_run else ""
    console.print(f"{what}{total} orders without facts, {report.backfilled} {done}", soft_wrap=True)
    if report.channels:
        console.print(table)
    for system, count in sorted(report.channels.items()):
        if count.pruned:
            console.print(
                f"{system}: {count.pruned} orders' records were pruned by retention: their "
                f"facts cannot be rebuilt, and the warehouse goes without them",
                highlight=False,
                soft_wrap=True,
            )
        if count.no_record:
            console.print(
                f"{system}: {count.no_record} orders have no record in the inbox: their facts "
                f"cannot be rebuilt",
                highlight=False,
                soft_wrap=True,
            )
        for kind, first in count.first_errors.items():
            console.print(
                f"{system}: unreadable ({kind}), first: {first}", highlight=False, soft_wrap=True
            )
