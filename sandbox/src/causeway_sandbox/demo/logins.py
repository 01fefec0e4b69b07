"""The logins the demo prints when it keeps running: the operator console's (an
administrator) and the B2B portal's (a buyer of the Tryton build's Acme Retail), each with
a new password on every run."""

from __future__ import annotations

import secrets

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import portal_accounts, portal_people, users
from causeway.hub import Hub

DEMO_LOGIN = "demo@causeway.example"


def console_login(hub: Hub) -> tuple[str, str]:
    """A console login for the tour (docs/console.md): an administrator, so that every
    page shows; a new password on every run, printed once."""
    password = secrets.token_urlsafe(12)
    if users.find(hub.store, DEMO_LOGIN) is None:
        users.add(hub.store, DEMO_LOGIN, "admin", password, actor="demo")
    else:
        users.set_password(hub.store, DEMO_LOGIN, password, actor="demo")
    return DEMO_LOGIN, password


PORTAL_COMPANY = "Acme Retail Ltd"  # a B2B customer of the Tryton build, with its price list
PORTAL_LOGIN = "buyer@acme-retail.example"


def portal_login(hub: Hub) -> tuple[str, str]:
    """A portal login for the tour (docs/portal.md): a buyer of the build's Acme Retail,
    which buys at its own price list against its credit limit; a new password each run."""
    erp = hub.connectors["erp"]
    assert isinstance(erp, TrytonConnector)
    company = next(
        (c for c in portal_accounts.companies(hub.store) if c.name == PORTAL_COMPANY), None
    )
    if company is None:
        (party,) = [p for p in erp.find_parties(PORTAL_COMPANY) if p.name == PORTAL_COMPANY]
        company = portal_accounts.add_company(hub.store, party.party_id, party.name, actor="demo")
    person = portal_people.find(hub.store, PORTAL_LOGIN)
    if person is None:
        portal_accounts.add_member(hub.store, company.id, PORTAL_LOGIN, "buyer", actor="demo")
        person = portal_people.find(hub.store, PORTAL_LOGIN)
    assert person is not None
    password = secrets.token_urlsafe(12)
    portal_people.set_password(hub.store, person.id, password, actor="demo")
    return PORTAL_LOGIN, password
