"""Running flows by hand: `flow run`, `flow pause`, `flow resume`, `replay`, `sync stock`,
`sync files`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from causeway.cli.common import (
    BAD_CONFIG,
    FAILED,
    ConfigOption,
    app,
    console,
    err,
    fail,
    load_or_exit,
    open_store,
)
from causeway.engine.audit import cli_actor

if TYPE_CHECKING:
    from causeway.config import CausewayConfig

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
    """Run a flow now, whatever its schedule: release the changes it holds and do its work.

    Exits 1 when a job it ran was parked or is left to retry (the reasons are printed)."""
    from causeway.engine.flow_pauses import FlowPausedError
    from causeway.hub import Hub

    hub = Hub(load_or_exit(config))
    try:
        if name not in hub.flows:
            known = ", ".join(sorted(hub.flows)) or "none"
            raise fail(f"no enabled flow named {name!r} (enabled: {known})", BAD_CONFIG)
        try:
            queued = hub.run_flow(name, actor=cli_actor())
        except FlowPausedError as paused:
            raise fail(str(paused)) from None
        console.print(f"{name}: {queued} job(s) released or queued")
        if wait:
            worker = hub.new_worker("cli")
            worker.flows = {name: hub.flows[name]}
            worker.run_until_idle(timeout=3600)
            stats = worker.stats
            console.print(
                f"{name}: {stats.done} done, {stats.retried} to retry, {stats.dead} parked"
            )
            for problem in stats.problems:
                err.print(f"[red]{name}:[/red] {problem}", highlight=False, soft_wrap=True)
            if stats.dead:
                raise fail(
                    f"{stats.dead} job(s) of {name} parked: fix the cause above, then "
                    f"`causeway replay --all --flow {name}`"
                )
            if stats.retried:
                raise fail(
                    f"{stats.retried} job(s) of {name} failed and will retry (reasons above); "
                    f"a running hub retries them, or run `causeway flow run {name}` again"
                )
    finally:
        hub.stop()


@flow_app.command("pause")
def flow_pause(
    name: Annotated[str, typer.Argument(help="the flow, as named in causeway.yaml")],
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Pause a flow: its new changes are kept, held, and nothing of it runs (no scheduled
    run, no job claimed) until `causeway flow resume NAME`. Every hub process on the store
    obeys at once; a batch already running finishes. Recorded in the audit log."""
    from causeway.engine.flow_pauses import pause

    settings = load_or_exit(config)
    _known_flow(settings, name)
    with open_store(settings) as store:
        changed = pause(store, name, actor=cli_actor())
    console.print(f"{name}: {'paused' if changed else 'was already paused'}; its changes wait")


@flow_app.command("resume")
def flow_resume(
    name: Annotated[str, typer.Argument(help="the flow, as named in causeway.yaml")],
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Resume a paused flow: the changes it held become due now and a running hub works
    them; a scheduled run missed meanwhile runs at once. Recorded in the audit log."""
    from causeway.engine.flow_pauses import resume

    settings = load_or_exit(config)
    _known_flow(settings, name)
    with open_store(settings) as store:
        released = resume(store, name, actor=cli_actor())
    if released is None:
        console.print(f"{name}: was not paused; nothing to resume")
    else:
        console.print(f"{name}: resumed; {released} held job(s) released to a running hub")


def _known_flow(settings: CausewayConfig, name: str) -> None:
    known = settings.flows.configured()
    if name not in known:
        raise fail(
            f"no flow named {name!r} in causeway.yaml (configured: "
            f"{', '.join(sorted(known)) or 'none'})",
            BAD_CONFIG,
        )


@app.command()
def replay(
    job_id: Annotated[int | None, typer.Argument(help="the dead job to run again")] = None,
    all_dead: Annotated[bool, typer.Option("--all", help="replay every dead job")] = False,
    flow: Annotated[str | None, typer.Option(help="with --all: only this flow's")] = None,
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Put dead jobs back in the queue after their cause is fixed.

    Exits 1 when nothing was replayed, 2 for an unknown flow."""
    from causeway.engine.jobs import JobQueue

    if job_id is None and not all_dead:
        raise fail("give a job id, or --all (see `causeway status` for dead jobs)", BAD_CONFIG)
    settings = load_or_exit(config)
    with open_store(settings) as store:
        queue = JobQueue(store)
        if flow is not None:
            known = set(settings.flows.configured()) | {f for f, _ in queue.counts()}
            if flow not in known:
                raise fail(
                    f"no flow named {flow!r} (known: {', '.join(sorted(known)) or 'none'}); "
                    f"use the name as written in causeway.yaml",
                    BAD_CONFIG,
                )
        if job_id is not None and flow is None:
            # One job: audited, as `causeway problems replay` and the console are.
            from causeway.engine.audit import cli_actor
            from causeway.engine.problems import Problems

            count = len(Problems(queue).replay([job_id], actor=cli_actor()))
        else:
            count = queue.replay(job_id, flow=flow)
    if count == 0:
        if job_id is not None:
            raise fail(f"job {job_id} is not dead (or does not exist); nothing replayed")
        which = f" of {flow}" if flow else ""
        raise fail(f"no dead job{which} to replay; `causeway status` lists the parked jobs")
    console.print(f"replayed {count} job(s); a running hub picks them up now")


@sync_app.command("stock")
def sync_stock(
    full: Annotated[bool, typer.Option("--full", help="every SKU, not only changed ones")] = False,
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Publish sellable stock from the ERP to the stores now."""
    from rich.progress import Progress

    from causeway.flows.stock_to_channels import NAME, StockToChannels
    from causeway.hub import Hub

    hub = Hub(load_or_exit(config))
    try:
        flow = hub.flows.get(NAME)
        if not isinstance(flow, StockToChannels):
            raise fail(f"flows.{NAME} is not configured in causeway.yaml", BAD_CONFIG)
        with Progress(console=console) as progress:
            task = progress.add_task("publishing stock", total=None)

            def report(_phase: str, done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            result = flow.run(full=full, progress=report)
    finally:
        hub.stop()
    for name, channel in result.channels.items():
        console.print(
            f"{name}: {len(channel.pushed)} updated, {len(channel.already_right)} already right, "
            f"{len(channel.not_in_channel)} not sold there"
        )
        if channel.submitted or channel.waiting:
            # A channel that decides later (Amazon's feed): the hub's workers follow it.
            console.print(
                f"{name}: {len(channel.submitted)} submitted, applied once the channel has "
                f"processed them; {len(channel.waiting)} wait for an earlier submission"
            )
        for problem in channel.errors:
            err.print(f"[red]{name}:[/red] {hub.redact(problem)}", highlight=False)
    if any(c.errors for c in result.channels.values()):
        raise typer.Exit(FAILED)


@sync_app.command("files")
def sync_files(config: ConfigOption = Path("causeway.yaml")) -> None:
    """Exchange with the drop folder now: import in/, place the orders, write out/."""
    from causeway.files_sync import sync_files_now

    problems = sync_files_now(load_or_exit(config), console=console, err=err)
    if problems is None:
        raise typer.Exit(BAD_CONFIG)
    if problems:
        raise typer.Exit(FAILED)
