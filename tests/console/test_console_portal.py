"""/console/portal: operators and admins manage the portal's companies and people (the
ERP is nowhere here; tests/portal/browser/test_accounts.py adds a company from the real
Tryton's parties)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from causeway.access.portal_sessions import portal_policy
from causeway.engine import audit, portal_people, portal_sessions
from causeway.engine.schema import mail_outbox
from tests.console.conftest import csrf_token, signed_in
from tests.portal.conftest import add_company, add_member, portal_hub


def test_a_viewer_may_not_open_the_portal_page(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    assert signed_in(hub, "viewer").get("/console/portal").status_code == 403
    assert "/console/portal" in signed_in(hub, "operator").get("/console").text  # in the nav


def test_an_operator_sees_the_companies_and_a_search_that_says_when_the_erp_is_down(tmp_path):
    hub = portal_hub(tmp_path)
    add_company(hub, 101, "Acme Retail Ltd")
    client = signed_in(hub, "operator")
    page = client.get("/console/portal")
    assert page.status_code == 200 and "Acme Retail Ltd" in page.text
    search = client.get("/console/portal", params={"q": "birch"})
    assert "The ERP could not be asked just now" in search.text


def test_an_operator_invites_a_buyer_with_a_limit(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    acme = add_company(hub, 101, "Acme Retail Ltd")
    client = signed_in(hub, "operator")
    path = f"/console/portal/companies/{acme.id}"
    form = {"email": "ann@acme.example", "role": "buyer", "order_limit": "1500.00"}
    answer = client.post(f"{path}/members", data={**form, "csrf_token": csrf_token(client, path)})
    assert answer.status_code == 303
    page = client.get(path)
    assert "ann@acme.example" in page.text and "1500.00" in page.text and "invited" in page.text
    with hub.store.read() as conn:
        (mail,) = conn.execute(select(mail_outbox)).all()
    assert mail.recipient == "ann@acme.example" and "/portal/welcome/" in mail.text_body
    assert audit.recent(hub.store, action="portal.member.add")[0].actor.startswith("operator-")
    (sent,) = audit.recent(hub.store, action="portal.link.invite")
    token = mail.text_body.split("/portal/welcome/")[1].split()[0]
    assert sent.subject == "portal-user:ann@acme.example" and token not in repr(sent)


def test_a_bad_invitation_says_why_and_sends_nothing(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    acme = add_company(hub, 101, "Acme")
    client = signed_in(hub, "operator")
    path = f"/console/portal/companies/{acme.id}"
    csrf = csrf_token(client, path)
    for form, reason in [
        ({"email": "ann at acme", "role": "buyer"}, "is not an e-mail address"),
        ({"email": "ann@acme.example", "role": "king"}, "unknown portal role"),
        ({"email": "ann@acme.example", "role": "buyer", "order_limit": "1,5"}, "not an amount"),
    ]:
        answer = client.post(f"{path}/members", data={**form, "csrf_token": csrf})
        assert answer.status_code == 400 and reason in answer.text, form
    with hub.store.read() as conn:
        assert conn.execute(select(mail_outbox)).all() == []
    assert client.get("/console/portal/companies/999").status_code == 404
    nowhere = client.post("/console/portal/companies/999/members", data={"csrf_token": csrf})
    assert nowhere.status_code == 404


def test_disabling_a_person_ends_their_portal_sessions(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    acme, birch = add_company(hub, 101, "Acme"), add_company(hub, 102, "Birch")
    ann = add_member(hub, acme, "ann@acme.example")
    policy = portal_policy(hub.config.portal)
    session = portal_sessions.start(hub.store, ann.user_id, acme.id, policy)
    client = signed_in(hub, "operator")
    path = f"/console/portal/companies/{acme.id}"
    csrf = csrf_token(client, path)
    # Not through a company the person is not in.
    wrong = client.post(
        f"/console/portal/companies/{birch.id}/people/{ann.user_id}/disable",
        data={"csrf_token": csrf},
    )
    assert wrong.status_code == 404 and portal_sessions.find(hub.store, session, policy)
    done = client.post(f"{path}/people/{ann.user_id}/disable", data={"csrf_token": csrf})
    assert done.status_code == 303
    assert portal_sessions.find(hub.store, session, policy) is None
    assert portal_people.person(hub.store, ann.user_id).disabled
    assert "disabled" in client.get(path).text
    client.post(f"{path}/people/{ann.user_id}/enable", data={"csrf_token": csrf})
    assert not portal_people.person(hub.store, ann.user_id).disabled
    assert client.post(f"{path}/people/{ann.user_id}/disable").status_code == 403  # no CSRF
