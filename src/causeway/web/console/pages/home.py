"""The console's landing page."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from causeway.access.permissions import Permission
from causeway.hub import Hub
from causeway.web.console.rendering import render
from causeway.web.console.routing import page


def add_routes(app: FastAPI, hub: Hub) -> None:
    @app.get("/console", **page(Permission.READ))
    def overview(request: Request) -> HTMLResponse:
        return render(request, "home.html")
