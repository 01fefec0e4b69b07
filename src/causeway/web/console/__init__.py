"""The operator console (docs/console.md): server-rendered pages under /console, on the
hub's own app, behind the same access guard as the API (web/access.py).

Each page is a module in pages/ and listed in PAGES; its routes are declared with
routing.page() or routing.action(); it renders templates/ with rendering.render();
it reads through the engine and the ports, never the tables.
"""

from __future__ import annotations

from fastapi import FastAPI

from causeway.hub import Hub
from causeway.web.console.pages import (
    assets,
    audit_log,
    customer,
    flows,
    login,
    notifications,
    order,
    overview,
    portal,
    portal_approvals,
    problems,
    product,
    reports,
    search,
    users,
)
from causeway.web.console.routing import check_console_actions

PAGES = (
    assets,
    login,
    overview,
    search,
    problems,
    flows,
    order,
    customer,
    product,
    users,
    portal,
    notifications,
    audit_log,
    portal_approvals,
    reports,
)


def add_console_routes(app: FastAPI, hub: Hub) -> None:
    for module in PAGES:
        module.add_routes(app, hub)
    check_console_actions(app)
