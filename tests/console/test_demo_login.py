"""`make demo` prints a console login that works, and a new password on each run."""

from __future__ import annotations

from causeway.engine import users
from causeway.hub import Hub
from causeway_sandbox.demo.logins import console_login


def test_the_demo_login_signs_in_as_an_administrator_and_changes_on_each_run(hub: Hub) -> None:
    email, first = console_login(hub)
    signed_in = users.authenticate(hub.store, email, first)
    assert signed_in is not None and signed_in.role == "admin"
    _, second = console_login(hub)
    assert second != first
    assert users.authenticate(hub.store, email, first) is None
    assert users.authenticate(hub.store, email, second) is not None
