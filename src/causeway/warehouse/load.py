"""`causeway warehouse load`: every table of the warehouse into the company's own
warehouse (PostgreSQL), with dlt.

Each load replaces the tables whole (write disposition `replace`): the DuckDB file is
the truth and the destination a copy of it, so a load run twice leaves one copy. Column
types come from the schema (DECIMAL(18, 4) stays a decimal, a DATE a date), not from
guessing over the rows. dlt keeps its pipeline state in the folder given (beside the
warehouse file by default), never in $HOME, and its telemetry is off: the load talks to
the destination only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy.engine import make_url

from causeway.redaction import strip_url_credentials
from causeway.warehouse.duck import WarehouseError
from causeway.warehouse.export import open_read_only
from causeway.warehouse.schema import TABLES, Column, Table

# Set before dlt is imported anywhere in this process: no anonymous usage reports.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

BATCH = 5000
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")
_TYPES = {
    "VARCHAR": "text",
    "JSON": "text",  # kept as the JSON text the file holds
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "INTEGER": "bigint",
    "BIGINT": "bigint",
    "DOUBLE": "double",
    "BOOLEAN": "bool",
}


@dataclass
class LoadReport:
    dataset: str
    rows: dict[str, int] = field(default_factory=dict)


def column_hint(column: Column) -> dict[str, Any]:
    hint: dict[str, Any] = {"name": column.name, "nullable": column.nullable}
    decimal = _DECIMAL.fullmatch(column.type)
    if decimal:
        hint |= {"data_type": "decimal", "precision": int(decimal[1]), "scale": int(decimal[2])}
    elif column.type in _TYPES:
        hint["data_type"] = _TYPES[column.type]
        if column.type == "TIMESTAMP":
            hint["timezone"] = False  # the file's timestamps are UTC, without a zone
    else:  # pragma: no cover - a type added to the schema without a hint here
        raise WarehouseError(f"{column.name}: no destination type for {column.type}")
    return hint


def dlt_credentials(url: str) -> Any:
    """A SQLAlchemy or plain PostgreSQL URL as dlt's credentials. A URL without a
    password (trust, or a password in ~/.pgpass) gets an empty one: dlt insists on one."""
    from dlt.destinations.impl.postgres.configuration import PostgresCredentials

    credentials = PostgresCredentials()
    native = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    credentials.parse_native_representation(native)
    if credentials.password is None:
        credentials.password = ""
    return credentials


def load(source: Path, destination: str, *, dataset: str, pipelines_dir: Path) -> LoadReport:
    import dlt  # heavy: imported only when loading

    con = open_read_only(source)
    report = LoadReport(dataset)

    def rows_of(table: Table) -> Iterator[Any]:
        cursor = con.execute(f"SELECT * FROM {table.name}")
        names = [d[0] for d in cursor.description]
        empty = True
        while batch := cursor.fetchmany(BATCH):
            empty = False
            report.rows[table.name] = report.rows.get(table.name, 0) + len(batch)
            yield [dict(zip(names, row, strict=True)) for row in batch]
        if empty:
            # dlt makes no table for a resource without rows: an empty table (no CRM,
            # no clickstream yet) is still made, and a replace empties it.
            yield dlt.mark.materialize_table_schema()

    resources = []
    for table in TABLES:
        report.rows[table.name] = 0
        resources.append(
            dlt.resource(
                rows_of(table),
                name=table.name,
                write_disposition="replace",
                # dlt's TColumnSchema is a TypedDict: these dicts are of its shape.
                columns=cast(Any, [column_hint(c) for c in table.columns]),
            )
        )
    pipelines_dir.mkdir(parents=True, exist_ok=True)
    pipeline = dlt.pipeline(
        pipeline_name=f"causeway_warehouse_{dataset}",
        pipelines_dir=str(pipelines_dir),
        destination=dlt.destinations.postgres(credentials=dlt_credentials(destination)),
        dataset_name=dataset,
    )
    try:
        pipeline.run(resources)
    except Exception as exc:
        shown = make_url(destination).render_as_string(hide_password=True)
        reason = _root_cause(exc)
        # dlt's messages may quote the connection string: never its password.
        raise WarehouseError(
            f"loading into {shown} failed: {strip_url_credentials(reason)}"
        ) from None
    finally:
        con.close()
    return report


def _root_cause(error: BaseException) -> str:
    """The innermost error's first line: dlt wraps the database's own message in its
    step's ("Pipeline execution failed at step=load ...")."""
    while error.__cause__ is not None or getattr(error, "exception", None) is not None:
        inner = error.__cause__ or getattr(error, "exception", None)
        if not isinstance(inner, BaseException) or inner is error:
            break
        error = inner
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
