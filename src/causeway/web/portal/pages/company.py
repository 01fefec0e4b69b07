"""/portal/company: a company admin manages its people and its delivery addresses
(docs/portal/accounts.md, "Your company's people").

People: invite by e-mail with a role and, for a buyer, an order limit; change a
member's role or limit; send an invitation again; remove a member. Addresses: the ERP
party's, listed live; a new delivery address is added in the ERP (ErpPortalParties).
Every member and address is looked up within the admin's company: another company's
{member_id} is 404, as one that does not exist. Every change is audited.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from causeway.access.permissions import PORTAL_ROLES, Permission
from causeway.engine import portal_accounts, portal_people
from causeway.engine.portal_accounts import PortalAccountError
from causeway.errors import CausewayError
from causeway.hub import Hub
from causeway.model.ports.portal import ErpPortalParties, PartyAddress
from causeway.portal import accounts
from causeway.web.portal.rendering import render
from causeway.web.portal.routing import Customer, RecordId, action, customer, not_found, page

COMPANY = "/portal/company"
ERP_DOWN = "The ERP cannot be reached just now, so the addresses cannot be shown: try again soon."


def add_routes(app: FastAPI, hub: Hub) -> None:
    def erp() -> ErpPortalParties:
        return cast(ErpPortalParties, hub.connectors[hub.config.portal.erp or ""])

    def company_page(
        request: Request, who: Customer, status_code: int = 200, **extra: Any
    ) -> Response:
        company = portal_accounts.company(hub.store, who.company_id)
        if company is None:
            not_found()
        members = portal_accounts.members_of(hub.store, who.company_id)
        people = {m.user_id: portal_people.person(hub.store, m.user_id) for m in members}
        addresses, erp_error = [], None
        try:
            party = erp().portal_party(company.party_id)
            addresses = list(party.addresses) if party is not None else []
        except CausewayError:
            erp_error = ERP_DOWN
        context = {
            "members": members, "people": people, "roles": list(PORTAL_ROLES),
            "addresses": addresses, "erp_error": erp_error, "me": who, **extra,
        }  # fmt: skip
        return render(request, "company.html", context, status_code)

    def done(message: str) -> Response:
        return RedirectResponse(f"{COMPANY}?done={message}", status_code=303)

    @app.get(COMPANY, **page(Permission.MANAGE_COMPANY))
    def company_view(request: Request, done: str | None = None) -> Response:
        notice = {"invited": "Invitation sent.", "changed": "Saved.", "removed": "Removed.",
                  "address": "Address added."}.get(done or "")  # fmt: skip
        return company_page(request, customer(request), notice=notice)

    @app.post(f"{COMPANY}/members", **action(Permission.MANAGE_COMPANY))
    def invite(
        request: Request,
        email: Annotated[str, Form(max_length=320)] = "",
        role: Annotated[str, Form(max_length=16)] = "buyer",
        order_limit: Annotated[str, Form(max_length=40)] = "",
        name: Annotated[str, Form(max_length=255)] = "",
    ) -> Response:
        who = customer(request)
        try:
            accounts.invite(
                hub.store, hub.config, who.company_id, email, role, actor=who.email,
                order_limit=order_limit, name=name, inviter=who.email,
            )  # fmt: skip
        except ValueError as exc:
            form = {"email": email, "role": role, "order_limit": order_limit, "name": name}
            return company_page(request, who, 422, invite_error=str(exc), form=form)
        return done("invited")

    def own_member(who: Customer, member_id: RecordId) -> portal_accounts.Membership:
        found = portal_accounts.member(hub.store, who.company_id, member_id)
        if found is None:
            not_found()
        return found

    @app.post(f"{COMPANY}/members/{{member_id}}", **action(Permission.MANAGE_COMPANY, 404))
    def change(
        request: Request,
        member_id: RecordId,
        role: Annotated[str, Form(max_length=16)] = "",
        order_limit: Annotated[str, Form(max_length=40)] = "",
    ) -> Response:
        who = customer(request)
        own_member(who, member_id)
        try:
            portal_accounts.set_member(
                hub.store, who.company_id, member_id, role=role, order_limit=order_limit,
                actor=who.email,
            )  # fmt: skip
        except PortalAccountError as exc:
            return company_page(request, who, 422, member_error=(member_id, str(exc)))
        return done("changed")

    @app.post(f"{COMPANY}/members/{{member_id}}/remove", **action(Permission.MANAGE_COMPANY, 404))
    def remove(request: Request, member_id: RecordId) -> Response:
        who = customer(request)
        own_member(who, member_id)
        try:
            portal_accounts.remove_member(hub.store, who.company_id, member_id, actor=who.email)
        except PortalAccountError as exc:
            return company_page(request, who, 422, member_error=(member_id, str(exc)))
        return done("removed")

    @app.post(f"{COMPANY}/members/{{member_id}}/invite", **action(Permission.MANAGE_COMPANY, 404))
    def resend(request: Request, member_id: RecordId) -> Response:
        who = customer(request)
        found = own_member(who, member_id)
        accounts.send_invitation(hub.store, hub.config, found, actor=who.email, inviter=who.email)
        return done("invited")

    @app.post(f"{COMPANY}/addresses", **action(Permission.MANAGE_COMPANY))
    async def add_address(
        request: Request,
        name: Annotated[str, Form(max_length=120)] = "",
        street: Annotated[str, Form(max_length=300)] = "",
        postal_code: Annotated[str, Form(max_length=20)] = "",
        city: Annotated[str, Form(max_length=120)] = "",
        country: Annotated[str, Form(max_length=2)] = "",
    ) -> Response:
        who = customer(request)
        form = {"name": name, "street": street, "postal_code": postal_code, "city": city,
                "country": country}  # fmt: skip
        problem = _address_problem(street, city, country)
        if problem is None:
            address = PartyAddress(
                address_id=0, name=name.strip() or None, street=street.strip(),
                postal_code=postal_code.strip() or None, city=city.strip(),
                country=country.strip().upper() or None, invoice=False, delivery=True,
            )  # fmt: skip
            try:
                await run_in_threadpool(
                    accounts.add_delivery_address, hub.store, erp(), who.company_id, address,
                    actor=who.email,
                )  # fmt: skip
            except (CausewayError, PortalAccountError) as exc:
                problem = f"The ERP did not take the address: {exc}"
        if problem is not None:
            return await run_in_threadpool(
                lambda: company_page(request, who, 422, address_error=problem, address_form=form)
            )
        return done("address")


def _address_problem(street: str, city: str, country: str) -> str | None:
    if not street.strip() or not city.strip():
        return "Write at least the street and the city."
    if country.strip() and not (len(country.strip()) == 2 and country.strip().isalpha()):
        return f"{country!r} is not a country code: write two letters, e.g. GB or FR."
    return None
