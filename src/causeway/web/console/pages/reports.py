"""/console/reports: the reports over the warehouse (causeway.reports, docs/reports.md),
for viewers and up (they only read, like every page a viewer opens).

- `/console/reports`: the list, each with the question it answers.
- `/console/reports/{slug}`: its filters (a form htmx refreshes in place: the request
  with HX-Request gets only _report_result.html), its table, its chart (drawn by the
  vendored vega-embed: static/console/reports.js) with PNG and SVG downloads.
- `/console/reports/{slug}.csv`: every row, with the same filters.

The warehouse file is opened read-only per request (a build swapping a new one in is
never blocked). Without one, the page says how to build it instead of failing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from causeway.access.permissions import Permission
from causeway.hub import Hub
from causeway.reports import (
    PAGE_ROWS,
    REPORTS,
    FilterError,
    Report,
    ReportFilters,
    WarehouseUnavailable,
)
from causeway.reports.base import Column, Kind, ReportResult
from causeway.web.console.rendering import error_page, render
from causeway.web.console.routing import page

SHOWN = PAGE_ROWS


def field() -> Any:
    """A filter's query parameter: text, which ReportFilters validates (one per parameter:
    FastAPI must not share one Query between two)."""
    return Query("", max_length=200)


def cell(value: Any, column: Column) -> str:
    """A value as the table shows it: money with two decimals, ratios as percentages."""
    if value is None:
        return "–"
    if column.kind is Kind.MONEY:
        return f"{Decimal(value):,.2f}"
    if column.kind is Kind.RATIO:
        return f"{float(value):.1%}"
    if column.kind is Kind.HOURS:
        return f"{float(value):,.1f}"
    if column.kind is Kind.QUANTITY:
        return f"{Decimal(value).normalize():f}"
    if column.kind is Kind.COUNT:
        return f"{int(value):,}"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def table(result: ReportResult) -> list[list[tuple[str, bool]]]:
    """The shown rows as (text, numeric) cells, in the report's column order."""
    columns = result.report.columns
    return [
        [(cell(row[c.name], c), c.kind is not Kind.TEXT) for c in columns]
        for row in result.head(SHOWN)
    ]


def built_at(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def add_routes(app: FastAPI, hub: Hub) -> None:
    def warehouse() -> Path:  # per request: the file may be built after the hub started
        return hub.config.warehouse_file()

    @app.get("/console/reports", **page(Permission.READ))
    def reports_list(request: Request) -> HTMLResponse:
        path = warehouse()
        return render(
            request,
            "reports.html",
            {"reports": list(REPORTS.values()), "path": path, "built": built_at(path)},
        )

    # Declared before /console/reports/{slug}, which would take "x.csv" as a slug.
    @app.get("/console/reports/{slug}.csv", **page(Permission.READ, 404))
    def report_csv(
        slug: str,
        date_from: str = field(),
        date_to: str = field(),
        channel: str = field(),
        customer_group: str = field(),
    ) -> Response:
        report = REPORTS.get(slug)
        if report is None:
            return PlainTextResponse(f"no report {slug!r}", 404)
        raw = {"date_from": date_from, "date_to": date_to, "channel": channel,
               "customer_group": customer_group}  # fmt: skip
        try:
            result = report.run(warehouse(), ReportFilters.of(raw))
        except FilterError as exc:
            return PlainTextResponse(str(exc), 422)
        except WarehouseUnavailable as exc:
            return PlainTextResponse(str(exc), 503)
        name = f"{slug}-{date.today().isoformat()}.csv"
        return Response(
            result.csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.get("/console/reports/{slug}", **page(Permission.READ, 404))
    def report_page(
        request: Request,
        slug: str,
        date_from: str = field(),
        date_to: str = field(),
        channel: str = field(),
        customer_group: str = field(),
    ) -> HTMLResponse:
        report = REPORTS.get(slug)
        if report is None:
            known = ", ".join(REPORTS)
            return error_page(request, 404, f"There is no report {slug!r}; the reports: {known}.")
        raw = {"date_from": date_from, "date_to": date_to, "channel": channel,
               "customer_group": customer_group}  # fmt: skip
        context, status = _run(report, raw, warehouse())
        partial = request.headers.get("hx-request") == "true"
        # htmx swaps only a 2xx answer: the partial says what went wrong with a 200.
        template = "_report_result.html" if partial else "report.html"
        return render(request, template, context, 200 if partial else status)


def _run(report: Report, raw: Mapping[str, str], path: Path) -> tuple[dict[str, Any], int]:
    """The page's context and status: the result, or why there is none."""
    context: dict[str, Any] = {
        "report": report,
        "raw": raw,
        "filters_shown": {f.value for f in report.filters},
        "path": path,
        "built": built_at(path),
        "result": None,
        "error": None,
        "unavailable": None,
    }
    try:
        filters = ReportFilters.of(raw)
        result = report.run(path, filters, limit=SHOWN)
    except FilterError as exc:
        return {**context, "error": str(exc)}, 422
    except WarehouseUnavailable as exc:
        return {**context, "unavailable": str(exc)}, 503
    return {
        **context,
        "result": result,
        "rows": table(result),
        "shown": SHOWN,
        "csv_query": filters.query(),
        "spec": json.dumps(result.chart_spec(), separators=(",", ":")),
    }, 200
