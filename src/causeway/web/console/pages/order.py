"""Page 4, the order (docs/console.md, "Order"): an order's id and link in every
system, its timeline, its lines and amounts as the channel and the ERP have them, every
event and job with its payload, and "refresh from the systems", which reads the order
live and shows any drift from the hub's copy.

The content is assembled by web/console/order_detail.py (on web/order_view.py, the
hub's view the JSON API serves too) and read live by web/console/order_refresh.py.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from causeway.access.permissions import Permission
from causeway.hub import Hub
from causeway.web.console.order_detail import OrderDetail, order_detail
from causeway.web.console.order_refresh import refresh
from causeway.web.console.rendering import error_page, render
from causeway.web.console.routing import page


def add_routes(app: FastAPI, hub: Hub) -> None:
    def found(request: Request, system: str, external_id: str) -> OrderDetail | HTMLResponse:
        # No stored id holds a NUL (the inbox refuses it), and PostgreSQL cannot search one.
        detail = None if "\x00" in system + external_id else order_detail(hub, system, external_id)
        if detail is None:
            known = ", ".join(sorted(hub.config.systems)) or "none"
            where = (
                f"from {system!r}"
                if system in hub.config.systems
                else f"from {system!r}, which is not a system of this hub (its systems: {known})"
            )
            return error_page(
                request,
                404,
                hub.redact(
                    f"The hub has seen no order {external_id!r} {where}. Give the order's id "
                    "as its system knows it (a Shopify order's number id, not #1001), or "
                    "look it up with the search box."
                ),
            )
        return detail

    @app.get("/console/orders/{system}/{external_id}", **page(Permission.READ, 404))
    def order_page(request: Request, system: str, external_id: str) -> HTMLResponse:
        detail = found(request, system, external_id)
        if isinstance(detail, HTMLResponse):
            return detail
        return render(request, "order.html", {"order": detail, "refresh": None})

    @app.get("/console/orders/{system}/{external_id}/refresh", **page(Permission.READ, 404))
    def order_refresh(request: Request, system: str, external_id: str) -> HTMLResponse:
        """Reads only, so a viewer may press it. htmx asks for the partial; a browser
        without JavaScript (the button is also a link) gets the whole page with it."""
        detail = found(request, system, external_id)
        if isinstance(detail, HTMLResponse):
            return detail
        live = refresh(hub, detail)
        if request.headers.get("hx-request") == "true":
            return render(request, "_order_refresh.html", {"order": detail, "refresh": live})
        return render(request, "order.html", {"order": detail, "refresh": live})
