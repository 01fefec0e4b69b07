"""What a report is: a question, its SQL over the warehouse, its columns, its chart.

A report runs one parameterised DuckDB query over a read-only connection to the
warehouse file (opened per run, so a build that swaps the file in is never blocked and
the next run sees the new one). The query's only inputs are the filters, passed as
named parameters (`$date_from`, `$date_to`, `$channel`, `$customer_group`): no text a
person typed is ever part of the SQL.

Money comes back as Decimal beside the currency it is in. A report adds amounts in one
currency only: the `*_company` columns (grouped by `company_currency`), or the document
amounts grouped by their `currency`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

import duckdb

from causeway.reports.filters import Filter, FilterError, ReportFilters

Row = dict[str, Any]
ChartSpec = dict[str, Any]


class Kind(StrEnum):
    """How a column's values read: the console formats them, the CSV writes them plainly."""

    TEXT = "text"
    MONEY = "money"  # Decimal, in the row's currency column
    COUNT = "count"  # whole number
    QUANTITY = "quantity"  # Decimal units
    RATIO = "ratio"  # 0..1, shown as a percentage
    HOURS = "hours"  # float


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: Kind = Kind.TEXT


class WarehouseUnavailable(RuntimeError):
    """No warehouse file to read, or one the reports cannot read: how to build it."""


BUILD_HINT = "build it with `causeway warehouse build` (docs/warehouse.md)"


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    question: str  # the question it answers, in a sentence
    formula: str  # how each figure is computed (docs/reports.md says the same)
    sql: str
    columns: tuple[Column, ...]
    filters: frozenset[Filter]
    chart: Callable[[Sequence[Row]], ChartSpec]

    def run(self, warehouse: Path, filters: ReportFilters) -> ReportResult:
        """The report's rows over the warehouse file at `warehouse`, read-only."""
        refused = filters.used() - self.filters
        if refused:
            names = ", ".join(sorted(f.value.replace("_", " ") for f in refused))
            raise FilterError(f"{self.title} cannot be filtered by {names}")
        with connect(warehouse) as conn:
            try:
                query = conn.sql(self.sql, params=parameters(self.sql, filters))
            except duckdb.CatalogException as exc:
                raise WarehouseUnavailable(
                    f"the warehouse file {warehouse} lacks what this report reads "
                    f"({str(exc).splitlines()[0]}): re{BUILD_HINT}"
                ) from None
            fields = query.columns
            exact = {i for i, kind in enumerate(query.types) if kind.id == "decimal"}
            # DECIMAL as text, made Decimal here: DuckDB's own conversion of a DECIMAL
            # to Python costs three times as much (85,001 rows: 1.0 s against 0.35 s).
            texts = ", ".join(
                f'CAST("{name}" AS VARCHAR) AS "{name}"' if i in exact else f'"{name}"'
                for i, name in enumerate(fields)
            )
            rows = [
                {
                    name: Decimal(value) if i in exact and value is not None else value
                    for i, (name, value) in enumerate(zip(fields, values, strict=True))
                }
                for values in query.project(texts).fetchall()
            ]
        return ReportResult(self, filters, rows)


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse file (WarehouseUnavailable without one)."""
    if not warehouse.is_file():
        raise WarehouseUnavailable(f"there is no warehouse file at {warehouse} yet: {BUILD_HINT}")
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise WarehouseUnavailable(
            f"the warehouse file {warehouse} cannot be opened ({exc}): re{BUILD_HINT}"
        ) from None


_PARAMETER = re.compile(r"\$([a-z_]+)")


def parameters(sql: str, filters: ReportFilters) -> dict[str, Any]:
    """The named parameters the SQL uses, from the filters (DuckDB refuses extra ones)."""
    values = filters.model_dump()
    return {name: values[name] for name in set(_PARAMETER.findall(sql))}


@dataclass(frozen=True)
class ReportResult:
    report: Report
    filters: ReportFilters
    rows: list[Row]

    def chart_spec(self) -> ChartSpec:
        return self.report.chart(self.rows)

    def csv(self) -> str:
        """The rows as CSV: a header of column names, money as plain decimals."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        names = [c.name for c in self.report.columns]
        writer.writerow(names)
        for row in self.rows:
            writer.writerow(["" if row[n] is None else plain(row[n]) for n in names])
        return out.getvalue()


def plain(value: Any) -> str:
    """A value as CSV and the chart's data write it: Decimal without exponent."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def chart_values(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows as a chart's data: Decimal as float (the chart draws; the table is exact),
    a date as its ISO text."""
    return [{k: _json(v) for k, v in row.items()} for row in rows]


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def matching(alias: str, day: str = "order_date") -> str:
    """The WHERE conditions of the filters on a fact aliased `alias`: its `day` column
    in the date range, its channel, its customer's group. Text of the code's own (the
    values are the parameters), so a filter left empty (NULL) matches everything."""
    return (
        f"($date_from IS NULL OR {alias}.{day} >= $date_from)"
        f" AND ($date_to IS NULL OR {alias}.{day} <= $date_to)"
        f" AND ($channel IS NULL OR {alias}.channel = $channel)"
        f" AND ($customer_group IS NULL OR {alias}.customer_id IN"
        " (SELECT customer_id FROM dim_customer WHERE customer_group = $customer_group))"
    )
