"""Portal accounts in the engine: one-time links, passwords, signing in, disabling,
members' roles and limits, and the e-mails that carry the links."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from causeway.engine import audit, login_throttle, portal_accounts, portal_people, portal_tokens
from causeway.engine.portal_accounts import PortalAccountError
from causeway.engine.schema import mail_outbox
from causeway.engine.users import UserError
from causeway.portal import accounts
from tests.portal.conftest import add_company, add_member, portal_hub

PASSWORD = "correct horse battery staple"


@pytest.fixture
def hub(tmp_path):
    return portal_hub(tmp_path, server={"public_url": "https://shop.example"})


def outbox(hub):
    with hub.store.read() as conn:
        return conn.execute(select(mail_outbox).order_by(mail_outbox.c.id)).all()


def link_token(mail_row) -> str:
    return mail_row.text_body.split("https://shop.example/portal/")[1].split()[0].split("/")[1]


def test_a_link_works_once_and_only_for_its_purpose(hub):
    member = add_member(hub, add_company(hub, 1, "Acme"), "ann@acme.example")
    with hub.store.transaction() as conn:
        token = portal_tokens.issue(conn, member.user_id, "reset", 3600)
    assert portal_people.set_password_with_link(hub.store, token, "invite", PASSWORD) is None
    assert portal_people.sign_in_with_link(hub.store, token) is None  # not a magic link
    holder = portal_people.set_password_with_link(hub.store, token, "reset", PASSWORD)
    assert holder is not None and holder.email == "ann@acme.example"
    assert (
        portal_people.set_password_with_link(hub.store, token, "reset", "another " + PASSWORD)
        is None
    )
    assert portal_people.authenticate(hub.store, "ann@acme.example", PASSWORD) is not None


def test_a_link_expires(hub):
    member = add_member(hub, add_company(hub, 1, "Acme"), "ann@acme.example")
    with hub.store.transaction() as conn:
        token = portal_tokens.issue(conn, member.user_id, "magic", 60, at=1000.0)
    assert portal_tokens.peek(hub.store, token, "magic", at=1059.0) is not None
    assert portal_tokens.peek(hub.store, token, "magic", at=1061.0) is None
    assert portal_people.sign_in_with_link(hub.store, token) is None  # now is long after


def test_only_the_digest_of_a_token_is_stored(hub):
    member = add_member(hub, add_company(hub, 1, "Acme"), "ann@acme.example")
    with hub.store.transaction() as conn:
        token = portal_tokens.issue(conn, member.user_id, "magic", 60)
    with hub.store.read() as conn:
        stored = [tuple(row) for row in conn.exec_driver_sql("SELECT * FROM portal_tokens")]
    assert token not in repr(stored) and portal_tokens.digest(token) in repr(stored)


def test_a_weak_password_spends_nothing(hub):
    member = add_member(hub, add_company(hub, 1, "Acme"), "ann@acme.example")
    with hub.store.transaction() as conn:
        token = portal_tokens.issue(conn, member.user_id, "invite", 3600)
    with pytest.raises(UserError, match="too short"):
        portal_people.set_password_with_link(hub.store, token, "invite", "short")
    assert portal_people.set_password_with_link(hub.store, token, "invite", PASSWORD) is not None


def test_setting_a_password_spends_the_older_links(hub):
    member = add_member(hub, add_company(hub, 1, "Acme"), "ann@acme.example")
    with hub.store.transaction() as conn:
        first = portal_tokens.issue(conn, member.user_id, "reset", 3600)
        second = portal_tokens.issue(conn, member.user_id, "reset", 3600)
    assert portal_people.set_password_with_link(hub.store, second, "reset", PASSWORD)
    assert portal_tokens.peek(hub.store, first, "reset") is None


def test_bad_sign_ins_get_none_whatever_was_wrong(hub):
    company = add_company(hub, 1, "Acme")
    member = add_member(hub, company, "ann@acme.example")
    add_member(hub, company, "nopassword@acme.example")
    with hub.store.transaction() as conn:
        token = portal_tokens.issue(conn, member.user_id, "invite", 3600)
    portal_people.set_password_with_link(hub.store, token, "invite", PASSWORD)
    for email, password in [
        ("ann@acme.example", "wrong " + PASSWORD),
        ("nobody@acme.example", PASSWORD),
        ("nopassword@acme.example", ""),
        ("not an address", PASSWORD),
        ("ann@acme.example", "x" * 5000),
    ]:
        assert portal_people.authenticate(hub.store, email, password) is None
    assert (
        portal_people.authenticate(hub.store, " ANN@acme.example ", PASSWORD).id == member.user_id
    )


def test_disabling_a_person_ends_their_sessions_and_their_sign_in(hub):
    from causeway.access.portal_sessions import portal_policy
    from causeway.engine import portal_sessions

    member = add_member(hub, add_company(hub, 1, "Acme"), "ann@acme.example")
    with hub.store.transaction() as conn:
        token = portal_tokens.issue(conn, member.user_id, "invite", 3600)
        magic = portal_tokens.issue(conn, member.user_id, "magic", 3600)
    portal_people.set_password_with_link(hub.store, token, "invite", PASSWORD)
    policy = portal_policy(hub.config.portal)
    session = portal_sessions.start(hub.store, member.user_id, member.company_id, policy)
    assert portal_people.disable(hub.store, member.user_id, actor="ops@example.com")
    assert not portal_people.disable(hub.store, member.user_id, actor="ops@example.com")
    assert portal_sessions.find(hub.store, session, policy) is None
    assert portal_people.authenticate(hub.store, "ann@acme.example", PASSWORD) is None
    assert portal_people.sign_in_with_link(hub.store, magic) is None
    assert portal_people.enable(hub.store, member.user_id, actor="ops@example.com")
    assert portal_people.authenticate(hub.store, "ann@acme.example", PASSWORD) is not None
    actions = [e.action for e in audit.recent(hub.store)]
    assert "portal.user.disable" in actions and "portal.user.enable" in actions


def test_portal_throttling_is_apart_from_the_console(hub):
    portal = login_throttle.Limits(scope="portal")
    for _ in range(login_throttle.EMAIL_LIMIT):
        login_throttle.record_failure(hub.store, "ann@acme.example", "10.0.0.1", portal)
    assert login_throttle.retry_after(hub.store, "ann@acme.example", "10.0.0.2", portal)
    assert login_throttle.retry_after(hub.store, "ann@acme.example", "10.0.0.2") is None


def test_members_role_and_limit_change_and_the_last_admin_stays(hub):
    company = add_company(hub, 1, "Acme")
    boss = add_member(hub, company, "boss@acme.example", "admin")
    buyer = add_member(hub, company, "bob@acme.example", "buyer", "100")
    changed, did = portal_accounts.set_member(
        hub.store, company.id, buyer.member_id, role="approver", order_limit="2500.00", actor="t"
    )
    assert did and changed.role == "approver" and str(changed.order_limit) == "2500.00"
    with pytest.raises(PortalAccountError, match="last admin"):
        portal_accounts.set_member(
            hub.store, company.id, boss.member_id, role="buyer", order_limit=None, actor="t"
        )
    with pytest.raises(PortalAccountError, match="last admin"):
        portal_accounts.remove_member(hub.store, company.id, boss.member_id, actor="t")
    with pytest.raises(PortalAccountError, match="not an amount"):
        portal_accounts.set_member(
            hub.store, company.id, buyer.member_id, role="buyer", order_limit="lots", actor="t"
        )
    other = add_company(hub, 2, "Birch")
    with pytest.raises(PortalAccountError, match="no member"):  # not that company's member
        portal_accounts.remove_member(hub.store, other.id, buyer.member_id, actor="t")
    portal_accounts.remove_member(hub.store, company.id, buyer.member_id, actor="t")
    assert [m.email for m in portal_accounts.members_of(hub.store, company.id)] == [boss.email]


def test_an_invitation_queues_its_e_mail_with_a_link_that_sets_a_password(hub):
    company = add_company(hub, 1, "Acme <Retail>")
    accounts.invite(
        hub.store,
        hub.config,
        company.id,
        "New@Acme.example",
        "buyer",
        actor="ops@example.com",
        order_limit="750",
    )
    (mail,) = outbox(hub)
    assert mail.recipient == "new@acme.example" and mail.event == "invite"
    assert "Acme &lt;Retail&gt;" in mail.html_body and "Acme <Retail>" in mail.text_body
    assert "750" in mail.text_body
    token = link_token(mail)
    assert f"https://shop.example/portal/welcome/{token}" in mail.html_body
    assert portal_people.set_password_with_link(hub.store, token, "invite", PASSWORD)


def test_asking_for_a_link_sends_only_to_someone_who_may_sign_in(hub):
    company = add_company(hub, 1, "Acme")
    add_member(hub, company, "ann@acme.example")
    assert not accounts.ask_for_link(
        hub.store, hub.config, "nobody@acme.example", "magic", "1.2.3.4"
    )
    assert accounts.ask_for_link(hub.store, hub.config, "ann@acme.example", "magic", "1.2.3.4")
    (mail,) = outbox(hub)
    holder = portal_people.sign_in_with_link(hub.store, link_token(mail))
    assert holder is not None and holder.email == "ann@acme.example"
    for _ in range(3):  # past the limit: nothing more, and no error to tell
        accounts.ask_for_link(hub.store, hub.config, "ann@acme.example", "reset", "1.2.3.4")
    assert len(outbox(hub)) == 3
