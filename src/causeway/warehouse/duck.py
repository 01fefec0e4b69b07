"""The warehouse file itself: its one-writer lock, its tables, its bookkeeping, and
writing rows into it.

Besides the star schema (warehouse/schema.py) the file holds five bookkeeping tables,
all named with a leading underscore (export and load skip them):
- `_build_state`: per source of the hub (order_facts, web_events, ...), the watermark
  the next incremental build reads from, and when it was set;
- `_erp_sales`: per ERP sale, its state when last read and whether it is final (done or
  cancelled: nothing more to ship or invoice), so later builds re-read only open sales;
- `_web_checkouts`: per storefront client, the orders its checkout_completed events
  named, which stitch the client's events to the order's golden customer;
- `_golden_customers`: the golden customers' attributes dim_customer is made from (a
  build reads only the customers changed since the last);
- `_crm_contacts`: the CRM's contacts' lifecycle stage and segment (a build reads only
  the contacts the CRM changed since the last), which fill dim_customer.crm_segment.
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from causeway.errors import CausewayError
from causeway.warehouse.schema import MONEY, QUANTITY, TABLES, VARCHAR, C, Table

BUILD_STATE = Table(
    "_build_state",
    "source of the hub",
    "the build",
    (
        C("source", VARCHAR, "order_facts, web_events, ...", nullable=False),
        C("watermark", "DOUBLE", "the newest stamp read (Unix time)", nullable=False),
        C("set_at", "TIMESTAMP", "when the build set it"),
    ),
    key=("source",),
)
ERP_SALES = Table(
    "_erp_sales",
    "ERP sale",
    "the ERP's answers",
    (
        C("sale_id", "BIGINT", "the ERP sale", nullable=False),
        C("order_key", VARCHAR, "its order"),
        C("state", VARCHAR, "the sale's state when last read (NULL: the ERP has none)"),
        C("final", "BOOLEAN", "done or cancelled: not read again", nullable=False),
    ),
    key=("sale_id",),
)
WEB_CHECKOUTS = Table(
    "_web_checkouts",
    "checkout_completed event",
    "the hub's web_events",
    (
        C("channel", VARCHAR, "the store", nullable=False),
        C("event_id", VARCHAR, "the event", nullable=False),
        C("client_id", VARCHAR, "the browser"),
        C("order_id", VARCHAR, "the order it names"),
        C("occurred_at", "TIMESTAMP", "when"),
    ),
    key=("channel", "event_id"),
)
GOLDEN_CUSTOMERS = Table(
    "_golden_customers",
    "golden customer",
    "the hub's customers",
    (
        C("customer_id", VARCHAR, "the golden record's id", nullable=False),
        C("customer_group", VARCHAR, "its group (customer_group or tags)"),
        C("crm_segment", VARCHAR, "its CRM lifecycle stage"),
        C("country", VARCHAR, "its default address's country"),
        C("merged_into", VARCHAR, "the record it was merged into (NULL: none)"),
    ),
    key=("customer_id",),
)
CRM_CONTACTS = Table(
    "_crm_contacts",
    "CRM contact",
    "the CRM's contacts (model/ports/crm_reporting.py)",
    (
        C("contact_id", VARCHAR, "the CRM's id of the contact", nullable=False),
        C("lifecycle_stage", VARCHAR, "its lifecycle stage"),
        C("segment", VARCHAR, "the hub's RFM segment on it"),
        C("modified_at", "TIMESTAMP", "when the CRM last changed it"),
    ),
    key=("contact_id",),
)
BOOKKEEPING = (BUILD_STATE, ERP_SALES, WEB_CHECKOUTS, GOLDEN_CUSTOMERS, CRM_CONTACTS)
# Scratch space of one build (temporary tables, gone when the build's connection is).
# The hub's links of the CRM's contacts and deals, read whole each build (links change
# without the CRM's records changing: a contact linked later, a deal placed later).
CONTACT_CUSTOMERS = Table(
    "_contact_customers",
    "CRM contact the hub links to a golden customer",
    "the hub's links",
    (
        C("contact_id", VARCHAR, "the CRM's contact"),
        C("customer_id", VARCHAR, "the golden customer"),
        C("rank", "INTEGER", "0: its contact link; 1: one set aside by a merge; 2: a source link"),
        C("link_id", "BIGINT", "the link's id (older first)"),
    ),
)
DEAL_SALES = Table(
    "_deal_sales",
    "CRM deal the hub placed in the ERP",
    "the hub's links",
    (
        C("deal_id", VARCHAR, "the CRM's deal"),
        C("order_key", VARCHAR, "the hub's id of its order"),
        C("erp_sale_id", "BIGINT", "the ERP sale"),
    ),
)
LINE_COSTS = Table(
    "_line_costs",
    "order line SKU",
    "the ERP's sale costs",
    (
        C("order_key", VARCHAR, "the order"),
        C("sku", VARCHAR, "the SKU"),
        C("cost", MONEY, "the ERP's cost of `quantity` units, company currency"),
        C("quantity", QUANTITY, "units the ERP costed"),
    ),
)


class WarehouseError(CausewayError):
    """The warehouse cannot be built, read or exported as asked; the message says why."""


class WarehouseBusyError(WarehouseError):
    """Another build holds the warehouse's writer lock."""


@contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    """The one writer's lock: an OS lock on `<file>.lock`, released when the build ends
    (or its process dies). A second writer is refused at once, not queued."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(path.name + ".lock")
    handle = lock.open("a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseBusyError(
                f"another warehouse build is writing {path} (it holds {lock}); wait for it "
                f"to finish and run the build again"
            ) from None
        yield
    finally:
        handle.close()  # closing the file releases the lock


# What DuckDB may hold in memory while it builds; past it, it writes to its temporary
# folder beside the file. The build is one transaction: without a cap, a million lines
# took DuckDB's default share of the machine's memory (bench/warehouse.py).
BUILD_MEMORY = "384MB"


def open_for_build(path: Path) -> duckdb.DuckDBPyConnection:
    """The writer's connection to the work file, its memory capped. DuckDB's own progress
    bar stays off: the build reports its progress (the CLI's bar), and a second bar drawn
    on the terminal by a long statement would garble it."""
    con = duckdb.connect(
        str(path), config={"memory_limit": BUILD_MEMORY, "temp_directory": str(_spill(path))}
    )
    con.execute("SET enable_progress_bar = false")  # a setting of the connection's own
    return con


def _spill(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


def schema_matches(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file has every table of the schema with exactly its columns (a file
    written by an older Causeway is rebuilt in full)."""
    found: dict[str, list[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    ).fetchall():
        found.setdefault(table, []).append(column)
    wanted = {t.name: list(t.column_names) for t in TABLES}
    wanted |= {t.name: list(t.column_names) for t in BOOKKEEPING}
    return all(found.get(name) == cols for name, cols in wanted.items())


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    for table in TABLES:
        con.execute(table.ddl())
    for bookkeeping in BOOKKEEPING:
        con.execute(bookkeeping.ddl())


def watermark(con: duckdb.DuckDBPyConnection, source: str) -> float | None:
    row = con.execute("SELECT watermark FROM _build_state WHERE source = ?", [source]).fetchone()
    return None if row is None else float(row[0])


def set_watermark(con: duckdb.DuckDBPyConnection, source: str, value: float) -> None:
    con.execute(
        "INSERT OR REPLACE INTO _build_state VALUES (?, ?, now()::TIMESTAMP)", [source, value]
    )


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> int:
    """Insert rows (dicts by column name; a missing column is NULL), each value cast
    from its text to its column's type.

    Through a temporary CSV file DuckDB reads in one statement: binding values one
    parameter at a time is some hundred times slower, and text keeps decimals exact."""
    if not rows:
        return 0
    names = table.column_names
    casts = ", ".join(f"CAST(c{i} AS {c.type}) AS {c.name}" for i, c in enumerate(table.columns))
    types = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names)))
    with tempfile.TemporaryDirectory(prefix="causeway-warehouse-") as folder:
        path = Path(folder) / f"{table.name}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\n")
            for row in rows:
                writer.writerow([_text(row.get(name)) for name in names])
        con.execute(
            f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {casts} FROM read_csv(?, "
            f"header = false, columns = {{{types}}}, nullstr = '{NULL}', quote = '\"', "
            f"escape = '\"', delim = ',', auto_detect = false)",
            [str(path)],
        )
    return len(rows)


# What a NULL is in the CSV (an empty field is an empty text).
NULL = "\\N"


def _text(value: Any) -> str:
    if value is None:
        return NULL
    if type(value) is str and value != NULL:
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if text == NULL:  # pragma: no cover - no hub value looks like this
        raise WarehouseError(f"{NULL!r} cannot be stored: it is the NULL marker")
    return text


def scratch(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """A build's temporary table, created empty (or emptied)."""
    con.execute(table.ddl().replace("CREATE TABLE", "CREATE TEMP TABLE IF NOT EXISTS", 1))
    con.execute(f"DELETE FROM {table.name}")


def delete_keys(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: str | Sequence[str],
    keys: Sequence[Any],
) -> None:
    """Delete the rows whose key is one of `keys` (before writing them anew): one column
    and its values, or several columns and tuples of their values."""
    names = (columns,) if isinstance(columns, str) else tuple(columns)
    for start in range(0, len(keys), 5000):
        chunk = list(keys[start : start + 5000])
        if len(names) == 1:
            marks, values = ", ".join("?" for _ in chunk), chunk
        else:
            row = f"({', '.join('?' for _ in names)})"
            marks = f"SELECT * FROM (VALUES {', '.join(row for _ in chunk)})"
            values = [value for key in chunk for value in key]
        con.execute(f"DELETE FROM {table} WHERE ({', '.join(names)}) IN ({marks})", values)


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per table of the schema."""
    return {
        t.name: int(con.execute(f"SELECT count(*) FROM {t.name}").fetchone()[0])  # type: ignore[index]
        for t in TABLES
    }


def remove_file(path: Path) -> None:
    """A DuckDB file, its write-ahead log and what it spilled to disk, if there."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        try:
            os.remove(candidate)
        except FileNotFoundError:
            pass
    shutil.rmtree(_spill(path), ignore_errors=True)
