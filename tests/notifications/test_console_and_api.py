"""The console's e-mails page and the suppression API, through the hub's own app: what an
operator sees and does, and what hostile or careless input gets (a clear refusal, nothing
half-stored)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from causeway.engine import audit, mail_outbox
from causeway.hub import Hub
from causeway.notifications.events import OrderEvent, notify
from tests.console.conftest import client_with_key, console_hub, csrf_token, signed_in
from tests.notifications.conftest import Refusing, settings, smtp

API = "/api/mail/suppressions"


@pytest.fixture
def mail_port() -> Iterator[tuple[int, object]]:
    with smtp() as server:
        yield server


def hub_with_mail(tmp_path: Path, port: int) -> Hub:
    section = {
        "enabled": True,
        "smtp": {"host": "127.0.0.1", "port": port, "security": "none", "timeout": "5s"},
        "sender": "orders@shop.example",
        "merchant": "Acme Supplies",
    }
    return console_hub(tmp_path, notifications=section)


@pytest.fixture
def hub(tmp_path: Path, mail_port: tuple[int, object]) -> Iterator[Hub]:
    hub = hub_with_mail(tmp_path, mail_port[0])
    yield hub
    hub.store.dispose()


def queue(hub: Hub, recipient: str, order: str, event: str = "shipped", **facts: str) -> None:
    order_event = OrderEvent(
        event=event, order_key=order, channel="csv-orders", recipient=recipient,
        order_number=order.upper(), facts=facts, occurrence="S1",
    )  # fmt: skip
    with hub.store.transaction() as conn:
        notify(conn, settings(25), order_event)


# -- the API --------------------------------------------------------------------------------
def test_no_key_is_401_and_a_read_key_is_403(hub: Hub) -> None:
    from fastapi.testclient import TestClient

    from causeway.web.app import create_app

    body = {"addresses": ["a@example.com"], "reason": "bounce"}
    anonymous = TestClient(create_app(hub), base_url="http://localhost")
    assert anonymous.post(API, json=body).status_code == 401
    assert client_with_key(hub, "read").post(API, json=body).status_code == 403
    assert mail_outbox.suppressions(hub.store) == []


def test_a_bounce_relay_suppresses_addresses_and_stops_their_emails(hub: Hub) -> None:
    queue(hub, "gone@customer.example", "o1")
    queue(hub, "fine@customer.example", "o2")
    body = {
        "addresses": ["Gone@Customer.example", "gone@customer.example ", "new@customer.example"],
        "reason": "bounce",
        "detail": "550 5.1.1 user unknown",
    }
    answer = client_with_key(hub, "run").post(API, json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"suppressed": 2, "already_suppressed": 0, "emails_stopped": 1}
    again = client_with_key(hub, "run").post(API, json=body).json()
    assert again == {"suppressed": 0, "already_suppressed": 2, "emails_stopped": 0}
    states = {m.recipient: m.state for m in mail_outbox.latest(hub.store)}
    assert states == {"gone@customer.example": "suppressed", "fine@customer.example": "pending"}
    (entry, _) = audit.recent(hub.store, action="mail.suppress")
    assert entry.actor.startswith("key:") and entry.note == "550 5.1.1 user unknown"


@pytest.mark.parametrize(
    "bad",
    [
        "not-an-address",
        "two@@example.com",
        "a@b",
        "spaces in@example.com",
        "<script>@example.com",
        "a@example.com\r\nBcc: x@evil.example",
        "x" * 300 + "@example.com",
        "",
    ],
)
def test_a_bad_address_refuses_the_whole_request_and_names_it(hub: Hub, bad: str) -> None:
    body = {"addresses": ["ok@example.com", bad], "reason": "complaint"}
    answer = client_with_key(hub, "run").post(API, json=body)
    assert answer.status_code == 422, answer.text
    assert "addresses[1]" in answer.json()["error"] and "nothing stored" in answer.json()["error"]
    assert mail_outbox.suppressions(hub.store) == []


@pytest.mark.parametrize(
    "body",
    [
        {"addresses": ["a@example.com"], "reason": "spam"},
        {"addresses": "a@example.com", "reason": "bounce"},
        {"addresses": ["a@example.com"]},
        {"addresses": [["a@example.com"]], "reason": "bounce"},
        {"addresses": ["a@example.com"], "reason": "bounce", "extra": 1},
    ],
)
def test_a_malformed_body_is_refused(hub: Hub, body: dict[str, object]) -> None:
    assert client_with_key(hub, "run").post(API, json=body).status_code == 422
    assert mail_outbox.suppressions(hub.store) == []


def test_ten_thousand_addresses_in_one_request_and_not_one_more(hub: Hub) -> None:
    many = [f"bounced-{n}@customer.example" for n in range(10_000)]
    answer = client_with_key(hub, "run").post(API, json={"addresses": many, "reason": "bounce"})
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["suppressed"] == 10_000
    assert len(mail_outbox.suppressions(hub.store, limit=20_000)) == 10_000
    too_many = {"addresses": [*many, "one-more@customer.example"], "reason": "bounce"}
    refused = client_with_key(hub, "run").post(API, json=too_many)
    assert refused.status_code == 422
    assert not mail_outbox.is_suppressed(hub.store, "one-more@customer.example")


# -- the console page -------------------------------------------------------------------------
def test_an_operator_sees_the_outbox_filters_it_and_previews_an_email(hub: Hub) -> None:
    queue(
        hub,
        "buyer@customer.example",
        "o1",
        "confirmed",
        customer_name="<img src=x onerror=alert(1)>",
    )
    mail_outbox.suppress(hub.store, ["gone@customer.example"], "bounce")
    queue(hub, "gone@customer.example", "o2")
    client = signed_in(hub, "operator")
    page = client.get("/console/notifications")
    assert page.status_code == 200
    text = page.text
    assert "buyer@customer.example" in text and "gone@customer.example" in text
    assert "pending (1)" in text and "suppressed (1)" in text
    only_suppressed = client.get("/console/notifications?state=suppressed").text
    assert "gone@customer.example</td>" in only_suppressed
    assert "buyer@customer.example</td>" not in only_suppressed
    (mail,) = [m for m in mail_outbox.latest(hub.store) if m.order_key == "o1"]
    preview = client.get(f"/console/notifications?mail_id={mail.id}").text
    frame = re.search(r'<iframe sandbox="" src="([^"]*)"', preview)
    assert frame, "no sandboxed iframe"
    framed = client.get(html.unescape(frame.group(1)))
    inner = framed.text
    assert "O1" in inner and "&lt;img src=x onerror=alert(1)&gt;" in inner  # escaped in the e-mail
    assert "<img src=x" not in preview  # and the page shows it as text, never as markup
    # The frame runs nothing and fetches nothing but images, and only the console frames it.
    policy = framed.headers["content-security-policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy and framed.headers["x-frame-options"] == "SAMEORIGIN"
    assert client.get("/console/notifications?mail_id=999999").status_code == 404


def test_a_viewer_may_not_see_the_emails(hub: Hub) -> None:
    client = signed_in(hub, "viewer")
    assert client.get("/console/notifications").status_code == 403
    assert "/console/notifications" not in client.get("/console").text


def test_previewing_each_template_with_sample_data(hub: Hub) -> None:
    client = signed_in(hub, "operator")
    page = client.get("/console/notifications?event=shipped&language=fr").text
    assert "Acme Supplies : votre commande PO-1042 a été expédiée" in page
    assert "Suivre mon colis" in html.unescape(page)
    assert client.get("/console/notifications?event=nope").status_code == 404
    german = client.get("/console/notifications?event=cancelled&language=de").text
    assert "Acme Supplies: order PO-1042 cancelled" in german  # falls back to English


def test_a_test_email_is_sent_at_once_and_audited(hub: Hub, mail_port: tuple[int, object]) -> None:
    client = signed_in(hub, "operator")
    token = csrf_token(client, "/console/notifications")
    form = {"csrf_token": token, "address": "Me@Shop.example", "event": "shipped", "language": "fr"}
    answer = client.post("/console/notifications/test", data=form)
    assert answer.status_code == 200, answer.text
    assert "Test e-mail (shipped, fr) sent to me@shop.example" in answer.text
    mailbox = mail_port[1]
    (message,) = mailbox.wait_for(lambda m: "[test]" in str(m["Subject"]))  # type: ignore[attr-defined]
    assert message["To"] == "me@shop.example" and "expédiée" in str(message["Subject"])
    (entry,) = audit.recent(hub.store, action="mail.test")
    assert entry.subject == "me@shop.example" and entry.note is None
    bad = client.post("/console/notifications/test", data=form | {"address": "nope"})
    assert bad.status_code == 400 and "No test e-mail sent" in bad.text
    no_csrf = client.post("/console/notifications/test", data=form | {"csrf_token": "x"})
    assert no_csrf.status_code == 403


def test_a_test_email_the_server_refuses_shows_why(tmp_path: Path) -> None:
    with smtp(Refusing(refusals=1, answer="554 5.7.1 Relay access denied")) as (port, _):
        hub = hub_with_mail(tmp_path, port)
        client = signed_in(hub, "operator")
        token = csrf_token(client, "/console/notifications")
        form = {"csrf_token": token, "address": "me@shop.example", "event": "confirmed"}
        answer = client.post("/console/notifications/test", data=form)
        hub.store.dispose()
    assert answer.status_code == 400
    assert "554 5.7.1 Relay access denied" in answer.text
    (entry,) = audit.recent(hub.store, action="mail.test")
    assert entry.note == "554 5.7.1 Relay access denied"


def test_an_operator_retries_a_failed_email_and_manages_suppressions(hub: Hub) -> None:
    queue(hub, "buyer@customer.example", "o1")
    (claimed,) = mail_outbox.claim(hub.store)
    mail_outbox.mark_failed(hub.store, claimed, "550 mailbox full", retry_at=None)
    client = signed_in(hub, "operator")
    token = csrf_token(client, "/console/notifications")
    page = client.get("/console/notifications?state=failed").text
    assert "550 mailbox full" in page and f"/console/notifications/{claimed.id}/retry" in page
    answer = client.post(f"/console/notifications/{claimed.id}/retry", data={"csrf_token": token})
    assert answer.status_code == 303
    assert "due again" in client.get(answer.headers["location"]).text
    assert mail_outbox.get(hub.store, claimed.id).state == "pending"  # type: ignore[union-attr]
    assert (
        client.post("/console/notifications/999/retry", data={"csrf_token": token}).status_code
        == 404
    )

    pasted = "a@customer.example\nB@customer.example, c@customer.example"
    done = client.post(
        "/console/notifications/suppressions",
        data={"csrf_token": token, "addresses": pasted, "reason": "complaint"},
    )
    assert done.status_code == 200 and "Suppressed 3 address(es)" in done.text
    bad = client.post(
        "/console/notifications/suppressions",
        data={"csrf_token": token, "addresses": "ok@customer.example\nnope", "reason": "manual"},
    )
    assert (
        bad.status_code == 400
        and "Nothing suppressed" in bad.text
        and "'nope'" in html.unescape(bad.text)
    )
    assert not mail_outbox.is_suppressed(hub.store, "ok@customer.example")
    gone = client.post(
        "/console/notifications/unsuppress",
        data={"csrf_token": token, "address": "b@customer.example"},
    )
    assert gone.status_code == 303
    left = {s.address for s in mail_outbox.suppressions(hub.store)}
    assert left == {"a@customer.example", "c@customer.example"}
    actions = [e.action for e in audit.recent(hub.store) if e.action.startswith("mail.")]
    assert actions == ["mail.unsuppress", "mail.suppress", "mail.retry"]
