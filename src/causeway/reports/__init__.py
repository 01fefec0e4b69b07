"""The reports (docs/reports.md): questions answered from the warehouse's DuckDB file
(causeway.warehouse), read-only, each with its SQL, filters, rows and chart.

`REPORTS` maps each report's slug to it; `REPORTS[slug].run(path, ReportFilters(...))`
gives its rows, `.csv()` and `.chart_spec()` (a Vega-Lite spec). The console shows them
at /console/reports (web/console/pages/reports.py).
"""

from __future__ import annotations

from causeway.reports import (
    abandoned_carts,
    attribution,
    channel_pnl,
    crm_deals,
    customer_profitability,
    fulfilment,
    integration_record,
    product_margin,
    returns,
    stock_outs,
)
from causeway.reports.base import PAGE_ROWS, Report, ReportResult, WarehouseUnavailable
from causeway.reports.filters import Filter, FilterError, ReportFilters

REPORTS: dict[str, Report] = {
    report.slug: report
    for report in (
        customer_profitability.BY_CUSTOMER,
        customer_profitability.BY_SEGMENT,
        product_margin.REPORT,
        channel_pnl.REPORT,
        attribution.REPORT,
        fulfilment.REPORT,
        returns.REPORT,
        stock_outs.REPORT,
        abandoned_carts.REPORT,
        crm_deals.REPORT,
        integration_record.REPORT,
    )
}

__all__ = [
    "PAGE_ROWS",
    "REPORTS",
    "Filter",
    "FilterError",
    "Report",
    "ReportFilters",
    "ReportResult",
    "WarehouseUnavailable",
]
