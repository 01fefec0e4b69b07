"""The portal's test kit.

Without a browser: `portal_hub(tmp_path)` (a hub with the portal on, its ERP unreachable
unless a test points it at the real Tryton), companies and their people made through the
engine (`add_company`, `add_member`), and `customer_client(hub, email, company_id)`: a
browser-like client signed in to the portal as that member (a session started through the
engine; the login form has tests of its own), with `portal_csrf(client)` for its forms.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from causeway.access.portal_sessions import COOKIE, portal_policy
from causeway.engine import portal_accounts, portal_sessions
from causeway.engine.portal_accounts import Company, Membership
from causeway.hub import Hub
from causeway.web.app import Serves, create_app
from tests.unit.hub_configs import hub_config

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def portal_hub(tmp_path: Path, flows: dict[str, Any] | None = None, **sections: Any) -> Hub:
    """A hub on its own SQLite store, migrated, serving the portal; nothing started."""
    sections.setdefault("portal", {"enabled": True, "erp": "erp"})
    hub = Hub(hub_config(tmp_path, flows or {}, **sections))
    hub.store.migrate()
    return hub


def add_company(hub: Hub, party_id: int, name: str) -> Company:
    return portal_accounts.add_company(hub.store, party_id, name, actor="test")


def add_member(
    hub: Hub, company: Company, email: str, role: str = "buyer", order_limit: str | None = None
) -> Membership:
    return portal_accounts.add_member(
        hub.store, company.id, email, role, actor="test", order_limit=order_limit
    )


def customer_client(hub: Hub, member: Membership, serves: Serves = "all") -> TestClient:
    """A browser-like client (keeps cookies, follows no redirect) signed in as `member`,
    of the app that serves `serves` (web/app.py)."""
    token = portal_sessions.start(
        hub.store, member.user_id, member.company_id, portal_policy(hub.config.portal)
    )
    client = TestClient(
        create_app(hub, serves=serves), base_url="https://localhost", follow_redirects=False
    )
    client.cookies.set(COOKIE, token)
    return client


def portal_csrf(client: TestClient, path: str = "/portal") -> str:
    match = _CSRF.search(client.get(path).text)
    assert match, "no CSRF token on the page"
    return match.group(1)
