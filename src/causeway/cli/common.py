"""What every command shares: the Typer app, the consoles, reading causeway.yaml,
the exit codes, plain failures instead of tracebacks, and setting up logging.

Exit codes (README, docs/monitoring.md): 0 all is well; 1 something failed at run
time (a system or the store unreachable, a job parked, nothing to replay); 2 the
configuration or the command line is wrong; 3 `causeway status`: an alert fires.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import DBAPIError
from typer.core import TyperGroup

from causeway.config import CausewayConfig, load_config
from causeway.errors import CausewayError, ConfigError

if TYPE_CHECKING:
    from causeway.engine.store import Store

FAILED = 1  # a run-time failure: the message names the system and the fix
BAD_CONFIG = 2  # causeway.yaml or the command line is wrong
ALERTING = 3  # `causeway status` exit code: something is alerting (docs/monitoring.md)

console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = FAILED) -> typer.Exit:
    """Print one plain sentence on stderr; return the Exit to raise."""
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


class PlainFailures(TyperGroup):
    """Every command's expected failures as one sentence, never a traceback.

    A CausewayError already says what is wrong and what to do (ConfigError: exit 2,
    the rest: exit 1); a database error that escaped the store's own checks (the
    store went away mid-command) is named as the store's. Anything else is a bug and
    keeps its traceback.
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise fail(str(exc), BAD_CONFIG) from None
        except CausewayError as exc:
            raise fail(str(exc)) from None
        except DBAPIError as exc:
            from sqlalchemy.engine import make_url

            from causeway.engine.store import unavailable

            url = make_url(_loaded[-1].store.url if _loaded else "sqlite:///causeway.db")
            raise fail(str(unavailable(url, exc))) from None


# The config the running command loaded, so that PlainFailures can name its store.
_loaded: list[CausewayConfig] = []


app = typer.Typer(
    help="Causeway: web stores, ERP and CRM as one system.",
    no_args_is_help=True,
    cls=PlainFailures,
    pretty_exceptions_show_locals=False,  # a bug's traceback must not print secrets
)

ConfigOption = Annotated[
    Path,
    typer.Option("--config", "-c", envvar="CAUSEWAY_CONFIG", help="path to causeway.yaml"),
]


def load_or_exit(path: Path) -> CausewayConfig:
    """The config, or exit 2 with the message that names the key and the fix.

    From here on, log records lose the config's secrets (setup_logging puts the same
    filter on the handler it installs)."""
    from causeway.redaction import Redactor, install_log_redaction

    try:
        config = load_config(path)
    except ConfigError as exc:
        raise fail(str(exc), BAD_CONFIG) from None
    install_log_redaction(Redactor.from_config(config))
    _loaded[:] = [config]
    return config


@contextmanager
def open_store(config: CausewayConfig, *, create: bool = False) -> Iterator[Store]:
    """The config's store, closed when the command is done with it.

    By default the existing store, for commands that only look or change jobs: a missing
    SQLite file is an error (never a new empty store), an unreachable one too."""
    from causeway.engine.store import Store

    store = Store(config.store.url, create=create)
    try:
        yield store
    finally:
        store.dispose()


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


# -- logging --------------------------------------------------------------------------


class LogFormat(StrEnum):
    text = "text"
    json = "json"


LogFormatOption = Annotated[
    LogFormat,
    typer.Option(
        "--log-format",
        envvar="CAUSEWAY_LOG_FORMAT",
        case_sensitive=False,
        help="text for people, json for log collectors (one object a line)",
    ),
]

# Attributes every LogRecord has; anything else was passed as `extra=` and is logged too.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonLines(logging.Formatter):
    """One JSON object a line: time, level, logger, message, then the record's extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:  # the redacting filter keeps a traceback only as cleaned text
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


@dataclass(frozen=True)
class Column:
    """A column of a listing (print_listing): the row's key and its header; `missing` set
    makes it a time column, with what shows when there is none ("never", "")."""

    key: str
    header: str
    missing: str | None = None

    def shown(self, row: dict[str, Any]) -> str:
        value = row[self.key]
        if self.missing is None:
            return str(value)
        return when(value) if value else self.missing


def print_listing(
    rows: list[dict[str, Any]], columns: list[Column], *, as_json: bool, title: str, empty: str
) -> None:
    """What a `list` command prints: the rows as JSON, or a table, or `empty` for none."""
    if as_json:
        print(json.dumps(rows))
        return
    if not rows:
        console.print(empty)
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column.header, no_wrap=column.missing is None)
    for row in rows:
        table.add_row(*(column.shown(row) for column in columns))
    console.print(table)


def setup_logging(log_format: LogFormat | str = LogFormat.text, level: int = logging.INFO) -> None:
    """The one place logging is set up for `causeway run`, `causeway worker`, `check`.

    Everything (ours, uvicorn's, httpx's) goes through the root logger's one handler,
    and that handler strips the loaded config's secrets from every record (redaction.py).
    """
    handler = logging.StreamHandler()
    chosen = LogFormat(str(log_format).lower())
    json_lines = chosen is LogFormat.json
    handler.setFormatter(JsonLines() if json_lines else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Uvicorn's own loggers would print every request and start-up banner line.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    if _loaded:
        from causeway.redaction import Redactor, install_log_redaction

        install_log_redaction(Redactor.from_config(_loaded[-1]))
