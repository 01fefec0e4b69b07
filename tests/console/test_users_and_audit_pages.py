"""The Users page (admins) and the audit log page (everyone signed in): an admin adds a
person, changes a role and disables a login from the browser, each change lands in
the audit log with who made it, and the audit log filters by who and by what."""

from __future__ import annotations

import re

from causeway.engine import audit, users
from causeway.hub import Hub
from tests.console.conftest import (
    PASSWORD,
    add_person,
    browser,
    client_with_key,
    csrf_token,
    sign_in,
    signed_in,
)


def test_an_admin_adds_a_person_who_can_then_sign_in(hub: Hub) -> None:
    admin = signed_in(hub, "admin")
    token = csrf_token(admin, "/console/users")
    answer = admin.post(
        "/console/users",
        data={"email": "Cara@Example.com", "role": "operator", "password": PASSWORD,
              "csrf_token": token},
    )  # fmt: skip
    assert answer.status_code == 303
    page = admin.get(answer.headers["location"])
    assert "cara@example.com can now sign in" in page.text
    assert sign_in(browser(hub), "cara@example.com").status_code == 303


def test_a_mistake_is_shown_on_the_page_and_nothing_is_added(hub: Hub) -> None:
    admin = signed_in(hub, "admin")
    token = csrf_token(admin, "/console/users")
    answer = admin.post(
        "/console/users",
        data={"email": "cara@example.com", "role": "operator", "password": "short",
              "csrf_token": token},
    )  # fmt: skip
    assert answer.status_code == 400
    assert "too short: use at least 12 characters" in answer.text
    assert 'value="cara@example.com"' in answer.text  # typed in again for them
    assert users.find(hub.store, "cara@example.com") is None


def test_an_admin_changes_a_role_and_disables_a_login(hub: Hub) -> None:
    admin = signed_in(hub, "admin")
    email = add_person(hub, "viewer")
    token = csrf_token(admin, "/console/users")
    admin.post(
        "/console/users/role", data={"email": email, "role": "operator", "csrf_token": token}
    )
    assert users.get(hub.store, email).role == "operator"
    answer = admin.post("/console/users/disable", data={"email": email, "csrf_token": token})
    assert answer.status_code == 303
    assert "can no longer sign in" in admin.get(answer.headers["location"]).text
    assert sign_in(browser(hub), email).status_code == 401
    admin.post("/console/users/enable", data={"email": email, "csrf_token": token})
    assert sign_in(browser(hub), email).status_code == 303


def test_the_last_admin_cannot_lock_everyone_out(hub: Hub) -> None:
    client = browser(hub)
    email = add_person(hub, "admin", "only-admin@example.com")
    sign_in(client, email)
    token = csrf_token(client, "/console/users")
    answer = client.post(
        "/console/users/role", data={"email": email, "role": "viewer", "csrf_token": token}
    )
    assert answer.status_code == 400 and "the last admin" in answer.text
    assert users.get(hub.store, email).role == "admin"


def test_each_change_is_in_the_audit_log_with_who_made_it(hub: Hub) -> None:
    admin_email = add_person(hub, "admin", "ann@example.com")
    admin = browser(hub)
    sign_in(admin, admin_email)
    email = add_person(hub, "viewer", "bob@example.com")
    token = csrf_token(admin, "/console/users")
    admin.post(
        "/console/users/role", data={"email": email, "role": "operator", "csrf_token": token}
    )
    viewer = signed_in(hub, "viewer")
    page = viewer.get("/console/audit", params={"actor": "ann@example.com"})
    assert page.status_code == 200
    rows = re.findall(r"<tr>.*?</tr>", page.text, re.S)
    (row,) = [r for r in rows if "user.set_role" in r]
    assert "ann@example.com" in row and "user:bob@example.com" in row
    assert re.search(r"<dt>role</dt>\s*<dd><del>viewer</del> → <ins>operator</ins>", row)
    assert "argon2" not in page.text


def test_the_audit_log_filters_by_action(hub: Hub) -> None:
    add_person(hub, "viewer", "bob@example.com")
    client = signed_in(hub, "admin")
    token = csrf_token(client, "/console/users")
    client.post("/console/users/disable", data={"email": "bob@example.com", "csrf_token": token})
    page = client.get("/console/audit", params={"action": "user.disable"}).text
    assert "user:bob@example.com" in page and "user.add" not in page
    everything = client.get("/console/audit", params={"action": "user."}).text
    assert "user.add" in everything and "user.disable" in everything
    nothing = client.get("/console/audit", params={"actor": "nobody@example.com"}).text
    assert "Nothing matches these filters." in nothing


def test_a_payload_edit_shows_each_change_once(hub: Hub) -> None:
    with hub.store.transaction() as conn:
        audit.record(
            conn,
            actor="ann@example.com",
            action="job.edit",
            subject="job:7",
            before={"inbox_id": 2, "body": {"line_items": [{"sku": "WlD-001"}]}},
            after={
                "inbox_id": 3,
                "body": {"line_items": [{"sku": "WID-001"}]},
                "changed": [{"path": "line_items.0.sku", "before": "WlD-001", "after": "WID-001"}],
            },
        )
    answer = client_with_key(hub, "read").get("/console/audit", params={"action": "job.edit"})
    assert answer.status_code == 200
    assert "<dt>body.line_items.0.sku</dt>" in answer.text
    assert "<dt>changed</dt>" not in answer.text
    assert answer.text.count("WID-001") == 1
