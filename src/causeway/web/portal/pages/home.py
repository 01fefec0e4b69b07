"""The portal's landing page: the catalogue (pages/catalogue.py takes it over)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from causeway.access.permissions import Permission
from causeway.hub import Hub
from causeway.web.portal.rendering import render
from causeway.web.portal.routing import PORTAL, customer, page


def add_routes(app: FastAPI, hub: Hub) -> None:
    @app.get(PORTAL, **page(Permission.SHOP))
    def home(request: Request) -> HTMLResponse:
        customer(request)
        return render(request, "home.html")
