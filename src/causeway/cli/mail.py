"""`causeway mail suppress|unsuppress|suppressions|outbox`: the e-mail outbox and the
addresses it never writes to (docs/notifications.md)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from causeway.cli.common import (
    Column,
    ConfigOption,
    app,
    console,
    fail,
    load_or_exit,
    open_store,
    print_listing,
)

mail_app = typer.Typer(
    help="Order-status e-mails: the outbox and the suppressed addresses.", no_args_is_help=True
)
app.add_typer(mail_app, name="mail")


@mail_app.command("suppress")
def suppress(
    addresses: Annotated[list[str], typer.Argument(help="one or more e-mail addresses")],
    reason: Annotated[str, typer.Option("--reason", help="bounce, complaint or manual")],
    detail: Annotated[str | None, typer.Option("--detail", help="why, for the console")] = None,
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Never write to these addresses again; e-mails waiting for them are not sent."""
    from causeway.engine import mail_outbox
    from causeway.engine.audit import cli_actor
    from causeway.notifications.addresses import normalised, problem_with

    if reason not in mail_outbox.SUPPRESSION_REASONS:
        raise fail(f"--reason must be bounce, complaint or manual, not {reason!r}")
    bad = [f"{a!r}: {p}" for a in addresses if (p := problem_with(normalised(a)))]
    if bad:
        raise fail("not e-mail addresses, nothing suppressed: " + "; ".join(bad))
    with open_store(load_or_exit(config)) as store:
        added, stopped = mail_outbox.suppress(
            store, [normalised(a) for a in addresses], reason, detail, actor=cli_actor()
        )
    console.print(
        f"suppressed {added} address(es) ({len(set(addresses)) - added} already were); "
        f"{stopped} waiting e-mail(s) will not be sent"
    )


@mail_app.command("unsuppress")
def unsuppress(
    address: Annotated[str, typer.Argument(help="the e-mail address")],
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Write to the address again (e-mails suppressed meanwhile stay unsent)."""
    from causeway.engine import mail_outbox
    from causeway.engine.audit import cli_actor

    with open_store(load_or_exit(config)) as store:
        if not mail_outbox.unsuppress(store, address, actor=cli_actor()):
            raise fail(f"{address} is not suppressed")
    console.print(f"{address.strip().lower()} gets e-mails again")


@mail_app.command("suppressions")
def suppressions(
    config: ConfigOption = Path("causeway.yaml"),
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """The suppressed addresses, newest first."""
    from causeway.engine import mail_outbox

    with open_store(load_or_exit(config)) as store:
        rows = [asdict(s) for s in mail_outbox.suppressions(store)]
    if not as_json:
        rows = [row | {"detail": row["detail"] or ""} for row in rows]
    columns = [
        Column("address", "address"),
        Column("reason", "reason"),
        Column("detail", "detail"),
        Column("created_at", "since", missing=""),
    ]
    print_listing(rows, columns, as_json=as_json, title="suppressed", empty="none suppressed")


@mail_app.command("outbox")
def outbox(
    state: Annotated[
        str | None, typer.Option("--state", help="pending, sending, sent, failed, suppressed")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 50,
    config: ConfigOption = Path("causeway.yaml"),
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """The latest e-mails with their state, tries and last error."""
    from causeway.engine import mail_outbox

    if state is not None and state not in mail_outbox.STATES:
        raise fail(f"--state must be one of {', '.join(mail_outbox.STATES)}, not {state!r}")
    with open_store(load_or_exit(config)) as store:
        mails = mail_outbox.latest(store, state=state, limit=limit)
    rows = [
        {k: v for k, v in asdict(m).items() if k not in ("text_body", "html_body")} for m in mails
    ]
    if not as_json:  # a table shows no "None"
        rows = [row | {"last_error": row["last_error"] or ""} for row in rows]
    columns = [
        Column("id", "id"),
        Column("created_at", "queued", missing=""),
        Column("event", "event"),
        Column("recipient", "to"),
        Column("state", "state"),
        Column("attempts", "tries"),
        Column("last_error", "last error"),
    ]
    print_listing(rows, columns, as_json=as_json, title="outbox", empty="no e-mails")
