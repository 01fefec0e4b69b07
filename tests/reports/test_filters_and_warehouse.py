"""What a person types into a report's filters is checked before any SQL runs, and says
what is wrong; a missing warehouse file says how to build it; every report has what the
console needs (a chart, CSV columns)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from causeway.reports import REPORTS, FilterError, ReportFilters, WarehouseUnavailable
from tests.reports.warehouse_kit import Warehouse, sample


def test_empty_fields_are_no_filter_and_dates_are_days() -> None:
    filters = ReportFilters.of({"date_from": "2026-03-01", "date_to": " ", "channel": ""})
    assert filters == ReportFilters(date_from=date(2026, 3, 1))
    assert filters.query() == {"date_from": "2026-03-01"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"date_from": "1 March"}, "From: '1 March' is not a date: write it as YYYY-MM-DD"),
        ({"date_to": "2026-02-30"}, "To: '2026-02-30' is not a date: write it as YYYY-MM-DD"),
        (
            {"date_from": "2026-03-02", "date_to": "2026-03-01"},
            "The range ends (2026-03-01) before it starts (2026-03-02)",
        ),
        ({"channel": "shop'; DROP TABLE fact_orders; --"}, "Channel: letters, digits and"),
        ({"customer_group": "x" * 129}, "Customer group: at most 128 characters"),
        ({"currency": "EUR"}, "'currency' is not a filter"),
    ],
)
def test_bad_filters_are_refused_with_what_to_write(raw: dict[str, str], message: str) -> None:
    with pytest.raises(FilterError) as refused:
        ReportFilters.of(raw)
    assert message in str(refused.value)


def test_a_report_refuses_a_filter_it_cannot_take(warehouse: Warehouse) -> None:
    warehouse.close()
    with pytest.raises(FilterError, match="cannot be filtered by channel, customer group"):
        REPORTS["integration-record"].run(
            warehouse.path, ReportFilters(channel="shop", customer_group="retail")
        )


def test_a_filter_value_is_a_parameter_never_sql(warehouse: Warehouse) -> None:
    warehouse.order("o1", goods_net="10")
    warehouse.close()
    # Past the validation (which refuses quotes), the value is still only a value.
    sneaky = ReportFilters.model_construct(channel="x' OR '1'='1")
    assert REPORTS["channel-pnl"].run(warehouse.path, sneaky).rows == []


def test_without_a_warehouse_file_the_error_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(WarehouseUnavailable, match="causeway warehouse build"):
        REPORTS["channel-pnl"].run(tmp_path / "none.duckdb", ReportFilters())


def test_a_file_without_the_tables_asks_for_a_rebuild(tmp_path: Path) -> None:
    import duckdb

    duckdb.connect(str(tmp_path / "old.duckdb")).close()
    with pytest.raises(WarehouseUnavailable, match="rebuild it with `causeway warehouse build`"):
        REPORTS["channel-pnl"].run(tmp_path / "old.duckdb", ReportFilters())


def test_a_file_an_older_version_built_asks_for_a_rebuild(tmp_path: Path) -> None:
    """Its tables are there but one lacks a column this version's reports read."""
    import duckdb

    path = sample(tmp_path)
    with duckdb.connect(str(path)) as con:
        con.execute("ALTER TABLE fact_orders DROP COLUMN shipping_cost_company")
    with pytest.raises(WarehouseUnavailable, match=r"shipping_cost_company.*rebuild it"):
        REPORTS["channel-pnl"].run(path, ReportFilters())


@pytest.mark.parametrize("slug", sorted(REPORTS))
def test_every_report_runs_on_an_empty_warehouse_with_a_chart_and_csv(
    warehouse: Warehouse, slug: str
) -> None:
    warehouse.close()
    result = REPORTS[slug].run(warehouse.path, ReportFilters())
    assert result.rows == []
    assert result.chart_spec()["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert result.csv().splitlines() == [",".join(c.name for c in REPORTS[slug].columns)]


@pytest.mark.parametrize("slug", sorted(REPORTS))
def test_every_report_has_rows_and_a_valid_chart_over_the_sample(tmp_path: Path, slug: str) -> None:
    result = REPORTS[slug].run(sample(tmp_path), ReportFilters())
    assert result.rows, f"the sample has no rows for {slug}"
    spec = result.chart_spec()  # Altair validates it against the Vega-Lite schema
    assert spec["data"]["values"] or spec.get("layer")
    _header, *lines = result.csv().splitlines()
    assert len(lines) == len(result.rows)
