"""`causeway warehouse export --format parquet|csv --to DIR`: every table of the schema
out of the warehouse file, read-only (a build running meanwhile is neither blocked nor
seen half-done).

- parquet: `DIR/<table>/`, partitioned (Hive style, `order_date=2026-03-02/channel=shop/`)
  by the table's partition_by columns; a table without partitioning, or empty, is one
  file `DIR/<table>/<table>.parquet`. The partition columns live in the folder names:
  read back with `read_parquet('DIR/<table>/**/*.parquet', hive_partitioning = true)`.
- csv: `DIR/<table>.csv`, one file per table, with a header line.

An export into a folder that holds a former one replaces each table's file or folder.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from causeway.warehouse.duck import WarehouseError, schema_matches
from causeway.warehouse.schema import TABLES

FORMATS = ("parquet", "csv")


@dataclass
class ExportReport:
    target: Path
    format: str
    rows: dict[str, int] = field(default_factory=dict)


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse file for reading, or a clear error when there is none yet."""
    if not path.is_file():
        raise WarehouseError(
            f"no warehouse at {path}: run `causeway warehouse build` first (or set "
            f"warehouse.path to where it is)"
        )
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise WarehouseError(f"{path} is not a warehouse file DuckDB can open: {exc}") from None
    if not schema_matches(con):
        con.close()
        raise WarehouseError(
            f"{path} was built by another version of Causeway (its tables are not this "
            f"version's): run `causeway warehouse build` first, which rebuilds it in full"
        )
    return con


def export(source: Path, target: Path, fmt: str) -> ExportReport:
    if fmt not in FORMATS:
        raise WarehouseError(f"{fmt!r} is not an export format; use {' or '.join(FORMATS)}")
    if target.exists() and not target.is_dir():
        raise WarehouseError(f"{target} is a file: give a folder to export the tables into")
    con = open_read_only(source)
    report = ExportReport(target, fmt)
    try:
        target.mkdir(parents=True, exist_ok=True)
        for table in TABLES:
            count = con.execute(f"SELECT count(*) FROM {table.name}").fetchone()
            report.rows[table.name] = int(count[0]) if count else 0
            if fmt == "csv":
                out = target / f"{table.name}.csv"
                con.execute(f"COPY {table.name} TO '{_quoted(out)}' (FORMAT csv, HEADER)")
                continue
            folder = target / table.name
            # A former export's partitions would be read back with the new ones.
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            if table.partition_by and report.rows[table.name]:
                columns = ", ".join(table.partition_by)
                con.execute(
                    f"COPY {table.name} TO '{_quoted(folder)}' "
                    f"(FORMAT parquet, PARTITION_BY ({columns}))"
                )
            else:
                out = folder / f"{table.name}.parquet"
                con.execute(f"COPY {table.name} TO '{_quoted(out)}' (FORMAT parquet)")
    finally:
        con.close()
    return report


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
