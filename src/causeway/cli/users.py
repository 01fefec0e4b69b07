"""`causeway users add|list|set-role|disable|enable|set-password`: the people who log in
to the operator console (docs/security.md, "People, roles and sessions").

Passwords are asked twice at a prompt that does not echo them, or read from standard
input with --password-stdin (for scripts: never on the command line, where `ps` and
the shell's history would show them). Every change is audited with the actor
`cli:<operating-system user>`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from causeway.cli.common import (
    BAD_CONFIG,
    Column,
    ConfigOption,
    app,
    console,
    fail,
    load_or_exit,
    open_store,
    print_listing,
    when,
)

users_app = typer.Typer(
    help="People who log in to the operator console, and their roles: viewer (reads), "
    "operator (also replays, edits, runs flows), admin (also manages people, keys and "
    "settings).",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")

EmailArgument = Annotated[str, typer.Argument(help="the person's e-mail: their login")]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="read the password from standard input (one line) instead of a prompt",
    ),
]


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = typer.prompt("Password", hide_input=True)
    again = typer.prompt("Password again", hide_input=True)
    if password != again:
        raise fail("the two passwords differ; nothing was changed", BAD_CONFIG)
    return str(password)


@users_app.command("add")
def add(
    email: EmailArgument,
    role: Annotated[str, typer.Option("--role", help="viewer, operator or admin")],
    password_stdin: PasswordStdin = False,
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Give a person a login to the console with this role."""
    from causeway.engine import users
    from causeway.engine.audit import cli_actor

    settings = load_or_exit(config)
    try:
        users.normalise_email(email)
        users.check_role(role)
    except users.UserError as exc:
        raise fail(str(exc), BAD_CONFIG) from None
    password = read_password(password_stdin)
    try:
        with open_store(settings, create=True) as store:
            user = users.add(store, email, role, password, actor=cli_actor())
    except users.UserError as exc:
        raise fail(str(exc), BAD_CONFIG) from None
    console.print(
        f"{user.email} can now log in to the console as {user.role}, at /console/login.",
        highlight=False,
    )


@users_app.command("list")
def list_users(
    config: ConfigOption = Path("causeway.yaml"),
    as_json: Annotated[bool, typer.Option("--json", help="print as JSON")] = False,
) -> None:
    """Everyone with a login: e-mail, role, when added, last login, disabled."""
    from causeway.engine import users

    with open_store(load_or_exit(config), create=True) as store:
        people = users.list_users(store)
    rows: list[dict[str, Any]] = [
        {
            "email": u.email,
            "role": u.role,
            "created_at": u.created_at,
            "last_login_at": u.last_login_at,
            "disabled_at": u.disabled_at,
        }
        for u in people
    ]
    print_listing(
        rows,
        [
            Column("email", "e-mail"),
            Column("role", "role"),
            Column("created_at", "added", ""),
            Column("last_login_at", "last login", "never"),
            Column("disabled_at", "disabled", ""),
        ],
        as_json=as_json,
        title="Console users",
        empty="nobody has a login yet: `causeway users add EMAIL --role admin`",
    )


@users_app.command("set-role")
def set_role(
    email: EmailArgument,
    role: Annotated[str, typer.Argument(help="viewer, operator or admin")],
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Give a person another role; their open sessions end (they log in again)."""
    from causeway.engine import users
    from causeway.engine.audit import cli_actor

    try:
        with open_store(load_or_exit(config), create=True) as store:
            user, changed = users.set_role(store, email, role, actor=cli_actor())
    except users.UserError as exc:
        raise fail(str(exc), BAD_CONFIG) from None
    if changed:
        console.print(f"{user.email} is now {user.role}; their open sessions have ended")
    else:
        console.print(f"{user.email} already was {user.role}; nothing changed")


@users_app.command("disable")
def disable(email: EmailArgument, config: ConfigOption = Path("causeway.yaml")) -> None:
    """Stop a person logging in, and end their open sessions now. They stay listed (the
    audit log names them); `causeway users enable` undoes it."""
    from causeway.engine import users
    from causeway.engine.audit import cli_actor

    try:
        with open_store(load_or_exit(config), create=True) as store:
            user, changed = users.disable(store, email, actor=cli_actor())
    except users.UserError as exc:
        raise fail(str(exc), BAD_CONFIG) from None
    if changed:
        console.print(f"{user.email} can no longer log in; their open sessions have ended")
    else:
        console.print(f"{user.email} was already disabled ({when(user.disabled_at)})")


@users_app.command("enable")
def enable(email: EmailArgument, config: ConfigOption = Path("causeway.yaml")) -> None:
    """Let a disabled person log in again, with their password as it was."""
    from causeway.engine import users
    from causeway.engine.audit import cli_actor

    try:
        with open_store(load_or_exit(config), create=True) as store:
            user, changed = users.enable(store, email, actor=cli_actor())
    except users.UserError as exc:
        raise fail(str(exc), BAD_CONFIG) from None
    state = "can log in again" if changed else "was not disabled; nothing changed"
    console.print(f"{user.email} {state}")


@users_app.command("set-password")
def set_password(
    email: EmailArgument,
    password_stdin: PasswordStdin = False,
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Set a new password (asked twice); the person's open sessions end."""
    from causeway.engine import users
    from causeway.engine.audit import cli_actor

    settings = load_or_exit(config)
    with open_store(settings, create=True) as store:
        if users.find(store, email) is None:  # say so before asking for a password
            raise fail(
                f"nobody logs in as {email.strip()!r}; `causeway users list` shows who does",
                BAD_CONFIG,
            )
        password = read_password(password_stdin)
        try:
            user = users.set_password(store, email, password, actor=cli_actor())
        except users.UserError as exc:
            raise fail(str(exc), BAD_CONFIG) from None
    console.print(f"{user.email} has a new password; their open sessions have ended")
