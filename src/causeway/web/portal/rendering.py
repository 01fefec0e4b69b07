"""Rendering a portal page: its own templates (templates/), the console's filters.

Every template extends base.html and gets `principal`, `csrf_token`, `csrf_field()`,
`nav` (the sections this person's role may open, the current one marked), the
company's name and the other companies the person may switch to (`companies`), plus
the page's own context. `money(amount, currency)` shows an amount with its currency.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from causeway.access.permissions import Permission
from causeway.engine import portal_accounts
from causeway.web.console.rendering import TEMPLATES as CONSOLE_TEMPLATES
from causeway.web.console.rendering import page_context, respond
from causeway.web.console.routing import principal_of

TEMPLATES = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True
    )
)
TEMPLATES.env.globals.update(CONSOLE_TEMPLATES.env.globals)
TEMPLATES.env.filters.update(CONSOLE_TEMPLATES.env.filters)

# The sections in the portal's navigation: (label, path, the permission it needs).
NAV = (
    ("Catalogue", "/portal", Permission.SHOP),
    ("Quick order", "/portal/quick-order", Permission.SHOP),
    ("Cart", "/portal/cart", Permission.SHOP),
    ("Orders", "/portal/orders", Permission.SHOP),
    ("Approvals", "/portal/approvals", Permission.APPROVE),
    ("Invoices", "/portal/invoices", Permission.SHOP),
    ("Company", "/portal/company", Permission.MANAGE_COMPANY),
)


def money(amount: Decimal | str | None, currency: str | None = None) -> str:
    """1234.5, "USD" -> "1,234.50 USD"; '-' for none."""
    if amount is None or amount == "":
        return "-"
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    text = f"{value:,.2f}"
    return f"{text} {currency}" if currency else text


TEMPLATES.env.globals.update(money=money)


def common_context(request: Request) -> dict[str, Any]:
    principal = principal_of(request)
    companies: list[Any] = []
    hub = getattr(request.app.state, "portal_hub", None)
    if hub is not None and principal is not None and principal.user_id is not None:
        companies = portal_accounts.memberships_of(hub.store, principal.user_id)
    acting_for = principal.company_id if principal is not None else None
    this = next((m for m in companies if m.company_id == acting_for), None)
    return {
        **page_context(request, NAV),
        "company": this,  # the Membership the person acts in now
        "companies": companies,  # every company they may switch to
        "may_approve": bool(principal and principal.may(Permission.APPROVE)),
        "may_manage": bool(principal and principal.may(Permission.MANAGE_COMPANY)),
    }


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    return respond(TEMPLATES, request, template, {**common_context(request), **(context or {})},
                   status_code)  # fmt: skip


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status_code, "message": message}, status_code)
