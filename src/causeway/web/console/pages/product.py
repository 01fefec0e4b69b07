"""Page 6, Product / SKU: one SKU across the ERP, the hub and the stores (the assembling
is stock/view.py)."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from causeway.access.permissions import Permission
from causeway.hub import Hub
from causeway.stock.held import held_by_channel
from causeway.stock.view import ProductSources, product_view
from causeway.web.console.rendering import error_page, render
from causeway.web.console.routing import page


def add_routes(app: FastAPI, hub: Hub) -> None:
    sources = ProductSources.of(hub.config)
    held = partial(held_by_channel, hub.store, hub.inbox, hub.jobs, hub.connectors)

    @app.get("/console/products/{sku:path}", **page(Permission.READ, 404))
    def product(request: Request, sku: str) -> HTMLResponse:
        view = product_view(hub.store, sku, sources, hub.connectors, held, clean=hub.redact)
        if view is None:
            return error_page(
                request,
                404,
                f"Neither the hub nor the ERP knows a product with SKU {sku}. "
                "Check the SKU as the ERP writes it (a store may sell it under another).",
            )
        return render(request, "product.html", {"product": view})
