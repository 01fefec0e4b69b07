"""Signing in to the console, tried as an attacker would: guessing passwords, probing
for who has a login, forging forms, planting a session, bouncing the login to another
site, and using a session after it should have ended."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from causeway.engine import console_sessions, users
from causeway.engine.console_sessions import SessionPolicy
from causeway.hub import Hub
from causeway.web.app import create_app
from causeway.web.console.pages.login import BAD_LOGIN
from tests.console.conftest import (
    PASSWORD,
    add_person,
    browser,
    console_hub,
    csrf_token,
    sign_in,
    signed_in,
)


def session_cookie(answer_headers: list[str]) -> str:
    (cookie,) = [c for c in answer_headers if c.startswith("causeway_session=")]
    return cookie


def the_alert(html: str) -> str:
    match = re.search(r'<p role="alert"[^>]*>([^<]*)</p>', html)
    assert match, html
    return match.group(1)


def test_a_person_signs_in_and_lands_where_they_were_going(hub: Hub) -> None:
    email = add_person(hub, "operator")
    client = browser(hub)
    assert (
        client.get("/console/audit").headers["location"] == "/console/login?next=%2Fconsole%2Faudit"
    )
    answer = sign_in(client, email.upper(), next="/console/audit")
    assert answer.status_code == 303 and answer.headers["location"] == "/console/audit"
    page = client.get("/console/audit")
    assert page.status_code == 200 and f"Signed in as {email} (operator)" in page.text


def test_the_session_cookie_is_secure_http_only_same_site_and_holds_only_a_token(
    hub: Hub,
) -> None:
    assert hub.config.server.public_url == "https://hub.example.com"
    answer = sign_in(browser(hub), add_person(hub, "viewer"))
    cookie = session_cookie(answer.headers.get_list("set-cookie"))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" in cookie
    assert "@" not in cookie and "viewer" not in cookie


def test_over_plain_http_the_cookie_is_not_secure(tmp_path: Path) -> None:
    """A Secure cookie would never come back over http: the console could not be used."""
    hub = console_hub(tmp_path, server={"public_url": "http://127.0.0.1:8080"})
    try:
        client = TestClient(create_app(hub), base_url="http://localhost", follow_redirects=False)
        answer = sign_in(client, add_person(hub, "viewer"))
        assert answer.status_code == 303
        assert "Secure" not in session_cookie(answer.headers.get_list("set-cookie"))
    finally:
        hub.store.dispose()


def test_on_a_plain_http_admin_listener_the_cookie_is_not_secure(tmp_path: Path) -> None:
    """public_url (https) is where webhooks arrive; the console on admin_listen is
    reached over http on a private address, where a Secure cookie would be dropped."""
    hub = console_hub(
        tmp_path,
        server={"public_url": "https://hub.example.com", "admin_listen": "127.0.0.1:8081"},
    )
    try:
        app = create_app(hub, serves="admin")
        client = TestClient(app, base_url="http://localhost", follow_redirects=False)
        answer = sign_in(client, add_person(hub, "viewer"))
        assert answer.status_code == 303
        assert "Secure" not in session_cookie(answer.headers.get_list("set-cookie"))
        assert client.get("/console").status_code == 200
        tls = TestClient(app, base_url="https://localhost", follow_redirects=False)
        answer = sign_in(tls, add_person(hub, "viewer"))
        assert "Secure" in session_cookie(answer.headers.get_list("set-cookie"))
    finally:
        hub.store.dispose()


def test_a_wrong_password_and_an_unknown_e_mail_get_the_same_answer(hub: Hub) -> None:
    email = add_person(hub, "admin", "ann@example.com")
    wrong = sign_in(browser(hub), email, "not the password at all")
    unknown = sign_in(browser(hub), "nobody@example.com", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert the_alert(wrong.text) == the_alert(unknown.text) == BAD_LOGIN

    # The pages differ only by the e-mail typed back in the form and the form's token.
    def normalised(html: str, typed: str) -> str:
        html = re.sub(r'name="login_token" value="[^"]+"', "", html)
        return html.replace(typed, "EMAIL")

    assert normalised(wrong.text, email) == normalised(unknown.text, "nobody@example.com")
    assert not any(c.startswith("causeway_session=") for c in wrong.headers.get_list("set-cookie"))


def test_the_sixth_failure_is_refused_with_retry_after_even_with_the_right_password(
    hub: Hub,
) -> None:
    email = add_person(hub, "admin")
    client = browser(hub)
    for _ in range(5):
        assert sign_in(client, email, "a wrong guess here").status_code == 401
    answer = sign_in(client, email, "a wrong guess here")
    assert answer.status_code == 429
    assert 0 < int(answer.headers["retry-after"]) <= 15 * 60
    assert "Too many failed sign-ins. Try again in 15 minutes" in the_alert(answer.text)
    assert sign_in(browser(hub), email, PASSWORD).status_code == 429  # not even checked


def test_a_sign_in_form_not_sent_from_the_console_is_refused(hub: Hub) -> None:
    """Login CSRF: another site cannot sign a browser in as the attacker."""
    email = add_person(hub, "viewer")
    client = browser(hub)
    for token in ("", "forged"):
        answer = client.post(
            "/console/login", data={"email": email, "password": PASSWORD, "login_token": token}
        )
        assert answer.status_code == 403 and "expired" in the_alert(answer.text)
    assert "causeway_session" not in client.cookies


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/console",
        "//evil.example/console",
        "/\\evil.example",
        "\\\\evil.example",
        "/console\r\nLocation: https://evil.example",
        "javascript:alert(1)",
        "/api/orders",
        "/console/login?next=https://evil.example",
    ],
)
def test_next_never_leads_off_the_console(hub: Hub, target: str) -> None:
    answer = sign_in(browser(hub), add_person(hub, "viewer"), next=target)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console"


def test_next_keeps_a_console_page_with_its_query(hub: Hub) -> None:
    answer = sign_in(browser(hub), add_person(hub, "viewer"), next="/console/audit?action=user.")
    assert answer.headers["location"] == "/console/audit?action=user."


def test_signing_in_gives_a_new_session_and_ends_a_planted_one(hub: Hub) -> None:
    """Session fixation: an attacker plants their own session cookie in the victim's
    browser; the victim's login must not carry on with it."""
    attacker = signed_in(hub, "viewer")
    planted = attacker.cookies["causeway_session"]
    victim = browser(hub)
    victim.cookies.set("causeway_session", planted, domain="localhost.local")
    answer = sign_in(victim, add_person(hub, "admin"))
    assert answer.status_code == 303
    given = session_cookie(answer.headers.get_list("set-cookie"))
    assert given.startswith("causeway_session=") and planted not in given
    assert victim.cookies["causeway_session"] != planted
    assert attacker.get("/console").status_code == 303  # the planted session is over


def test_a_session_cookie_opens_the_console_but_never_the_api(hub: Hub) -> None:
    client = signed_in(hub, "admin")
    assert client.get("/console").status_code == 200
    assert client.get("/api/orders/shop/1").status_code == 401
    assert client.post("/api/flows/orders-to-erp/run").status_code == 401


def test_signing_out_ends_the_session_everywhere(hub: Hub) -> None:
    client = signed_in(hub, "operator")
    token = client.cookies["causeway_session"]
    answer = client.post("/console/logout", data={"csrf_token": csrf_token(client)})
    assert answer.status_code == 303 and answer.headers["location"] == "/console/login"
    other_tab = browser(hub)
    other_tab.cookies.set("causeway_session", token)
    answer = other_tab.get("/console")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login?next=%2Fconsole"


def test_an_expired_session_is_sent_to_sign_in(hub: Hub) -> None:
    user = users.get(hub.store, add_person(hub, "admin"))
    policy = SessionPolicy(hub.config.console.session_idle, hub.config.console.session_max)
    client = browser(hub)
    idle = console_sessions.start(hub.store, user.id, policy, at=time.time() - policy.idle - 5)
    client.cookies.set("causeway_session", idle)
    assert (
        client.get("/console/users").headers["location"] == "/console/login?next=%2Fconsole%2Fusers"
    )
    old = console_sessions.start(hub.store, user.id, policy, at=time.time() - policy.lifetime - 5)
    client.cookies.set("causeway_session", old)
    assert client.get("/console").status_code == 303


def test_a_post_without_the_session_csrf_token_changes_nothing(hub: Hub) -> None:
    admin = signed_in(hub, "admin")
    victim = add_person(hub, "viewer")
    for how in ({}, {"csrf_token": "forged"}):
        answer = admin.post("/console/users/role", data={"email": victim, "role": "admin", **how})
        assert answer.status_code == 403
    answer = admin.post(
        "/console/users/role", data={"email": victim, "role": "admin"},
        headers={"X-CSRF-Token": csrf_token(signed_in(hub, "admin"))},  # another session's
    )  # fmt: skip
    assert answer.status_code == 403
    assert users.get(hub.store, victim).role == "viewer"


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("viewer", "/console/users/role"),
        ("operator", "/console/users/role"),
        ("viewer", "/console/users/disable"),
        ("operator", "/console/users"),
    ],
)
def test_only_admins_change_people(hub: Hub, role: str, path: str) -> None:
    client = signed_in(hub, role)
    target = add_person(hub, "viewer")
    answer = client.post(
        path,
        data={
            "email": target,
            "role": "admin",
            "password": PASSWORD,
            "csrf_token": csrf_token(client),
        },
    )
    assert answer.status_code == 403
    assert (
        users.get(hub.store, target).role == "viewer" and not users.get(hub.store, target).disabled
    )
    assert client.get("/console/users").status_code == 403


def test_a_new_role_takes_effect_at_the_next_sign_in(hub: Hub) -> None:
    admin = signed_in(hub, "admin")
    operator = browser(hub)
    email = add_person(hub, "operator")
    sign_in(operator, email)
    answer = admin.post(
        "/console/users/role",
        data={"email": email, "role": "viewer", "csrf_token": csrf_token(admin, "/console/users")},
    )
    assert answer.status_code == 303
    assert operator.get("/console").status_code == 303  # signed out by the change
    sign_in(operator, email)
    assert f"{email} (viewer)" in operator.get("/console").text


def test_a_viewer_does_not_see_the_users_section(hub: Hub) -> None:
    assert 'href="/console/users"' not in signed_in(hub, "viewer").get("/console").text
    assert 'href="/console/users"' in signed_in(hub, "admin").get("/console").text
