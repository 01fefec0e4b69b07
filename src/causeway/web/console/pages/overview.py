"""The overview (/console): every flow and system at a glance, and the time saved.

The figures come from web/console/overview_figures.py (which reads the engine); the
page refreshes its body every 10 s through htmx (GET /console/overview/live), so a
screen left open on the overview stays current (the month's count of records handled, a
longer read, is redone every 5 minutes: MonthCounts).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from causeway.access.permissions import Permission
from causeway.hub import Hub
from causeway.web.console.overview_figures import MonthCounts, overview
from causeway.web.console.rendering import render
from causeway.web.console.routing import page
from causeway.web.console.sparklines import duration_text, lag_chart, throughput_chart

REFRESH_SECONDS = 10


def add_routes(app: FastAPI, hub: Hub) -> None:
    month = MonthCounts()

    def context() -> dict[str, object]:
        return {
            "view": overview(hub, month=month),
            "refresh": REFRESH_SECONDS,
            "throughput_chart": throughput_chart,
            "lag_chart": lag_chart,
            "duration": duration_text,
        }

    @app.get("/console", **page(Permission.READ))
    def overview_page(request: Request) -> HTMLResponse:
        return render(request, "overview.html", context())

    @app.get("/console/overview/live", **page(Permission.READ))
    def overview_live(request: Request) -> HTMLResponse:
        return render(request, "_overview.html", context())
