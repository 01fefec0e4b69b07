"""Where the warehouse file is: `warehouse.path` in causeway.yaml when set, else
`warehouse/warehouse.duckdb` in the hub's data folder (the folder of its SQLite store;
the working directory for a PostgreSQL store). The build writes there (docs/warehouse.md)
and the reports read there."""

from __future__ import annotations

from pathlib import Path

from causeway.config import CausewayConfig

SQLITE = "sqlite:///"


def data_folder(config: CausewayConfig) -> Path:
    url = config.store.url
    if url.startswith(SQLITE):
        return Path(url.removeprefix(SQLITE)).expanduser().resolve().parent
    return Path.cwd()


def warehouse_path(config: CausewayConfig) -> Path:
    section = getattr(config, "warehouse", None)  # the build's settings, when declared
    configured = getattr(section, "path", None)
    if configured:
        return Path(str(configured)).expanduser()
    return data_folder(config) / "warehouse" / "warehouse.duckdb"
