"""Search: one box that finds an order, a customer, a product or an order's document
(tracking, shipment, invoice number) by whatever a person has at hand (docs/console.md).

The query is read by engine/search.py, never here. A full page with exactly one exact
match opens that record at once (303), and so does a customer's e-mail or phone number
that finds her alone (her orders, found by it too, are on her page); otherwise the
results are listed by kind. The page's own box asks again as one types (htmx), for the
results part only, and never redirects: a half-typed number must not jump away.
"""

from __future__ import annotations

import time

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from causeway.access.permissions import Permission
from causeway.engine import search, timeline
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
CONTACT_FIELDS = ("email", "phone")  # a customer's own: they open her page at once
RESULTS = "search-results"  # the id of the part htmx replaces


def grouped(hits: list[Hit]) -> list[tuple[str, list[Hit]]]:
    return [
        (title, [h for h in hits if h.kind == kind])
        for kind, title in GROUPS
        if any(h.kind == kind for h in hits)
    ]


def the_one(hits: list[Hit]) -> Hit | None:
    """The record to open directly: the only exact match, if it is one that has a page;
    or the one customer whose e-mail or phone number the query is, even though her
    orders carry it too (they are listed on her page, so the list would only be a click
    more for the person on the phone). Two customers sharing it: the list, to choose."""
    exact = [h for h in hits if h.exact]
    if len(exact) == 1 and exact[0].kind in OPENS_AT_ONCE:
        return exact[0]
    customers = [h for h in exact if h.kind == "customer"]
    if len(customers) == 1 and customers[0].field in CONTACT_FIELDS:
        return customers[0]
    return None


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
        orders = [h.key for h in hits if h.kind in ("order", "document")]
        context = {
            "query": q,
            "groups": grouped(hits),
            "count": len(hits),
            "took_ms": took_ms,
            # Where each order found stands, in the words the order page uses.
            "statuses": timeline.statuses(hub.store, orders) if orders else {},
        }
        return render(request, "_search_results.html" if partial else "search.html", context)
