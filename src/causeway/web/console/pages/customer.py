"""Page 5, Customer: one golden customer (the assembling is customers/view.py)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from causeway.access.permissions import Permission
from causeway.customers.view import CustomerSources, Moved, read_customer, undo_merge
from causeway.customers.view_crm import with_crm
from causeway.errors import PermanentError
from causeway.hub import Hub
from causeway.web.console.rendering import error_page, render
from causeway.web.console.routing import action, actor, page


def add_routes(app: FastAPI, hub: Hub) -> None:
    sources = CustomerSources.of(hub.config)

    @app.get("/console/customers/{customer_id}", **page(Permission.READ, 404))
    def customer(request: Request, customer_id: str) -> Response:
        found = read_customer(hub.store, customer_id, sources)
        if found is None:
            return error_page(
                request,
                404,
                f"The hub has no customer {customer_id}. Search by e-mail, phone or name "
                "to find the customer's record.",
            )
        if isinstance(found, Moved):
            # A merged-away id (from an old link or a bookmark) shows its survivor.
            return RedirectResponse(f"/console/customers/{found.live_id}", status_code=303)
        view = with_crm(found, sources, hub.connectors, clean=hub.redact)
        return render(request, "customer.html", {"customer": view})

    @app.post(
        "/console/customers/{customer_id}/merges/{merge_id}/undo",
        **action(Permission.OPERATE, 404),
    )
    def undo(request: Request, customer_id: str, merge_id: int) -> Response:
        try:
            undo_merge(hub.store, merge_id, hub.config.customers, actor=actor(request))
        except PermanentError as exc:
            return error_page(request, 409, f"The merge was not undone: {hub.redact(str(exc))}")
        return RedirectResponse(f"/console/customers/{customer_id}", status_code=303)
