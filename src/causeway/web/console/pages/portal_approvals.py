"""Portal approvals for staff (/console/portal/approvals): every company's portal orders
waiting for an approval, and for operators approve or reject those over their company's
credit limit (an order over a buyer's own order limit is for the company's approver; the
page shows it, with why it waits). Each decision is audited (engine/portal_checkouts.py)
and e-mailed to the buyer in the same transaction."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from causeway.access.permissions import Permission
from causeway.engine import portal_accounts, portal_checkouts
from causeway.engine.portal_checkouts import CheckoutStateError
from causeway.hub import Hub
from causeway.portal.checkout import decide_waiting, staff_may_decide
from causeway.web.console.rendering import render
from causeway.web.console.routing import action, actor, page

PATH = "/console/portal/approvals"


def add_routes(app: FastAPI, hub: Hub) -> None:
    @app.get(PATH, **page(Permission.READ))
    def portal_approvals(request: Request, said: str = "") -> HTMLResponse:
        waiting = portal_checkouts.waiting(hub.store)
        companies = {c.id: c for c in portal_accounts.companies(hub.store)}
        return render(
            request,
            "portal_approvals.html",
            {
                "waiting": waiting,
                "companies": companies,
                "staff_may": {c.id for c in waiting if staff_may_decide(c)},
                "portal_on": hub.config.portal.enabled,
                "said": said,
            },
        )

    @app.post(PATH + "/{checkout_id}", **action(Permission.OPERATE, 404, 409))
    def decide_portal_checkout(
        request: Request,
        checkout_id: int,
        decision: Annotated[str, Form(max_length=10)] = "",
        note: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        found = portal_checkouts.get_for_staff(hub.store, checkout_id)
        if found is None:
            raise HTTPException(404, f"no portal checkout {checkout_id}")
        if decision not in ("approve", "reject"):
            raise HTTPException(409, "choose Approve or Reject")
        if not staff_may_decide(found):
            raise HTTPException(
                409,
                f"portal order {found.reference} does not wait for staff: "
                "its company's approver decides about a buyer's order limit",
            )
        buyer = portal_accounts.membership(hub.store, found.user_id, found.company_id)
        try:
            decide_waiting(
                hub.store,
                hub.inbox,
                found,
                approve=decision == "approve",
                actor=actor(request),
                note=note,
                notifications=hub.config.notifications,
                erp_system=hub.config.portal.erp or "",
                buyer_email=buyer.email if buyer else "",
            )
        except CheckoutStateError as exc:
            raise HTTPException(409, str(exc)) from exc
        done = "approved: the portal-orders flow places it" if decision == "approve" else "rejected"
        said = urlencode({"said": f"Portal order {found.reference} {done}."})
        return RedirectResponse(f"{PATH}?{said}", status_code=303)
