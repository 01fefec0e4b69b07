"""`causeway keys create|list|revoke`: the API keys that open the hub's HTTP API."""

from __future__ import annotations

import json
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
from causeway.config import CausewayConfig
from causeway.config.models import WILDCARD_ADDRESSES

keys_app = typer.Typer(
    help="API keys for the hub's HTTP API: every route but webhooks, /health and /ready "
    "needs one (docs/security.md).",
    no_args_is_help=True,
)
app.add_typer(keys_app, name="keys")


def _local_url(settings: CausewayConfig) -> str:
    """Where a client on this machine reaches the hub's listener."""
    host = settings.server.host
    if host.strip().lower() in WILDCARD_ADDRESSES:
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.server.port}"


def _example(settings: CausewayConfig, scope: str, key: str) -> str:
    header = f'-H "Authorization: Bearer {key}"'
    if scope == "run":
        flow = next(iter(settings.flows.configured()), "<flow>")
        return f"curl -X POST {header} {_local_url(settings)}/api/flows/{flow}/run"
    return f"curl {header} {_local_url(settings)}/metrics"


@keys_app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="what the key is for, e.g. prometheus")],
    scope: Annotated[str, typer.Option("--scope", help="read, run or admin")],
    config: ConfigOption = Path("causeway.yaml"),
    as_json: Annotated[bool, typer.Option("--json", help="print the new key as JSON")] = False,
) -> None:
    """Make an API key and print it: the only time it is shown."""
    from causeway.access.permissions import SCOPES, UnknownScopeError, check_scope
    from causeway.engine import api_keys

    settings = load_or_exit(config)
    try:
        check_scope(scope)
    except UnknownScopeError as exc:
        raise fail(str(exc), BAD_CONFIG) from None
    try:
        with open_store(settings, create=True) as store:
            key, secret = api_keys.create(store, name, scope)
    except api_keys.ApiKeyError as exc:
        raise fail(str(exc)) from None
    if as_json:
        answer = {"name": key.name, "scope": key.scope, "prefix": key.prefix, "key": secret}
        print(json.dumps(answer))
        return
    grants = ", ".join(sorted(SCOPES[scope]))
    console.print(
        f"Created API key {name!r} with scope {scope} (grants: {grants}).\n"
        "It is shown only this once and cannot be recovered: store it now, where the "
        "client keeps its secrets.\n",
        highlight=False,
    )
    print(secret)  # alone on its line, never wrapped
    console.print(
        f"\nSend it as a Bearer token, for example:\n  {_example(settings, scope, secret)}\n"
        f"`causeway keys list` shows it as {key.prefix}; "
        f"`causeway keys revoke {name}` revokes it.",
        highlight=False,
        soft_wrap=True,
    )


@keys_app.command("list")
def list_keys(
    config: ConfigOption = Path("causeway.yaml"),
    as_json: Annotated[bool, typer.Option("--json", help="print as JSON")] = False,
) -> None:
    """Every API key: name, scope, prefix, when made, last used and revoked (never the key)."""
    from causeway.engine import api_keys

    with open_store(load_or_exit(config), create=True) as store:
        keys = api_keys.list_keys(store)
    rows: list[dict[str, Any]] = [
        {
            "name": k.name,
            "scope": k.scope,
            "prefix": k.prefix,
            "created_at": k.created_at,
            "last_used_at": k.last_used_at,
            "revoked_at": k.revoked_at,
        }
        for k in keys
    ]
    print_listing(
        rows,
        [
            Column("name", "name"),
            Column("scope", "scope"),
            Column("prefix", "prefix"),
            Column("created_at", "created", ""),
            Column("last_used_at", "last used", "never"),
            Column("revoked_at", "revoked", ""),
        ],
        as_json=as_json,
        title="API keys",
        empty="no API keys yet: `causeway keys create --name N --scope read|run|admin`",
    )


@keys_app.command("revoke")
def revoke(
    name: Annotated[str, typer.Argument(help="the key's name, as `causeway keys list` shows")],
    config: ConfigOption = Path("causeway.yaml"),
) -> None:
    """Revoke an API key: every request with it is refused from now on (401)."""
    from causeway.engine import api_keys

    try:
        with open_store(load_or_exit(config), create=True) as store:
            key, revoked_now = api_keys.revoke(store, name)
    except api_keys.ApiKeyError as exc:
        raise fail(str(exc)) from None
    if revoked_now:
        console.print(
            f"revoked API key {name!r} ({key.prefix}): requests with it are refused from now on"
        )
    else:
        console.print(f"API key {name!r} was already revoked ({when(key.revoked_at)})")
