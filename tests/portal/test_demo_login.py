"""`make demo` prints a portal login that works: a buyer of the build's Acme Retail (the
real Tryton's party), a new password on each run."""

from __future__ import annotations

from pathlib import Path

from causeway.engine import portal_accounts, portal_people
from causeway_sandbox.demo.logins import PORTAL_COMPANY, portal_login
from causeway_sandbox.tryton.server import TrytonServer
from tests.portal.conftest import portal_hub


def test_the_demo_portal_login_is_a_buyer_of_acme_and_changes_on_each_run(
    tmp_path: Path, tryton_server: TrytonServer
) -> None:
    erp = {
        "type": "tryton",
        "url": tryton_server.url,
        "database": tryton_server.database,
        "username": tryton_server.username,
        "password": tryton_server.password,
    }
    hub = portal_hub(tmp_path, systems={"erp": erp})
    email, first = portal_login(hub)
    person = portal_people.authenticate(hub.store, email, first)
    assert person is not None
    (membership,) = portal_accounts.memberships_of(hub.store, person.id)
    assert (membership.company_name, membership.role) == (PORTAL_COMPANY, "buyer")
    _, second = portal_login(hub)  # the same company and person, a new password
    assert second != first
    assert portal_people.authenticate(hub.store, email, first) is None
    assert portal_people.authenticate(hub.store, email, second) is not None
    assert len(portal_accounts.companies(hub.store)) == 1
