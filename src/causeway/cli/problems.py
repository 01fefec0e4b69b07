"""`causeway problems ...`: the console's Problems page at a terminal.

list, show, replay, resolve, assign and edit act through engine/problems.py and
engine/problem_edits.py, as the console does, and are audited as "cli:<os user>".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from causeway.cli.common import (
    BAD_CONFIG,
    ConfigOption,
    app,
    console,
    fail,
    load_or_exit,
    open_store,
    when,
)
from causeway.engine.audit import cli_actor

if TYPE_CHECKING:
    from causeway.engine.problems import Problem, Problems

problems_app = typer.Typer(
    help="Parked jobs by class: list, show, replay, resolve, assign, edit and replay.",
    no_args_is_help=True,
)
app.add_typer(problems_app, name="problems")


@contextmanager
def _problems(config: Path) -> Iterator[Problems]:
    from causeway.engine.jobs import JobQueue
    from causeway.engine.problems import Problems
    from causeway.redaction import Redactor

    settings = load_or_exit(config)
    with open_store(settings) as store:
        yield Problems(JobQueue(store, clean_text=Redactor.from_config(settings)))


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


def _error(problem: Problem) -> str:
    text = (problem.last_error or "").splitlines()[0] if problem.last_error else "-"
    return text[:120]


@problems_app.command("list")
def list_problems(
    flow: Annotated[str | None, typer.Option(help="only this flow's")] = None,
    system: Annotated[
        str | None, typer.Option(help="only this system's (as in causeway.yaml)")
    ] = None,
    error_class: Annotated[
        str | None,
        typer.Option("--class", help="only this class: unknown_product, missing_master_data, ..."),
    ] = None,
    assignee: Annotated[
        str | None, typer.Option(help="only those assigned to this e-mail ('nobody': unassigned)")
    ] = None,
    older_than: Annotated[
        str | None, typer.Option(help="only those parked at least this long ago (30m, 2h, 1d)")
    ] = None,
    limit: Annotated[int, typer.Option(help="at most this many")] = 200,
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """The parked jobs, longest parked first, with the counts per class."""
    from causeway.durations import parse_duration
    from causeway.engine.error_classes import CLASSES, label
    from causeway.engine.problems import ProblemFilter

    if error_class is not None and error_class not in CLASSES:
        raise fail(f"no class {error_class!r}; the classes: {', '.join(CLASSES)}", BAD_CONFIG)
    try:
        age = parse_duration(older_than) if older_than is not None else None
    except ValueError as exc:
        raise fail(f"--older-than: {exc}", BAD_CONFIG) from None
    chosen = ProblemFilter(flow, system, error_class, assignee, age)
    with _problems(config) as problems:
        found = problems.parked(chosen, limit=limit)
        counts = problems.counts(chosen)
    if not found:
        console.print("no parked jobs" + (" match" if chosen != ProblemFilter() else ""))
        return
    console.print(
        "  ".join(f"{label(name)}: {n}" for name, n in sorted(counts.items(), key=lambda c: -c[1]))
    )
    for p in found:
        skus = f" [{', '.join(p.skus)}]" if p.skus else ""
        console.print(
            f"{p.id:>7}  {p.label}{skus}  {p.flow}  {p.system}  {p.entity}  "
            f"{_age(p.age())}  attempts {p.attempts}  {p.assignee or '-'}\n         {_error(p)}",
            highlight=False,
            soft_wrap=True,
        )


@problems_app.command("show")
def show(
    job_id: Annotated[int, typer.Argument(help="the job")],
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """A job's error, its earlier errors, and its payload (and inbox record) as JSON."""
    from causeway.engine.problem_edits import body_json, record_of

    with _problems(config) as problems:
        problem = problems.get(job_id)
        if problem is None:
            raise fail(f"no job {job_id}")
        record = record_of(problems.queue, job_id)
    out = console.print
    out(
        f"job {problem.id}: {problem.flow} {problem.ordering_key} ({problem.state})",
        highlight=False,
    )
    out(f"class: {problem.label}" + (f" (SKU {', '.join(problem.skus)})" if problem.skus else ""))
    out(f"parked: {when(problem.parked_at)}  attempts: {problem.attempts}", highlight=False)
    out(f"assignee: {problem.assignee or '-'}")
    if problem.resolution:
        out(f"resolved by {problem.resolution['by']}: {problem.resolution['note']}")
    out(f"error: {problem.last_error or '-'}", highlight=False, soft_wrap=True)
    for earlier in problem.earlier_errors:
        out(f"earlier ({when(earlier['at'])}): {earlier['error']}", highlight=False, soft_wrap=True)
    out("payload: " + json.dumps(problem.payload), highlight=False)
    if record is not None:
        out(
            f"record {record.id} ({record.source} {record.topic} {record.event_id}):",
            highlight=False,
        )
        body = body_json(record)
        console.print_json(data=body) if body is not None else out("(not JSON, or pruned)")


@problems_app.command("replay")
def replay_problems(
    job_ids: Annotated[list[int], typer.Argument(help="the parked jobs to run again")],
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Put these parked jobs back in the queue. Exits 1 when none of them was parked."""
    with _problems(config) as problems:
        replayed = problems.replay(job_ids, actor=cli_actor())
    skipped = sorted(set(job_ids) - set(replayed))
    if skipped:
        console.print(f"not parked (left as they are): {', '.join(map(str, skipped))}")
    if not replayed:
        raise fail("nothing replayed")
    console.print(f"replayed {len(replayed)} job(s); a running hub picks them up now")


@problems_app.command("resolve")
def resolve(
    job_id: Annotated[int, typer.Argument(help="the parked job")],
    note: Annotated[str, typer.Option("--note", help="what was done instead of running it")],
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Close a parked job without running it, with a note saying why."""
    from causeway.engine.problems import ProblemActionError

    with _problems(config) as problems:
        try:
            problems.resolve(job_id, note, actor=cli_actor())
        except ProblemActionError as exc:
            raise fail(str(exc)) from None
    console.print(f"job {job_id} resolved; it will not run")


@problems_app.command("assign")
def assign(
    job_id: Annotated[int, typer.Argument(help="the parked job")],
    to: Annotated[str, typer.Option("--to", help="the person's e-mail ('' to unassign)")],
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Give a parked job to a person."""
    from causeway.engine.problems import ProblemActionError

    with _problems(config) as problems:
        try:
            problems.assign(job_id, to, actor=cli_actor())
        except ProblemActionError as exc:
            raise fail(str(exc)) from None
    console.print(f"job {job_id} assigned to {to}" if to.strip() else f"job {job_id} unassigned")


@problems_app.command("edit")
def edit(
    job_id: Annotated[int, typer.Argument(help="the parked job")],
    file: Annotated[
        Path, typer.Option("--file", help="the record's corrected body as JSON (see `show`)")
    ],
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Correct the inbox record a parked job was made from, then replay it.

    The flow reads the edit as it reads its events before anything is stored; an edit it
    cannot read is refused with the reasons, and nothing changes."""
    from causeway.engine.problem_edits import EditRefused, edit_and_replay
    from causeway.flows.base import event_validator
    from causeway.hub import Hub

    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc}", BAD_CONFIG) from None
    hub = Hub(load_or_exit(config))
    try:
        job = hub.jobs.get(job_id)
        if job is None:
            raise fail(f"no job {job_id}")
        validate = event_validator(hub.flows.get(job["flow"]))
        if validate is None:
            raise fail(
                f"flow {job['flow']} is not enabled here, or cannot check an edited record: "
                "fix the cause in the source system and replay, or resolve the job"
            )
        try:
            done = edit_and_replay(hub.jobs, job_id, text, validate=validate, actor=cli_actor())
        except EditRefused as refused:
            for reason in refused.errors:
                console.print(f"  {reason}", highlight=False, soft_wrap=True)
            raise fail("edit refused; nothing changed") from None
    finally:
        hub.stop()
    for path, before, after in done.changes:
        console.print(f"  {path}: {json.dumps(before)} -> {json.dumps(after)}", highlight=False)
    console.print(f"job {job_id} now reads record {done.new_id} ({done.event_id}); replayed")
