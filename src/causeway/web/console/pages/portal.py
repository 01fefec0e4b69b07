"""/console/portal: the B2B portal's companies and people, for operators and admins
(docs/portal/accounts.md, "The console page").

- the portal companies, and adding one by searching the ERP's parties
  (ErpPortalParties.find_parties: its name, code or an e-mail);
- a company: its people (role, order limit, whether they have signed in), inviting
  someone by e-mail, or one of the party's e-mail contacts in the ERP with one click;
  disabling (and enabling) a person, which ends their sessions at once.

Every change goes through the engine and causeway.portal.accounts, which audit it.
"""

from __future__ import annotations

from typing import Annotated, Any, cast
from urllib.parse import urlencode

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from causeway.access.permissions import PORTAL_ROLES, Permission
from causeway.engine import portal_accounts, portal_people
from causeway.errors import CausewayError
from causeway.hub import Hub
from causeway.model.ports.portal import ErpPortalParties, PortalParty
from causeway.portal import accounts
from causeway.web.console.rendering import render
from causeway.web.console.routing import action, actor, page

PORTAL = "/console/portal"
DONE = {  # what a change did, shown after it (never text taken from the request)
    "company": "The company was added: invite its people below.",
    "invited": "The invitation is on its way.",
    "disabled": "The person can no longer sign in; their sessions have ended.",
    "enabled": "The person can sign in again.",
}
ERP_DOWN = "The ERP could not be asked just now ({reason}): try again in a moment."


def add_routes(app: FastAPI, hub: Hub) -> None:
    def erp() -> ErpPortalParties | None:
        name = hub.config.portal.erp
        if not hub.config.portal.enabled or not name or name not in hub.connectors:
            return None
        return cast(ErpPortalParties, hub.connectors[name])

    def companies_page(
        request: Request, *, q: str = "", status_code: int = 200, **extra: Any
    ) -> HTMLResponse:
        companies = portal_accounts.companies(hub.store)
        found: list[PortalParty] = []
        search_error = None
        connector = erp()
        if q.strip() and connector is not None:
            try:
                found = list(connector.find_parties(q.strip()))
            except CausewayError as exc:
                search_error = ERP_DOWN.format(reason=exc)
        context = {
            "enabled": hub.config.portal.enabled and connector is not None,
            "companies": companies,
            "members": {c.id: len(portal_accounts.members_of(hub.store, c.id)) for c in companies},
            "q": q,
            "found": found,
            "taken": {c.party_id: c.id for c in companies},
            "search_error": search_error,
            "done": DONE.get(request.query_params.get("done", "")),
            **extra,
        }
        return render(request, "portal_companies.html", context, status_code=status_code)

    @app.get(PORTAL, **page(Permission.OPERATE))
    def portal_companies(request: Request, q: str = "") -> HTMLResponse:
        return companies_page(request, q=q[:200])

    @app.post(f"{PORTAL}/companies", **action(Permission.OPERATE, 400))
    async def add_company(
        request: Request, party_id: Annotated[str, Form(max_length=20)] = ""
    ) -> Response:
        connector = erp()
        if connector is None:
            return companies_page(request, status_code=400, error="The portal is off.")
        try:
            if not party_id.isdigit():
                raise portal_accounts.PortalAccountError(f"{party_id!r} is no ERP party id")
            company = await run_in_threadpool(
                accounts.add_company_for_party, hub.store, connector, int(party_id),
                actor=actor(request),
            )  # fmt: skip
        except (portal_accounts.PortalAccountError, CausewayError) as exc:
            return companies_page(request, status_code=400, error=str(exc))
        return RedirectResponse(f"{PORTAL}/companies/{company.id}?done=company", status_code=303)

    def company_page(
        request: Request, company_id: int, *, status_code: int = 200, **extra: Any
    ) -> HTMLResponse:
        company = portal_accounts.company(hub.store, company_id)
        if company is None:
            raise HTTPException(404, f"there is no portal company {company_id}")
        members = portal_accounts.members_of(hub.store, company_id)
        people = {m.user_id: portal_people.person(hub.store, m.user_id) for m in members}
        party, erp_error = None, None
        connector = erp()
        if connector is not None:
            try:
                party = connector.portal_party(company.party_id)
            except CausewayError as exc:
                erp_error = ERP_DOWN.format(reason=exc)
        already = {m.email for m in members}
        contacts = [(n, e) for n, e in (party.contacts if party else ()) if e not in already]
        context = {
            "company": company, "members": members, "people": people, "party": party,
            "contacts": contacts, "erp_error": erp_error, "roles": list(PORTAL_ROLES),
            "done": DONE.get(request.query_params.get("done", "")), **extra,
        }  # fmt: skip
        return render(request, "portal_company.html", context, status_code=status_code)

    @app.get(f"{PORTAL}/companies/{{company_id}}", **page(Permission.OPERATE, 404))
    def portal_company(request: Request, company_id: int) -> HTMLResponse:
        return company_page(request, company_id)

    @app.post(f"{PORTAL}/companies/{{company_id}}/members", **action(Permission.OPERATE, 400, 404))
    def invite(
        request: Request,
        company_id: int,
        email: Annotated[str, Form(max_length=320)] = "",
        role: Annotated[str, Form(max_length=16)] = "buyer",
        order_limit: Annotated[str, Form(max_length=40)] = "",
        name: Annotated[str, Form(max_length=255)] = "",
    ) -> Response:
        if portal_accounts.company(hub.store, company_id) is None:
            raise HTTPException(404, f"there is no portal company {company_id}")
        try:
            accounts.invite(
                hub.store, hub.config, company_id, email, role, actor=actor(request),
                order_limit=order_limit, name=name,
            )  # fmt: skip
        except ValueError as exc:
            form = {"email": email, "role": role, "order_limit": order_limit, "name": name}
            return company_page(request, company_id, status_code=400, error=str(exc), form=form)
        target = f"{PORTAL}/companies/{company_id}?{urlencode({'done': 'invited'})}"
        return RedirectResponse(target, status_code=303)

    def set_disabled(request: Request, company_id: int, user_id: int, disable: bool) -> Response:
        if portal_accounts.membership(hub.store, user_id, company_id) is None:
            raise HTTPException(404, f"person {user_id} is not in portal company {company_id}")
        change = portal_people.disable if disable else portal_people.enable
        change(hub.store, user_id, actor=actor(request))
        done = "disabled" if disable else "enabled"
        return RedirectResponse(f"{PORTAL}/companies/{company_id}?done={done}", status_code=303)

    @app.post(
        f"{PORTAL}/companies/{{company_id}}/people/{{user_id}}/disable",
        **action(Permission.OPERATE, 404),
    )
    def disable(request: Request, company_id: int, user_id: int) -> Response:
        return set_disabled(request, company_id, user_id, True)

    @app.post(
        f"{PORTAL}/companies/{{company_id}}/people/{{user_id}}/enable",
        **action(Permission.OPERATE, 404),
    )
    def enable(request: Request, company_id: int, user_id: int) -> Response:
        return set_disabled(request, company_id, user_id, False)
