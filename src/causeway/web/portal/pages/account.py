"""The pages the e-mailed links open (docs/portal/accounts.md, "Links"):

- /portal/welcome/{token}: an invitation: choose a password, and be signed in;
- /portal/reset/{token}: a password reset: choose a new one, and be signed in;
- /portal/magic/{token}: a magic link: a button that signs in.

Opening a link (GET) spends nothing: mail scanners and link previews open links too, so
only the form the person sends (POST, with the login-CSRF token) spends it. A link that
does not work (unknown, used, expired, another kind, its person disabled) gets one
answer and a way to ask for a new one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from causeway.engine import portal_people, portal_tokens
from causeway.engine.users import MIN_PASSWORD, UserError
from causeway.hub import Hub
from causeway.web.access import public
from causeway.web.console.routing import csrf_exempt
from causeway.web.portal.pages.login import STALE, LoginForms

DEAD_LINK = (
    "This link does not work any more: it was used already, it expired, or it was "
    "replaced by a newer one. Ask for a new one below."
)
DIFFER = "The two passwords differ: type the same one twice."
PAGES = {  # path -> (token purpose, heading, button)
    "/portal/welcome/{token}": ("invite", "Welcome: choose your password", "Save and sign in"),
    "/portal/reset/{token}": ("reset", "Choose a new password", "Save and sign in"),
    "/portal/magic/{token}": ("magic", "Sign in", "Sign in"),
}


def add_routes(app: FastAPI, hub: Hub) -> None:
    forms = LoginForms(hub)

    def link_page(
        request: Request, purpose: str, token: str, *, status_code: int = 200, **extra: object
    ) -> Response:
        holder = portal_tokens.peek(hub.store, token, purpose)
        if holder is None:
            return forms.render(
                request, "link.html", {"purpose": purpose, "dead": DEAD_LINK, **extra}, 404
            )
        context = {
            "purpose": purpose, "holder": holder, "action": request.url.path,
            "min_password": MIN_PASSWORD, **extra,
        }  # fmt: skip
        return forms.render(request, "link.html", context, status_code)

    def use_link(purpose: str) -> Callable[..., Awaitable[Response]]:
        async def use(
            request: Request,
            token: str,
            password: Annotated[str, Form(max_length=4096)] = "",
            password_again: Annotated[str, Form(max_length=4096)] = "",
            login_token: Annotated[str, Form(max_length=100)] = "",
        ) -> Response:
            if not forms.fresh(request, login_token):
                return link_page(request, purpose, token, status_code=403, error=STALE)
            if purpose == "magic":
                holder = await run_in_threadpool(portal_people.sign_in_with_link, hub.store, token)
            else:
                if password != password_again:
                    return link_page(request, purpose, token, status_code=422, error=DIFFER)
                try:
                    holder = await run_in_threadpool(
                        portal_people.set_password_with_link, hub.store, token, purpose, password
                    )
                except UserError as exc:
                    return link_page(request, purpose, token, status_code=422, error=str(exc))
            user_id = holder.user_id if holder is not None else None
            company_id = await run_in_threadpool(forms.first_company, user_id) if user_id else None
            if user_id is None or company_id is None:
                return link_page(request, purpose, token)  # says the link does not work
            return await run_in_threadpool(forms.signed_in, request, user_id, company_id)

        return csrf_exempt(use)

    def shown(purpose: str) -> Callable[[Request, str], Response]:
        def show(request: Request, token: str) -> Response:  # the path's token, nothing else
            return link_page(request, purpose, token)

        return show

    for path, (purpose, _, _) in PAGES.items():
        app.add_api_route(path, shown(purpose), methods=["GET"], include_in_schema=False,
                          response_class=HTMLResponse, **public(404))  # fmt: skip
        app.add_api_route(path, use_link(purpose), methods=["POST"], include_in_schema=False,
                          response_class=HTMLResponse, **public(404))  # fmt: skip
