"""Search: one box that finds an order, a customer, a product or an order's document
(tracking, shipment, invoice number) by whatever a person has at hand (docs/console.md).

The query is read by engine/search.py, never here. A full page with exactly one exact
match opens that record at once (303); otherwise the results are listed by kind. The
page's own box asks again as one types (htmx), for the results part only, and never
redirects: a half-typed number must not jump away.
"""

from __future__ import annotations

import time

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from causeway.access.permissions import Permission
from causeway.engine import search
from causeway.engine.search import Hit
from causeway.hub import Hub
from causeway.web.console.rendering import render
from causeway.web.console.routing import page

# The groups of a results list, in this order, with their headings.
GROUPS = (
    ("customer", "Customers"),
    ("order", "Orders"),
    ("document", "Shipments and invoices"),
    ("product", "Products"),
)
OPENS_AT_ONCE = ("order", "customer", "document")  # a document opens its order
RESULTS = "search-results"  # the id of the part htmx replaces


def grouped(hits: list[Hit]) -> list[tuple[str, list[Hit]]]:
    return [
        (title, [h for h in hits if h.kind == kind])
        for kind, title in GROUPS
        if any(h.kind == kind for h in hits)
    ]


def the_one(hits: list[Hit]) -> Hit | None:
    """The record to open directly: the only exact match, if it is one that has a page."""
    exact = [h for h in hits if h.exact]
    return exact[0] if len(exact) == 1 and exact[0].kind in OPENS_AT_ONCE else None


def add_routes(app: FastAPI, hub: Hub) -> None:
    @app.get("/console/search", **page(Permission.READ))
    def search_page(request: Request, q: str = "") -> Response:
        started = time.perf_counter()
        hits = search.search(hub.store, q)
        took_ms = (time.perf_counter() - started) * 1000
        partial = request.headers.get("hx-request") == "true" and (
            request.headers.get("hx-target") == RESULTS
        )
        one = None if partial else the_one(hits)
        if one is not None:
            return RedirectResponse(one.url, status_code=303)
        context = {"query": q, "groups": grouped(hits), "count": len(hits), "took_ms": took_ms}
        return render(request, "_search_results.html" if partial else "search.html", context)
