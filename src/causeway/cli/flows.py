"""Running flows by hand: `flow run`, `replay`, `sync stock`, `sync files`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from causeway.cli.common import ConfigOption, app, console, err, load_or_exit

sync_app = typer.Typer(help="Run a flow now, outside its schedule.", no_args_is_help=True)
app.add_typer(sync_app, name="sync")
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

    hub = Hub(load_or_exit(config))
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
    settings = load_or_exit(config)
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

    hub = Hub(load_or_exit(config))
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
            err.print(f"[red]{name}:[/red] {hub.redact(problem)}", highlight=False)
    if any(c.errors for c in result.channels.values()):
        raise typer.Exit(1)


@sync_app.command("files")
def sync_files(config: ConfigOption = Path("causeway.yaml")) -> None:
    """Exchange with the drop folder now: import in/, place the orders, write out/."""
    from causeway.files_sync import sync_files_now

    problems = sync_files_now(load_or_exit(config), console=console, err=err)
    if problems is None:
        raise typer.Exit(2)
    if problems:
        raise typer.Exit(1)
