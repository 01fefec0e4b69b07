"""The B2B portal (docs/portal.md): server-rendered pages under /portal for business
customers, on the hub's app (or a listener of its own: portal.listen), behind the same
access guard as everything else (web/access.py).

Tenant isolation is the first property: every page reads through `routing.customer()`,
which gives the company the signed-in person acts for, and every record it shows or
changes is looked up *within that company*; a record of another company is 404, the same
answer as one that does not exist (tests/portal/test_isolation.py walks every route).

Each page is a module in pages/ listed in PAGES; routes are declared with routing.page()
or routing.action() (CSRF checked); templates/ are rendered with rendering.render().
"""

from __future__ import annotations

from fastapi import FastAPI

from causeway.hub import Hub
from causeway.web.console.routing import check_console_actions
from causeway.web.portal.pages import (
    account,
    assets,
    cart,
    catalogue,
    checkout,
    company,
    invoices,
    login,
    orders,
    quick_order,
    statement,
)
from causeway.web.portal.routing import PORTAL

PAGES = (
    assets, catalogue, cart, quick_order, login, account, company, checkout, orders, invoices,
    statement,
)  # fmt: skip


def add_portal_routes(app: FastAPI, hub: Hub) -> None:
    app.state.portal_hub = hub  # rendering.py reads the person's companies through it
    for module in PAGES:
        module.add_routes(app, hub)
    check_console_actions(app, prefix=PORTAL)
