"""Export to Parquet and CSV and load into PostgreSQL with dlt: the same rows, the same
sums of money, as the DuckDB file."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import create_engine, text

from causeway.config import CausewayConfig
from causeway.engine.store import Store
from causeway.warehouse.build import build
from causeway.warehouse.duck import WarehouseError
from causeway.warehouse.export import export
from causeway.warehouse.load import load
from causeway.warehouse.schema import MONEY, TABLES
from tests.essential import unavailable
from tests.warehouse.conftest import TODAY, seed_first_day, seed_later
from tests.warehouse.erp_double import ErpDouble

POSTGRES = os.environ.get(
    "CAUSEWAY_TEST_WAREHOUSE_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def warehouse(tmp_path: Path, hub_store: Store, settings: CausewayConfig, erp: ErpDouble) -> Path:
    seed_first_day(hub_store, erp)
    seed_later(hub_store, erp)
    path = tmp_path / "warehouse" / "warehouse.duckdb"
    build(hub_store, path, erp=erp, settings=settings, today=TODAY)
    return path


def counts(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {t.name: con.execute(f"SELECT count(*) FROM {t.name}").fetchone()[0] for t in TABLES}  # type: ignore[index]


def money_sums(path: Path) -> dict[str, object]:
    """table.column -> the column's sum, for every money column."""
    sums = {}
    with duckdb.connect(str(path), read_only=True) as con:
        for table in TABLES:
            for column in table.columns:
                if column.type == MONEY:
                    found = con.execute(f"SELECT sum({column.name}) FROM {table.name}").fetchone()
                    sums[f"{table.name}.{column.name}"] = found[0] if found else None
    return sums


def test_parquet_export_round_trips_every_table(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    report = export(warehouse, out, "parquet")
    expected = counts(warehouse)
    assert report.rows == expected
    assert (out / "fact_orders" / "order_date=2026-03-02" / "channel=shop").is_dir()
    with duckdb.connect() as con:
        for table in TABLES:
            files = f"{out / table.name}/**/*.parquet"
            found = con.execute(
                f"SELECT count(*) FROM read_parquet('{files}', hive_partitioning = true)"
            ).fetchone()
            assert found is not None and found[0] == expected[table.name], table.name


def test_csv_export_is_one_file_per_table(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    export(warehouse, out, "csv")
    expected = counts(warehouse)
    with duckdb.connect() as con:
        for table in TABLES:
            found = con.execute(
                f"SELECT count(*) FROM read_csv('{out / table.name}.csv')"
            ).fetchone()
            assert found is not None and found[0] == expected[table.name], table.name


def test_export_refuses_clearly(warehouse: Path, tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="no warehouse at"):
        export(tmp_path / "missing.duckdb", tmp_path / "out", "csv")
    with pytest.raises(WarehouseError, match="not an export format"):
        export(warehouse, tmp_path / "out", "xlsx")
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    with pytest.raises(WarehouseError, match="is a file"):
        export(warehouse, a_file, "csv")


def test_a_file_built_by_another_version_is_refused_with_what_to_run(
    warehouse: Path, tmp_path: Path
) -> None:
    older = tmp_path / "older.duckdb"
    shutil.copyfile(warehouse, older)
    with duckdb.connect(str(older)) as con:
        con.execute("DROP TABLE fact_integration")  # a table this version has, that one lacks
    with pytest.raises(WarehouseError, match=r"another version of Causeway.*warehouse build"):
        export(older, tmp_path / "out", "csv")
    assert not (tmp_path / "out").exists(), "nothing half-exported"


@pytest.fixture
def dataset() -> Iterator[str]:
    """A schema of its own in the machine's PostgreSQL, dropped afterwards."""
    name = f"cw_wh_{uuid.uuid4().hex[:10]}"
    engine = create_engine(POSTGRES.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        unavailable(f"PostgreSQL not reachable at {POSTGRES}: {type(exc).__name__}")
    yield name
    with engine.begin() as conn:
        for schema in (name, f"{name}_staging"):
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def test_the_dlt_load_into_postgresql_has_the_same_rows_and_sums(
    warehouse: Path, tmp_path: Path, dataset: str
) -> None:
    report = load(warehouse, POSTGRES, dataset=dataset, pipelines_dir=tmp_path / "dlt")
    expected = counts(warehouse)
    assert report.rows == expected
    engine = create_engine(POSTGRES.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            for table, n in expected.items():
                found = conn.execute(text(f'SELECT count(*) FROM "{dataset}"."{table}"')).scalar()
                assert found == n, table
            for name, total in money_sums(warehouse).items():
                table, column = name.split(".")
                found = conn.execute(
                    text(f'SELECT sum("{column}") FROM "{dataset}"."{table}"')
                ).scalar()
                assert found == total, name
    finally:
        engine.dispose()
    # A second load replaces: still one copy.
    load(warehouse, POSTGRES, dataset=dataset, pipelines_dir=tmp_path / "dlt")
    with engine.connect() as conn:
        assert conn.execute(text(f'SELECT count(*) FROM "{dataset}".fact_orders')).scalar() == 3
    engine.dispose()


def test_a_second_parquet_export_into_the_same_folder_leaves_no_stale_partition(
    warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "parquet"
    stale = out / "fact_orders" / "order_date=1999-01-01" / "channel=gone"
    stale.mkdir(parents=True)
    (stale / "data_0.parquet").write_bytes(b"old")
    export(warehouse, out, "parquet")
    assert not stale.exists()
