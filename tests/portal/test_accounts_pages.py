"""The portal's account pages as a browser meets them (TestClient): signing in and out,
the e-mailed links, switching company, and the company admin's page; and what an
attacker or a clumsy hand sends them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from causeway.access.portal_sessions import COOKIE
from causeway.engine import audit, login_throttle, portal_accounts, portal_people, portal_tokens
from causeway.engine.schema import mail_outbox
from causeway.web.app import create_app
from tests.portal.conftest import add_company, add_member, customer_client, portal_csrf, portal_hub

PASSWORD = "correct horse battery staple"
_LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')


@pytest.fixture
def hub(tmp_path: Path):
    return portal_hub(tmp_path)


def browser(hub) -> TestClient:
    return TestClient(create_app(hub), base_url="https://localhost", follow_redirects=False)


def login_token(client: TestClient, path: str) -> str:
    match = _LOGIN_TOKEN.search(client.get(path).text)
    assert match, f"no login token on {path}"
    return match.group(1)


def mails(hub) -> list:
    with hub.store.read() as conn:
        return conn.execute(select(mail_outbox).order_by(mail_outbox.c.id)).all()


def link_of(mail) -> str:
    return re.search(r"https://hub\.example\.com(/portal/\S+)", mail.text_body).group(1)


def with_password(hub, member, password: str = PASSWORD) -> None:
    with hub.store.transaction() as conn:
        token = portal_tokens.issue(conn, member.user_id, "invite", 3600)
    assert portal_people.set_password_with_link(hub.store, token, "invite", password)


def sign_in(client: TestClient, email: str, password: str, next_path: str = ""):
    token = login_token(client, "/portal/login")
    form = {"email": email, "password": password, "login_token": token, "next": next_path}
    return client.post("/portal/login", data=form)


# -- signing in -----------------------------------------------------------------------
def test_a_member_signs_in_with_their_password_and_out_again(hub):
    buyer = add_member(hub, add_company(hub, 1, "Acme Retail Ltd"), "ann@acme.example")
    with_password(hub, buyer)
    client = browser(hub)
    answer = sign_in(client, "Ann@Acme.example", PASSWORD, "/portal/orders?page=2")
    assert answer.status_code == 303 and answer.headers["location"] == "/portal/orders?page=2"
    assert "Acme Retail Ltd" in client.get("/portal").text
    out = client.post("/portal/logout", data={"csrf_token": portal_csrf(client)})
    assert out.status_code == 303 and out.headers["location"] == "/portal/login"
    assert client.get("/portal").status_code == 303  # back to the login


def test_every_bad_sign_in_gets_the_same_answer(hub):
    company = add_company(hub, 1, "Acme")
    with_password(hub, add_member(hub, company, "ann@acme.example"))
    add_member(hub, company, "invited@acme.example")  # no password yet
    gone = add_member(hub, company, "gone@acme.example")
    with_password(hub, gone)
    portal_people.disable(hub.store, gone.user_id, actor="test")
    answers = [
        sign_in(browser(hub), email, password)
        for email, password in [
            ("ann@acme.example", "wrong password!!"),
            ("nobody@acme.example", PASSWORD),
            ("invited@acme.example", PASSWORD),
            ("gone@acme.example", PASSWORD),
            ("<script>alert(1)</script>", PASSWORD),
        ]
    ]
    assert {a.status_code for a in answers} == {401}
    assert all("The e-mail or the password is not right" in a.text for a in answers)
    assert "<script>alert(1)</script>" not in answers[-1].text
    assert COOKIE not in answers[0].cookies


def test_a_sign_in_without_the_login_cookie_is_refused(hub):
    with_password(hub, add_member(hub, add_company(hub, 1, "Acme"), "ann@acme.example"))
    client = browser(hub)
    form = {"email": "ann@acme.example", "password": PASSWORD, "login_token": "forged"}
    answer = client.post("/portal/login", data=form)
    assert answer.status_code == 403 and "expired" in answer.text


def test_failed_sign_ins_are_throttled_apart_from_the_console(hub):
    with_password(hub, add_member(hub, add_company(hub, 1, "Acme"), "ann@acme.example"))
    client = browser(hub)
    for _ in range(login_throttle.EMAIL_LIMIT):
        assert sign_in(client, "ann@acme.example", "not the password").status_code == 401
    refused = sign_in(client, "ann@acme.example", PASSWORD)  # even the right one, now
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    # The console's count for the same e-mail is untouched.
    assert login_throttle.retry_after(hub.store, "ann@acme.example", None) is None


def test_next_never_leads_to_another_site(hub):
    with_password(hub, add_member(hub, add_company(hub, 1, "Acme"), "ann@acme.example"))
    for target in ("https://evil.example/", "//evil.example", "/console", "/\\evil.example"):
        answer = sign_in(browser(hub), "ann@acme.example", PASSWORD, target)
        assert answer.headers["location"] == "/portal"


# -- links by e-mail --------------------------------------------------------------------
def ask(client: TestClient, path: str, email: str):
    return client.post(path, data={"email": email, "login_token": login_token(client, path)})


def test_a_magic_link_answers_the_same_and_signs_in_once(hub):
    add_member(hub, add_company(hub, 1, "Acme"), "ann@acme.example")
    client = browser(hub)
    known = ask(client, "/portal/login/link", "ann@acme.example")
    unknown = ask(client, "/portal/login/link", "nobody@acme.example")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("ann@", "X@") == unknown.text.replace("nobody@", "X@").replace(
        _LOGIN_TOKEN.search(unknown.text).group(1), _LOGIN_TOKEN.search(known.text).group(1)
    )
    (mail,) = mails(hub)
    link = link_of(mail)
    assert link.startswith("/portal/magic/")
    page = client.get(link)  # opening it spends nothing (mail scanners open links too)
    assert page.status_code == 200 and "Sign in as ann@acme.example" in page.text
    token = _LOGIN_TOKEN.search(page.text).group(1)
    answer = client.post(link, data={"login_token": token})
    assert answer.status_code == 303 and client.get("/portal").status_code == 200
    again = browser(hub)
    assert (
        again.post(link, data={"login_token": login_token(again, "/portal/login")}).status_code
        == 404
    )
    assert "does not work" in again.get(link).text


def test_asking_for_a_link_with_no_address_says_so(hub):
    answer = ask(browser(hub), "/portal/login/link", "not-an-address")
    assert answer.status_code == 422 and "is not an e-mail address" in answer.text
    assert mails(hub) == []


def test_a_forgotten_password_is_reset_with_the_link_once(hub):
    ann = add_member(hub, add_company(hub, 1, "Acme"), "ann@acme.example")
    with_password(hub, ann, "the old password is long")
    client = browser(hub)
    ask(client, "/portal/login/forgot", "ann@acme.example")
    link = link_of(mails(hub)[-1])
    assert link.startswith("/portal/reset/")
    token = login_token(client, link)
    short = client.post(
        link, data={"password": "short", "password_again": "short", "login_token": token}
    )
    assert short.status_code == 422 and "too short" in short.text
    differ = client.post(
        link,
        data={
            "password": PASSWORD,
            "password_again": PASSWORD + "!",
            "login_token": login_token(client, link),
        },
    )
    assert differ.status_code == 422 and "differ" in differ.text
    good = client.post(
        link,
        data={
            "password": PASSWORD,
            "password_again": PASSWORD,
            "login_token": login_token(client, link),
        },
    )
    assert good.status_code == 303 and client.get("/portal").status_code == 200
    assert portal_people.authenticate(hub.store, "ann@acme.example", PASSWORD)
    assert not portal_people.authenticate(hub.store, "ann@acme.example", "the old password is long")
    other = browser(hub)  # the same link a second time: refused, nothing changes
    twice = other.post(
        link,
        data={
            "password": "a third password here",
            "password_again": "a third password here",
            "login_token": login_token(other, "/portal/login"),
        },
    )
    assert twice.status_code == 404 and "does not work" in twice.text
    assert portal_people.authenticate(hub.store, "ann@acme.example", PASSWORD)


def test_an_expired_link_or_one_of_another_kind_does_not_work(hub):
    ann = add_member(hub, add_company(hub, 1, "Acme"), "ann@acme.example")
    with hub.store.transaction() as conn:
        expired = portal_tokens.issue(conn, ann.user_id, "reset", 60, at=1000.0)
        magic = portal_tokens.issue(conn, ann.user_id, "magic", 3600)
    client = browser(hub)
    assert client.get(f"/portal/reset/{expired}").status_code == 404
    assert client.get(f"/portal/reset/{magic}").status_code == 404  # a magic link's token
    assert client.get(f"/portal/welcome/{'x' * 500}").status_code == 404


def test_another_persons_reset_link_changes_only_their_password(hub):
    company = add_company(hub, 1, "Acme")
    ann, bob = (
        add_member(hub, company, "ann@acme.example"),
        add_member(hub, company, "bob@acme.example"),
    )
    with_password(hub, bob, "bobs own password")
    with hub.store.transaction() as conn:
        anns = portal_tokens.issue(conn, ann.user_id, "reset", 3600)
    client = customer_client(hub, bob)  # Bob, signed in, uses Ann's link
    link = f"/portal/reset/{anns}"
    assert "ann@acme.example" in client.get(link).text
    client.post(
        link,
        data={
            "password": PASSWORD,
            "password_again": PASSWORD,
            "login_token": login_token(client, link),
        },
    )
    assert portal_people.authenticate(hub.store, "bob@acme.example", "bobs own password")
    assert "Signed in as ann@acme.example" in client.get("/portal").text  # Bob's session ended


def test_an_invitation_link_sets_a_password_and_signs_in(hub):
    company = add_company(hub, 1, "Acme")
    admin = add_member(hub, company, "boss@acme.example", "admin")
    client = customer_client(hub, admin)
    answer = client.post(
        "/portal/company/members",
        data={
            "email": "new@acme.example",
            "role": "buyer",
            "order_limit": "500",
            "csrf_token": portal_csrf(client, "/portal/company"),
        },
    )
    assert answer.status_code == 303
    link = link_of(mails(hub)[-1])
    newcomer = browser(hub)
    page = newcomer.get(link)
    assert "Welcome: choose your password" in page.text and "new@acme.example" in page.text
    done = newcomer.post(
        link,
        data={
            "password": PASSWORD,
            "password_again": PASSWORD,
            "login_token": login_token(newcomer, link),
        },
    )
    assert (
        done.status_code == 303 and "Signed in as new@acme.example" in newcomer.get("/portal").text
    )


# -- switching company ------------------------------------------------------------------
def test_a_person_switches_only_to_their_own_companies(hub):
    acme, birch, other = (
        add_company(hub, 1, "Acme"),
        add_company(hub, 2, "Birch"),
        add_company(hub, 3, "Cedar"),
    )
    ann = add_member(hub, acme, "ann@acme.example")
    add_member(hub, birch, "ann@acme.example", "approver")
    client = customer_client(hub, ann)
    csrf = portal_csrf(client)
    assert (
        client.post(
            "/portal/switch", data={"company_id": str(birch.id), "csrf_token": csrf}
        ).status_code
        == 303
    )
    assert "Signed in as ann@acme.example (approver)" in client.get("/portal").text
    for hostile in (str(other.id), "999999", "-1", "1 OR 1=1", ""):
        answer = client.post("/portal/switch", data={"company_id": hostile, "csrf_token": csrf})
        assert answer.status_code == 404, hostile
    assert (
        client.post("/portal/switch", data={"company_id": str(acme.id)}).status_code == 403
    )  # no CSRF


# -- the company page ---------------------------------------------------------------------
def test_a_buyer_may_not_open_the_company_page(hub):
    buyer = add_member(hub, add_company(hub, 1, "Acme"), "ann@acme.example")
    client = customer_client(hub, buyer)
    assert client.get("/portal/company").status_code == 403
    csrf = portal_csrf(client)
    assert (
        client.post(
            "/portal/company/members", data={"email": "x@y.example", "csrf_token": csrf}
        ).status_code
        == 403
    )


def test_an_admin_changes_and_removes_members_of_their_company_only(hub):
    acme, birch = add_company(hub, 1, "Acme"), add_company(hub, 2, "Birch")
    admin = add_member(hub, acme, "boss@acme.example", "admin")
    bob = add_member(hub, acme, "bob@acme.example")
    birchs = add_member(hub, birch, "bo@birch.example")
    client = customer_client(hub, admin)
    page = client.get("/portal/company")
    assert page.status_code == 200 and "bob@acme.example" in page.text
    assert "bo@birch.example" not in page.text
    assert "cannot be reached" in page.text  # the ERP is nowhere in this test
    csrf = portal_csrf(client, "/portal/company")
    changed = client.post(
        f"/portal/company/members/{bob.member_id}",
        data={"role": "approver", "order_limit": "2500", "csrf_token": csrf},
    )
    assert changed.status_code == 303
    assert portal_accounts.member(hub.store, acme.id, bob.member_id).role == "approver"
    bad = client.post(
        f"/portal/company/members/{bob.member_id}",
        data={"role": "approver", "order_limit": "lots", "csrf_token": csrf},
    )
    assert bad.status_code == 422 and "not an amount" in bad.text
    for path in (
        f"/portal/company/members/{birchs.member_id}",
        f"/portal/company/members/{birchs.member_id}/remove",
        "/portal/company/members/999999/remove",
        f"/portal/company/members/{birchs.member_id}/invite",
    ):
        answer = client.post(path, data={"role": "admin", "csrf_token": csrf})
        assert answer.status_code == 404, path
    assert portal_accounts.member(hub.store, birch.id, birchs.member_id).role == "buyer"
    last = client.post(
        f"/portal/company/members/{admin.member_id}/remove", data={"csrf_token": csrf}
    )
    assert last.status_code == 422 and "last admin" in last.text
    gone = client.post(f"/portal/company/members/{bob.member_id}/remove", data={"csrf_token": csrf})
    assert gone.status_code == 303
    assert [m.email for m in portal_accounts.members_of(hub.store, acme.id)] == [
        "boss@acme.example"
    ]
    actions = {e.action for e in audit.recent(hub.store, action="portal.")}
    assert {"portal.member.change", "portal.member.remove"} <= actions


def test_an_invitation_with_bad_input_says_why_and_keeps_the_form(hub):
    company = add_company(hub, 1, "Acme")
    admin = add_member(hub, company, "boss@acme.example", "admin")
    client = customer_client(hub, admin)
    csrf = portal_csrf(client, "/portal/company")
    for form, reason in [
        ({"email": "not-an-address", "role": "buyer"}, "is not an e-mail address"),
        ({"email": "x@acme.example", "role": "owner"}, "unknown portal role"),
        ({"email": "x@acme.example", "role": "buyer", "order_limit": "-5"}, "0 or more"),
        ({"email": "boss@acme.example", "role": "buyer"}, "already a member"),
    ]:
        answer = client.post("/portal/company/members", data={**form, "csrf_token": csrf})
        assert answer.status_code == 422 and reason in answer.text, form
        assert form["email"] in answer.text  # what they typed is still there
    assert mails(hub) == []


def test_an_address_without_street_or_with_a_bad_country_is_refused(hub):
    admin = add_member(hub, add_company(hub, 1, "Acme"), "boss@acme.example", "admin")
    client = customer_client(hub, admin)
    csrf = portal_csrf(client, "/portal/company")
    answer = client.post("/portal/company/addresses", data={"city": "Leeds", "csrf_token": csrf})
    assert answer.status_code == 422 and "street and the city" in answer.text
    answer = client.post(
        "/portal/company/addresses",
        data={"street": "1 Mill Lane", "city": "Leeds", "country": "U1", "csrf_token": csrf},
    )
    assert answer.status_code == 422 and "not a country code" in answer.text
    assert "1 Mill Lane" in answer.text


def test_a_query_string_changes_nothing_about_which_link_a_page_takes(hub):
    ann = add_member(hub, add_company(hub, 1, "Acme"), "ann@acme.example")
    with hub.store.transaction() as conn:
        reset = portal_tokens.issue(conn, ann.user_id, "reset", 3600)
    client = browser(hub)
    assert client.get(f"/portal/reset/{reset}?purpose=magic").status_code == 200
    assert client.get("/portal/reset/nothing?purpose=bogus").status_code == 404
    assert "E-mail me a sign-in link" in client.get("/portal/login/link?purpose=reset").text
