"""What every command shares: the Typer app, the consoles, and reading causeway.yaml."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from causeway.config import CausewayConfig, load_config
from causeway.errors import ConfigError

app = typer.Typer(help="Causeway: web stores, ERP and CRM as one system.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

ConfigOption = Annotated[
    Path,
    typer.Option("--config", "-c", envvar="CAUSEWAY_CONFIG", help="path to causeway.yaml"),
]
ALERTING = 3  # `causeway status` exit code: something is alerting (docs/monitoring.md)


def load_or_exit(path: Path) -> CausewayConfig:
    """The config, or exit 2 with the message that names the key and the fix.

    From here on, log records lose the config's secrets (commands that set up their
    own log handlers install the filter again on them)."""
    from causeway.redaction import Redactor, install_log_redaction

    try:
        config = load_config(path)
    except ConfigError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    install_log_redaction(Redactor.from_config(config))
    return config


def when(stamp: float | str | None) -> str:
    """A time as an operator reads it: clock time, and how long ago or until."""
    if isinstance(stamp, str):  # "on demand", "on each change"
        return stamp
    if not stamp:
        return "-"
    delta = stamp - time.time()
    today = time.strftime("%Y-%m-%d") == time.strftime("%Y-%m-%d", time.localtime(stamp))
    text = time.strftime("%H:%M:%S" if today else "%Y-%m-%d %H:%M", time.localtime(stamp))
    ago = f"in {delta:.0f}s" if delta > 0 else f"{-delta:.0f}s ago"
    return f"{text} ({ago})"
