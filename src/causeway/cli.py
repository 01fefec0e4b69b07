"""`causeway ...`: the command line."""

from __future__ import annotations

import gc
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from causeway.config import CausewayConfig, load_config
from causeway.errors import ConfigError

app = typer.Typer(help="Causeway: web stores, ERP and CRM as one system.", no_args_is_help=True)
sync_app = typer.Typer(help="Run a flow now, outside its schedule.", no_args_is_help=True)
app.add_typer(sync_app, name="sync")
console = Console()
err = Console(stderr=True)

ConfigOption = Annotated[
    Path,
    typer.Option("--config", "-c", envvar="CAUSEWAY_CONFIG", help="path to causeway.yaml"),
]
EXAMPLE = Path(__file__).with_name("config") / "example.yaml"
ALERTING = 3  # `causeway status` exit code: something is alerting (docs/monitoring.md)


def _config(path: Path) -> CausewayConfig:
    try:
        return load_config(path)
    except ConfigError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None


def _when(stamp: float | str | None) -> str:
    if isinstance(stamp, str):  # "on demand", "on each change"
        return stamp
    if not stamp:
        return "-"
    delta = stamp - time.time()
    today = time.strftime("%Y-%m-%d") == time.strftime("%Y-%m-%d", time.localtime(stamp))
    text = time.strftime("%H:%M:%S" if today else "%Y-%m-%d %H:%M", time.localtime(stamp))
    ago = f"in {delta:.0f}s" if delta > 0 else f"{-delta:.0f}s ago"
    return f"{text} ({ago})"


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="where to write the example")] = Path(
        "causeway.yaml"
    ),
    force: Annotated[bool, typer.Option(help="overwrite an existing file")] = False,
) -> None:
    """Write a commented example causeway.yaml to start from."""
    if path.exists() and not force:
        err.print(f"[red]error:[/red] {path} exists; use --force to overwrite it")
        raise typer.Exit(1)
    path.write_text(EXAMPLE.read_text())
    console.print(f"wrote {path}: edit the systems and flows, then run `causeway run -c {path}`")


@app.command()
def run(config: ConfigOption = Path("causeway.yaml")) -> None:
    """Run the hub: webhook server, workers and scheduler, until interrupted."""
    import uvicorn

    from causeway.hub import Hub
    from causeway.web.app import create_app

    settings = _config(config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    hub = Hub(settings)
    # Workers map orders in Python while the event loop answers webhooks; a
    # shorter GIL switch interval keeps a worker's batch from stalling ingress.
    sys.setswitchinterval(0.001)
    hub.start()
    gc.freeze()  # what start-up allocated is never garbage: keep GC passes short
    _subscribe_webhooks(hub)
    try:
        uvicorn.run(
            create_app(hub),
            host=settings.server.host,
            port=settings.server.port,
            log_level="warning",
        )
    finally:
        hub.stop()


@app.command()
def worker(
    config: ConfigOption = Path("causeway.yaml"),
    threads: Annotated[
        int | None, typer.Option(min=1, max=64, help="worker threads (default: workers.count)")
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65535,
            help="serve this process's own /metrics (retries, rate-budget waits) on this port",
        ),
    ] = None,
) -> None:
    """Run only workers (no webhook server, no scheduler) beside `causeway run`.

    Several processes share one PostgreSQL store (docs/scaling.md). SIGTERM or
    Ctrl-C finishes the batches in hand, then exits.
    """
    from causeway.hub import Hub

    settings = _config(config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    log = logging.getLogger("causeway.worker")
    hub = Hub(settings)
    if hub.store.is_sqlite:
        log.warning(
            "store is SQLite: this process takes turns with the others for its one write "
            "lock; it is safe but adds no throughput (use PostgreSQL to scale out)"
        )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    hub.start(workers=threads, scheduler=False, ingress=False)
    if metrics_port is not None:
        from prometheus_client import start_http_server

        from causeway.observability.metrics import process_registry

        start_http_server(metrics_port, settings.server.host, registry=process_registry(hub))
    log.info(
        "worker process %d: %d worker thread(s) on %s",
        os.getpid(),
        len(hub.workers),
        hub.store.url.render_as_string(hide_password=True),
    )
    while not stop.wait(1.0):  # a timed wait lets the signal handler run promptly
        pass
    log.info("stopping: finishing the batches in hand")
    hub.stop()


def _subscribe_webhooks(hub: Any) -> None:
    public = hub.config.server.public_url
    if not public:
        return
    for name in hub.ingress:
        try:
            hub.connectors[name].subscribe_webhooks(
                f"{public.rstrip('/')}/webhooks/{name}", hub.webhook_topics(name)
            )
        except Exception as exc:  # the reconcile poll still catches orders
            logging.getLogger("causeway").warning("could not subscribe %s webhooks: %s", name, exc)


@app.command()
def status(
    config: ConfigOption = Path("causeway.yaml"),
    as_json: Annotated[bool, typer.Option("--json", help="print as JSON")] = False,
) -> None:
    """Each flow's last and next run, queue depth, dead jobs and alerts.

    Exits 0 when nothing is alerting, 3 when something is (2: the config is wrong)."""
    from causeway.status import collect_status

    report = collect_status(_config(config))
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
        last_run = _when(flow["last_run_at"])
        if flow["last_run_at"] and flow["last_run_at"] != flow["last_success_at"]:
            last_run += " failed"
        flows.add_row(
            flow["name"],
            flow["schedule"],
            *(str(flow[state]) for state in counts),
            last_run,
            _when(flow["next_run_at"]),
            (flow["last_error"] or "")[:80],
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
                job["ordering_key"],
                str(job["attempts"]),
                job["last_error"] or "",
            )
        console.print(dead)
    else:
        console.print("no dead jobs")
    if report["alerts"]:
        # A list, not a table: the messages are sentences and must wrap whole.
        console.print(f"[bold red]Alerts ({len(report['alerts'])})[/bold red]")
        for alert in report["alerts"]:
            console.print(
                f"- {alert['kind']} [bold]{alert['subject']}[/bold] since "
                f"{_when(alert['since'])}: {alert['message']}",
                highlight=False,
            )
    else:
        console.print("no alerts")


flow_app = typer.Typer(help="Look at and run flows.", no_args_is_help=True)
app.add_typer(flow_app, name="flow")


@flow_app.command("run")
def flow_run(
    name: Annotated[str, typer.Argument(help="the flow, as named in causeway.yaml")],
    config: ConfigOption = Path("causeway.yaml"),
    wait: Annotated[
        bool, typer.Option(help="run the flow's jobs here until none is due, then exit")
    ] = True,
) -> None:
    """Run a flow now, whatever its schedule: release the changes it holds and do its work."""
    from causeway.hub import Hub

    hub = Hub(_config(config))
    try:
        if name not in hub.flows:
            known = ", ".join(sorted(hub.flows)) or "none"
            err.print(f"[red]error:[/red] no enabled flow named {name!r} (enabled: {known})")
            raise typer.Exit(2)
        queued = hub.run_flow(name)
        console.print(f"{name}: {queued} job(s) released or queued")
        if wait:
            worker = hub.new_worker("cli")
            worker.flows = {name: hub.flows[name]}
            worker.run_until_idle(timeout=3600)
            stats = worker.stats
            console.print(
                f"{name}: {stats.done} done, {stats.retried} to retry, {stats.dead} parked"
            )
    finally:
        hub.stop()


@app.command()
def replay(
    job_id: Annotated[int | None, typer.Argument(help="the dead job to run again")] = None,
    all_dead: Annotated[bool, typer.Option("--all", help="replay every dead job")] = False,
    flow: Annotated[str | None, typer.Option(help="with --all: only this flow's")] = None,
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Put dead jobs back in the queue after their cause is fixed."""
    from causeway.engine.jobs import JobQueue
    from causeway.engine.store import Store

    if job_id is None and not all_dead:
        err.print("[red]error:[/red] give a job id, or --all (see `causeway status` for dead jobs)")
        raise typer.Exit(2)
    settings = _config(config)
    queue = JobQueue(Store(settings.store.url))
    count = queue.replay(job_id, flow=flow)
    if job_id is not None and count == 0:
        err.print(
            f"[red]error:[/red] job {job_id} is not dead (or does not exist); nothing replayed"
        )
        raise typer.Exit(1)
    console.print(f"replayed {count} job(s); a running hub picks them up now")


@sync_app.command("stock")
def sync_stock(
    full: Annotated[bool, typer.Option("--full", help="every SKU, not only changed ones")] = False,
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Publish sellable stock from the ERP to the stores now."""
    from rich.progress import Progress

    from causeway.hub import Hub

    hub = Hub(_config(config))
    if "stock-to-channels" not in hub.flows:
        err.print("[red]error:[/red] flows.stock-to-channels is not configured in causeway.yaml")
        raise typer.Exit(2)
    with Progress(console=console) as progress:
        task = progress.add_task("publishing stock", total=None)

        def report(_phase: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = hub.stock_flow.run(full=full, progress=report)
    hub.stop()
    for name, channel in result.channels.items():
        console.print(
            f"{name}: {len(channel.pushed)} updated, {len(channel.already_right)} already right, "
            f"{len(channel.not_in_channel)} not sold there"
        )
        for problem in channel.errors:
            err.print(f"[red]{name}:[/red] {problem}")
    if any(c.errors for c in result.channels.values()):
        raise typer.Exit(1)


@sync_app.command("files")
def sync_files(config: ConfigOption = Path("causeway.yaml")) -> None:
    """Exchange with the drop folder now: import in/, place the orders, write out/."""
    from causeway.files_sync import sync_files_now

    problems = sync_files_now(_config(config), console=console, err=err)
    if problems is None:
        raise typer.Exit(2)
    if problems:
        raise typer.Exit(1)


@app.command()
def demo(
    once: Annotated[
        bool,
        typer.Option(
            "--once", help="exit after the scenario; 0 only if every order reached the ERP"
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
    orders: Annotated[int, typer.Option(help="sample orders to place")] = 12,
    workdir: Annotated[Path | None, typer.Option(help="where the demo keeps its files")] = None,
) -> None:
    """Start Tryton, a Shopify sandbox and the hub; place sample orders; watch them land."""
    from causeway.demo import run_demo

    ok = run_demo(orders=orders, once=once, as_json=as_json, workdir=workdir, console=console)
    raise typer.Exit(0 if ok else 1)


def main() -> None:  # pragma: no cover - `python -m causeway`
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
