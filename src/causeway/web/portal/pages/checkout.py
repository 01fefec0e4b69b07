"""Checkout, a checkout's page, approvals and reorder (docs/portal/ordering.md).

- GET /portal/checkout: the cart priced by the ERP for this company, a delivery address
  (one of the company's), a PO number, and a hidden idempotency key drawn for this
  rendering of the form: submitting it twice (a double click, a retried request) finds
  the checkout the first submit made.
- POST /portal/checkout: checks out (portal/checkout.py) -> the checkout's page.
- GET /portal/checkouts/{checkout_id}: its state; while the hub places it the page asks
  for /portal/checkouts/{checkout_id}/status every second (htmx) until the ERP number shows.
- GET /portal/approvals, POST /portal/approvals/{checkout_id}: approvers decide.
- POST /portal/checkouts/{checkout_id}/reorder: its lines back into the cart.

Every checkout is read within customer(request).company_id: another company's is 404.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Annotated, Any, cast
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from causeway.access.permissions import Permission
from causeway.engine import portal_accounts, portal_carts, portal_checkouts
from causeway.engine.portal_accounts import Company, Membership
from causeway.engine.portal_checkouts import AWAITING_APPROVAL, Checkout, CheckoutStateError
from causeway.errors import CausewayError
from causeway.hub import Hub
from causeway.model.ports.portal import (
    ErpPortalSales,
    PartyAddress,
    PortalQuote,
    PortalSale,
    PortalSaleLine,
)
from causeway.portal.checkout import (
    CheckoutError,
    buyer_reason,
    over_credit,
    submit,
)
from causeway.portal.checkout import decide_waiting as decide_checkout
from causeway.portal.checkout import reorder as reorder_lines
from causeway.web.portal.rendering import TEMPLATES, render
from causeway.web.portal.routing import (
    PORTAL,
    Customer,
    RecordId,
    action,
    customer,
    not_found,
    page,
)

STATE_WORDS = {
    "awaiting_approval": "Waiting for approval",
    "approved": "Approved: being placed",
    "placing": "Being placed in our system",
    "placed": "Confirmed",
    "rejected": "Rejected",
    "failed": "Could not be placed",
}


def quantity(value: Decimal) -> str:
    """40 -> "40", 2.50 -> "2.5" (never "4E+1")."""
    return f"{Decimal(value).normalize():f}"


TEMPLATES.env.filters["quantity"] = quantity


def add_routes(app: FastAPI, hub: Hub) -> None:
    def erp() -> ErpPortalSales:
        return cast(ErpPortalSales, hub.connectors[hub.config.portal.erp or ""])

    def acting(request: Request) -> tuple[Customer, Company, Membership]:
        who = customer(request)
        company = portal_accounts.company(hub.store, who.company_id)
        member = portal_accounts.membership(hub.store, who.user_id, who.company_id)
        if company is None or member is None:
            not_found()
        return who, company, member

    def checkout_of(request: Request, checkout_id: RecordId) -> Checkout:
        found = portal_checkouts.get(hub.store, customer(request).company_id, checkout_id)
        if found is None:
            not_found()
        return found

    def form_context(
        company: Company, member: Membership, key: str, error: str | None = None, **kept: Any
    ) -> dict[str, Any]:
        cart = portal_carts.lines(hub.store, company.id, member.user_id)
        quote: PortalQuote | None = None
        addresses: tuple[PartyAddress, ...] = ()
        problem: str | None = None
        try:
            addresses = tuple(erp().delivery_addresses(company.party_id))
            if cart:
                quote = erp().quote_portal_sale(
                    PortalSale(
                        reference="quote",
                        party_id=company.party_id,
                        lines=tuple(PortalSaleLine(sku=c.sku, quantity=c.quantity) for c in cart),
                    )
                )
        except CausewayError as exc:
            problem = buyer_reason(exc)
        return {
            "cart": cart,
            "quote": quote,
            "addresses": addresses,
            "problem": problem,
            "error": error,
            "idempotency_key": key,
            "recent": portal_checkouts.of_company(hub.store, company.id, limit=10),
            "state_words": STATE_WORDS,
            **kept,
        }

    @app.get(f"{PORTAL}/checkout", **page(Permission.SHOP))
    def checkout_form(request: Request) -> HTMLResponse:
        _, company, member = acting(request)
        # A key per rendering: submitting this form again finds the same checkout.
        key = secrets.token_hex(16)
        return render(request, "checkout.html", form_context(company, member, key))

    @app.post(f"{PORTAL}/checkout", **action(Permission.SHOP))
    def checkout_submit(
        request: Request,
        idempotency_key: Annotated[str, Form(max_length=64)] = "",
        shipment_address_id: Annotated[str, Form(max_length=20)] = "",
        po_number: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        _, company, member = acting(request)
        chosen = shipment_address_id.strip()
        address = int(chosen) if chosen.isdigit() else None
        try:
            if chosen and address is None:  # never "the default" in place of what was sent
                raise CheckoutError("the delivery address is not one of yours: choose one")
            made = submit(
                hub.store,
                erp(),
                hub.inbox,
                portal=hub.config.portal,
                notifications=hub.config.notifications,
                erp_system=hub.config.portal.erp or "",
                company=company,
                member=member,
                idempotency_key=idempotency_key,
                shipment_address_id=address,
                po_number=po_number,
            )
        except (CheckoutError, CheckoutStateError) as exc:
            context = form_context(
                company,
                member,
                idempotency_key or secrets.token_hex(16),
                error=str(exc),
                po_number=po_number,
                chosen_address=address,
            )
            return render(request, "checkout.html", context, status_code=422)
        return RedirectResponse(f"{PORTAL}/checkouts/{made.checkout.id}", status_code=303)

    @app.get(f"{PORTAL}/checkouts/{{checkout_id}}", **page(Permission.SHOP))
    def checkout_page(request: Request, checkout_id: RecordId) -> HTMLResponse:
        found = checkout_of(request, checkout_id)
        return render(request, "checkout_state.html", state_context(found))

    @app.get(f"{PORTAL}/checkouts/{{checkout_id}}/status", **page(Permission.SHOP))
    def checkout_status(request: Request, checkout_id: RecordId) -> HTMLResponse:
        found = checkout_of(request, checkout_id)
        return render(request, "checkout_status.html", state_context(found))

    @app.post(f"{PORTAL}/checkouts/{{checkout_id}}/reorder", **action(Permission.SHOP))
    def reorder(request: Request, checkout_id: RecordId) -> Response:
        found = checkout_of(request, checkout_id)
        reorder_lines(hub.store, found, customer(request).user_id)
        return RedirectResponse(f"{PORTAL}/checkout", status_code=303)

    @app.get(f"{PORTAL}/approvals", **page(Permission.APPROVE))
    def approvals(request: Request, said: str = "") -> HTMLResponse:
        who = customer(request)
        waiting = portal_checkouts.of_company(hub.store, who.company_id, states=[AWAITING_APPROVAL])
        buyers = {m.user_id: m for m in portal_accounts.members_of(hub.store, who.company_id)}
        return render(
            request,
            "approvals.html",
            {"waiting": waiting, "buyers": buyers, "said": said, "state_words": STATE_WORDS},
        )

    @app.post(f"{PORTAL}/approvals/{{checkout_id}}", **action(Permission.APPROVE, 409))
    def decide(
        request: Request,
        checkout_id: RecordId,
        decision: Annotated[str, Form(max_length=10)] = "",
        note: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        who = customer(request)
        found = checkout_of(request, checkout_id)
        if decision not in ("approve", "reject"):
            return approvals_again(request, "choose Approve or Reject")
        buyer = portal_accounts.membership(hub.store, found.user_id, found.company_id)
        try:
            decide_checkout(
                hub.store,
                hub.inbox,
                found,
                approve=decision == "approve",
                actor=who.email,
                note=note,
                notifications=hub.config.notifications,
                erp_system=hub.config.portal.erp or "",
                buyer_email=buyer.email if buyer else "",
            )
        except CheckoutStateError as exc:
            return approvals_again(request, str(exc))
        done = "approved: it is being placed" if decision == "approve" else "rejected"
        return approvals_again(request, f"Order {found.reference} {done}.")

    def approvals_again(request: Request, said: str) -> Response:
        return RedirectResponse(f"{PORTAL}/approvals?{urlencode({'said': said})}", status_code=303)


def state_context(checkout: Checkout) -> dict[str, Any]:
    return {
        "checkout": checkout,
        "state_words": STATE_WORDS,
        "over_credit": over_credit(checkout),
    }
