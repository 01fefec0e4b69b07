"""bench/warehouse.py at a small size: the hub it fills builds into a warehouse whose
every report the pandas baseline computes alike (the bench exits 1 on any difference),
and the table it prints names every report and target."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

import pytest

from bench._warehouse_data import BenchErp, Shape, order
from bench.warehouse import run


def test_the_synthetic_erp_answers_for_the_orders_the_filler_writes() -> None:
    for lines, orders in ((20, 8), (25, 11), (600, 240)):
        shape = Shape(lines)
        assert shape.orders == orders
        assert sum(len(order(n, shape).lines) for n in range(orders)) == lines
    shape = Shape(20)
    erp = BenchErp(shape)
    costs = erp.sale_costs([1, 2, 9, 99])
    assert sorted(costs) == [1, 2]  # sales the ERP does not have are left out
    assert [line.sku for line in costs[2].lines] == [line.sku for line in order(1, shape).lines]
    assert erp.sale_shipments([1]) == {}  # order 0 is the one in ten not shipped
    assert erp.sale_invoice_facts([4]) == {}  # order 3: one in four not invoiced


def test_the_bench_runs_and_pandas_computes_every_report_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = Namespace(
        lines=600, repeat=1, keep=str(tmp_path), reuse=None, no_baseline=False, no_erp=False
    )
    assert run(args) == 0
    printed = capsys.readouterr().out
    assert "MISMATCH" not in printed and "DIFFERS" not in printed
    for slug in ("customer-profitability", "channel-pnl", "stock-outs", "integration-record"):
        assert f"all:{slug}" in printed and f"filtered:{slug}" in printed
    assert "order lines/s" in printed and "peak RSS" in printed
    assert (tmp_path / "warehouse.duckdb").is_file() and (tmp_path / "results.json").is_file()
