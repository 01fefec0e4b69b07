"""A company's invoices (docs/portal/history.md): what it owes now at the top, its posted
and paid invoices below, each with its PDF: Tryton's own invoice report, served through
the hub (the browser never talks to the ERP).

/portal/invoices/{invoice_id}.pdf answers 404 for an invoice of another company, a draft
or one that does not exist, the same answer for all three: the ERP is asked for the
invoice within the company's party and in a state the customer may see, and says None
for any other (ErpPortalHistory.invoice_pdf).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from causeway.access.permissions import Permission
from causeway.errors import PermanentError, RetryableError
from causeway.hub import Hub
from causeway.web.portal.history_access import erp_down, history_erp, party_of
from causeway.web.portal.rendering import error_page, render
from causeway.web.portal.routing import PORTAL, RecordId, customer, not_found, page

NO_PDF = (
    "This invoice's PDF cannot be made right now. Please try again later, or ask us for a copy."
)


def add_routes(app: FastAPI, hub: Hub) -> None:
    @app.get(f"{PORTAL}/invoices", **page(Permission.SHOP))
    def invoices(request: Request) -> HTMLResponse:
        who = customer(request)
        party = party_of(hub, who)
        erp = history_erp(hub)
        try:
            found = erp.party_invoices(party)
            balance = erp.open_balance(party)
        except RetryableError:
            return erp_down(request)
        return render(request, "invoices.html", {"invoices": found, "balance": balance})

    @app.get(f"{PORTAL}/invoices/{{invoice_id}}.pdf", **page(Permission.SHOP))
    def invoice_pdf(request: Request, invoice_id: RecordId) -> Response:
        who = customer(request)
        party = party_of(hub, who)
        try:
            found = history_erp(hub).invoice_pdf(party, invoice_id)
        except RetryableError:
            return erp_down(request)
        except PermanentError:  # the ERP renders no PDF (its setup): the operator's log says
            return error_page(request, 503, NO_PDF)
        if found is None:
            not_found()
        pdf, name = found
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )
