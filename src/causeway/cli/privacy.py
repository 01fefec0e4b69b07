"""Personal data (docs/privacy.md): `prune`, `erase`, `privacy export`."""

from __future__ import annotations

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
)

if TYPE_CHECKING:
    from causeway.config import CausewayConfig
    from causeway.privacy.person import Person


@app.command()
def prune(config: ConfigOption = Path("causeway.yaml")) -> None:
    """Remove now what is older than its retention period (`retention:` in causeway.yaml;
    the running hub does it every `retention.every`)."""
    from causeway.privacy.retention import prune as prune_all

    settings = load_or_exit(config)
    with open_store(settings) as store:
        report = prune_all(store, settings)
    for place, count in report.removed.items():
        console.print(f"{place}: {count} removed")
    for place in report.kept_for_ever:
        console.print(f"{place}: kept (retention off)")
    if report.total:
        console.print(f"pruned {report.total} in all")
    else:
        console.print("nothing old enough to prune")


privacy_app = typer.Typer(
    help="Personal data the hub holds (docs/privacy.md).", no_args_is_help=True
)
app.add_typer(privacy_app, name="privacy")

EmailOption = Annotated[
    list[str] | None, typer.Option("--email", help="the person's email address (repeatable)")
]
CustomerOption = Annotated[
    list[str] | None,
    typer.Option(
        "--customer",
        help="SYSTEM:ID (a system's customer id, e.g. shop:7290...) or a golden customer id "
        "(repeatable)",
    ),
]


def _person_or_exit(settings: CausewayConfig, emails: list[str], customers: list[str]) -> Person:
    from causeway.privacy.erase import person_for

    if not emails and not customers:
        raise fail("say who: --email ADDRESS and/or --customer ID", BAD_CONFIG)
    return person_for(settings, emails=emails, customers=customers)


@app.command()
def erase(
    email: EmailOption = None,
    customer: CustomerOption = None,
    system: Annotated[
        str | None,
        typer.Option(help="instead of a person: everything this system sent (as shop/redact)"),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask for confirmation")] = False,
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Erase a person from the hub (every table and the drop folders), or one system's
    data; prints what changed where. Running it again changes nothing."""
    from causeway.privacy.erase import erase_person, erase_system

    settings = load_or_exit(config)
    if system is not None and system not in settings.systems:
        known = ", ".join(sorted(settings.systems))
        raise fail(f"no system named {system!r} (systems: {known})", BAD_CONFIG)
    person = None if system else _person_or_exit(settings, email or [], customer or [])
    who = f"everything from {system}" if system else ", ".join([*(email or []), *(customer or [])])
    if not yes and not typer.confirm(f"Erase {who} from the hub? This cannot be undone"):
        raise typer.Exit(1)
    with open_store(settings) as store:
        if person is None:
            report = erase_system(store, settings, system or "")
        else:
            report = erase_person(store, settings, person)
    console.print(f"erasing {who}:")
    for place, count in report.changed.items():
        console.print(f"  {place}: {count} changed" if count else f"  {place}: nothing to change")
    if report.total:
        console.print(f"done: {report.total} row(s) and file(s) changed", highlight=False)
    else:
        console.print("nothing changed: the hub holds nothing more on this (already erased?)")
    if report.remote:
        console.print("Not erased by this command (the systems keep their own copies):")
        for note in report.remote:
            console.print(f"  - {note}", highlight=False)


@privacy_app.command("export")
def export(
    email: EmailOption = None,
    customer: CustomerOption = None,
    output: Annotated[
        Path | None,
        typer.Option(help="folder for the file; default: flows.privacy-requests.exports_folder"),
    ] = None,
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Write everything the hub holds on a person to a JSON file (mode 0600)."""
    from causeway.privacy.export import export_person
    from causeway.privacy.retention import exports_folder

    settings = load_or_exit(config)
    person = _person_or_exit(settings, email or [], customer or [])
    with open_store(settings) as store:
        path = export_person(store, settings, person, output or exports_folder(settings))
    console.print(f"wrote {path} (readable by you only); send it to the person who asked")
