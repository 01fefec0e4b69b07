"""`causeway warehouse build|export|load` from the command line (no ERP: `erp: none`)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml
from typer.testing import CliRunner

from causeway.cli import app
from causeway.engine.store import Store
from tests.warehouse import hub_rows as seed
from tests.warehouse.conftest import config_data

runner = CliRunner()


def test_build_then_export_from_the_command_line(tmp_path: Path, hub_store: Store) -> None:
    seed.put_order(hub_store, "shop:1001", lines=[("SKU-A", 2, "10.00")])
    target = tmp_path / "wh" / "warehouse.duckdb"
    data = config_data(str(hub_store.url), erp="none", company_currency="EUR", path=str(target))
    config = tmp_path / "causeway.yaml"
    config.write_text(yaml.safe_dump(data))

    built = runner.invoke(app, ["warehouse", "build", "--config", str(config)])
    assert built.exit_code == 0, built.output
    assert "fact_order_lines" in built.output and "full build" in built.output
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM fact_order_lines").fetchone() == (1,)

    again = runner.invoke(app, ["warehouse", "build", "--config", str(config)])
    assert again.exit_code == 0 and "incremental build" in again.output

    out = tmp_path / "csv"
    exported = runner.invoke(
        app, ["warehouse", "export", "--format", "csv", "--to", str(out), "--config", str(config)]
    )
    assert exported.exit_code == 0, exported.output
    assert (out / "fact_orders.csv").is_file()

    bad = runner.invoke(
        app, ["warehouse", "export", "--format", "xlsx", "--to", str(out), "--config", str(config)]
    )
    assert bad.exit_code == 2 and "parquet or csv" in bad.output

    no_destination = runner.invoke(app, ["warehouse", "load", "--config", str(config)])
    assert no_destination.exit_code == 2 and "warehouse.destination" in no_destination.output


def test_export_of_a_missing_warehouse_says_to_build_it(tmp_path: Path, hub_store: Store) -> None:
    data = config_data(str(hub_store.url), erp="none", path=str(tmp_path / "none.duckdb"))
    config = tmp_path / "causeway.yaml"
    config.write_text(yaml.safe_dump(data))
    result = runner.invoke(
        app, ["warehouse", "export", "--to", str(tmp_path / "out"), "--config", str(config)]
    )
    assert result.exit_code == 1
    assert "causeway warehouse build" in result.output
