"""What a report is: a question, its SQL over the warehouse, its columns, its chart.

A report runs one parameterised DuckDB query over the warehouse file attached read-only
(reports/reader.py: a build that swaps the file in is never blocked, and the next run
reads the new one). The query's only inputs are the filters, passed as
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
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb

from causeway.reports.filters import Filter, FilterError, ReportFilters
from causeway.reports.reader import BUILD_HINT, READER, WarehouseUnavailable

Row = dict[str, Any]
PAGE_ROWS = 500  # rows a report's page shows; the CSV has every one
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
    # The chart draws the first `chart_rows` rows (top customers): only those are made
    # dicts for it. None: the rows fetched (a page's: PAGE_ROWS at most).
    chart_rows: int | None = None

    def run(
        self, warehouse: Path, filters: ReportFilters, *, limit: int | None = None
    ) -> ReportResult:
        """The report over the warehouse file at `warehouse`, read-only: every row, or
        the first `limit` (a page) with the count of all of them."""
        refused = filters.used() - self.filters
        if refused:
            names = ", ".join(sorted(f.value.replace("_", " ") for f in refused))
            raise FilterError(f"{self.title} cannot be filtered by {names}")
        with READER.cursor(warehouse) as cursor:
            # The answer is kept in DuckDB (a temporary table of this cursor's, in
            # memory, in the report's order) and only the rows asked for come to Python:
            # a page of customer profitability fetches 500 of 85,000 rows.
            sql = where(self.sql, filters)
            try:
                # CREATE TABLE AS answers with the number of rows it wrote: the count.
                ((total,),) = cursor.execute(
                    f"CREATE TEMP TABLE {RESULT} AS {sql}", parameters(sql, filters)
                ).fetchall()
            except (duckdb.CatalogException, duckdb.BinderException) as exc:
                raise WarehouseUnavailable(
                    f"the warehouse file {warehouse} lacks what this report reads "
                    f"({str(exc).splitlines()[0]}): re{BUILD_HINT}"
                ) from None
            kept = cursor.sql(f"FROM {RESULT}")
            fields = tuple(kept.columns)
            exact = frozenset(i for i, kind in enumerate(kept.types) if kind.id == "decimal")
            # DECIMAL as text, made Decimal in ReportResult: DuckDB's own conversion of a
            # DECIMAL to Python costs three times as much (85,001 rows: 1.0 s against 0.35 s).
            texts = ", ".join(
                f'CAST("{name}" AS VARCHAR) AS "{name}"' if i in exact else f'"{name}"'
                for i, name in enumerate(fields)
            )
            page = "" if limit is None else f" LIMIT {int(limit)}"
            values = cursor.execute(f"SELECT {texts} FROM {RESULT}{page}").fetchall()
        return ReportResult(self, filters, fields, exact, values, total)


RESULT = "report_result"  # the temporary table a run's answer is kept in


_PARAMETER = re.compile(r"\$([a-z_]+)")


def parameters(sql: str, filters: ReportFilters) -> dict[str, Any]:
    """The named parameters the SQL uses, from the filters (DuckDB refuses extra ones)."""
    values = filters.model_dump()
    return {name: values[name] for name in set(_PARAMETER.findall(sql))}


@dataclass(frozen=True)
class ReportResult:
    """A report's answer: the rows as DuckDB returned them (DECIMAL as text), made dicts
    with Decimal money when asked for. A page shows the first rows of a report that may
    have tens of thousands (one per customer); only those are converted."""

    report: Report
    filters: ReportFilters
    fields: tuple[str, ...]
    exact: frozenset[int]  # positions of the DECIMAL columns
    values: list[tuple[Any, ...]]  # every row, or the first of them (run's limit)
    total: int  # rows in the answer, fetched or not

    def __len__(self) -> int:
        return self.total

    @property
    def complete(self) -> bool:
        return len(self.values) == self.total

    @cached_property
    def rows(self) -> list[Row]:
        """The rows fetched (every row unless run was given a limit)."""
        return self.head(len(self.values))

    def head(self, count: int) -> list[Row]:
        """The first `count` rows, money as Decimal."""
        exact, fields = self.exact, self.fields
        return [
            {
                name: Decimal(value) if i in exact and value is not None else value
                for i, (name, value) in enumerate(zip(fields, values, strict=True))
            }
            for values in self.values[:count]
        ]

    def chart_spec(self) -> ChartSpec:
        wanted = self.report.chart_rows
        return self.report.chart(self.rows if wanted is None else self.head(wanted))

    def csv(self) -> str:
        """The rows as CSV: a header of column names, money as plain decimals."""
        if not self.complete:
            raise ValueError(f"a page of {self.report.title} is not all of it: run without a limit")
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


def matching(
    alias: str,
    day: str = "order_date",
    channel: str | None = "channel",
    customer: str | None = "customer_id",
) -> str:
    """Where a report's filters go, on a fact aliased `alias`: its `day` column in the
    date range, its `channel` column, its `customer`'s group (None: the fact has no such
    column). A marker, not SQL: `Report.run` writes in its place the conditions of the
    filters that are set, and only those (`where`): a condition of a filter left empty
    would still be planned, and the customer group's lookup doubled some reports' time."""
    return f"{{{{filters {alias} {day} {channel or '-'} {customer or '-'}}}}}"


_MARKER = re.compile(r"\{\{filters (\w+) (\w+) (\w+|-) (\w+|-)\}\}")


def where(sql: str, filters: ReportFilters) -> str:
    """The report's SQL with each `matching` marker made the conditions of the filters
    set: text of the code's own, the values stay parameters ($date_from, ...)."""

    def conditions(found: re.Match[str]) -> str:
        alias, day, channel, customer = found.groups()
        parts = []
        if filters.date_from is not None:
            parts.append(f"{alias}.{day} >= $date_from")
        if filters.date_to is not None:
            parts.append(f"{alias}.{day} <= $date_to")
        if filters.channel is not None and channel != "-":
            parts.append(f"{alias}.{channel} = $channel")
        if filters.customer_group is not None and customer != "-":
            parts.append(
                f"{alias}.{customer} IN (SELECT customer_id FROM dim_customer"
                " WHERE customer_group = $customer_group)"
            )
        return f"({' AND '.join(parts)})" if parts else "TRUE"

    return _MARKER.sub(conditions, sql)
