"""Acting on one order: `orders accept-amounts`."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

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

orders_app = typer.Typer(help="Act on one order the hub holds.", no_args_is_help=True)
app.add_typer(orders_app, name="orders")


@orders_app.command("accept-amounts")
def accept_amounts(
    system: Annotated[str, typer.Argument(help="the system the order came from, e.g. shop")],
    order_id: Annotated[
        str, typer.Argument(help="the order's id in that system, as in /api/orders/SYSTEM/ID")
    ],
    note: Annotated[str, typer.Option("--note", help="why the ERP sale's amounts are right")],
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Accept an order's amount mismatch: its ERP sale stands as it is.

    The note, the time and the user go in the order's timeline; the amount_mismatch alert
    stops once every mismatch of the system is accepted. Exit 1 if there is nothing to accept."""
    from causeway.flows.orders_to_erp.amount_check import NotAccepted, open_mismatches
    from causeway.flows.orders_to_erp.amount_check import accept_amounts as accept

    settings = load_or_exit(config)
    if system not in settings.systems:
        known = ", ".join(sorted(settings.systems)) or "none"
        raise fail(f"no system named {escape(repr(system))} (systems: {known})", BAD_CONFIG)
    with open_store(settings, create=True) as store:
        try:
            done = accept(store, system, order_id, note, by=_user())
        except NotAccepted as exc:
            raise fail(escape(str(exc))) from None
        remaining = sum(f.count for f in open_mismatches(store) if f.system == system)
    # Order numbers and notes are outside data: printed as they are, never as markup.
    if done.already:
        said = f"its amounts were already accepted {when(done.at)} ({done.note})"
    else:
        said = f"amounts accepted. It was: {done.reason}"
    console.print(f"order {done.order}: {said}", markup=False, highlight=False)
    console.print(
        f"{remaining} amount mismatch(es) from {system} still to look at",
        markup=False,
        highlight=False,
    )


def _user() -> str | None:
    """Who ran the command, for the timeline (None where the OS cannot say)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None
