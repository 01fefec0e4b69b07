"""One answer for a record a company may not see, whatever the id looks like: an id of
another company, an id nobody has, and an id that is no id at all (`abc`, `0`, one past
64 bits) all get the same 404 page; a form field that cannot be read gets a page naming
the field, never echoing what was sent; a role that does not open a page is told so."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from markupsafe import escape as markup_escape

from causeway.access.permissions import Permission
from causeway.access.portal_sessions import COOKIE, portal_policy
from causeway.engine import portal_sessions
from causeway.engine.portal_accounts import Membership
from causeway.hub import Hub
from causeway.web.app import create_app
from causeway.web.portal.routing import NOT_FOUND, RecordId, action, customer, not_found, page
from tests.portal.conftest import add_company, add_member, portal_csrf, portal_hub

OURS = 7  # the one record the probe's company has


def with_probes(app: FastAPI) -> FastAPI:
    @app.get("/portal/probe/{sale_id}", **page(Permission.SHOP))
    def probe(request: Request, sale_id: RecordId) -> HTMLResponse:
        customer(request)
        if sale_id != OURS:
            not_found()
        return HTMLResponse("<p>yours</p>")

    @app.post("/portal/probe/{sale_id}/quantity", **action(Permission.SHOP))
    def quantity(request: Request, sale_id: RecordId, quantity: int = Form()) -> HTMLResponse:
        return HTMLResponse(f"<p>{quantity}</p>")

    @app.get("/portal/probe-approvals", **page(Permission.APPROVE))
    def approvals(request: Request) -> HTMLResponse:
        return HTMLResponse("<p>approvals</p>")

    return app


def signed_in_to(app: FastAPI, hub: Hub, member: Membership) -> TestClient:
    """A browser-like client of `app` signed in as `member` (tests/portal/conftest.py)."""
    policy = portal_policy(hub.config.portal)
    token = portal_sessions.start(hub.store, member.user_id, member.company_id, policy)
    client = TestClient(app, base_url="https://localhost", follow_redirects=False)
    client.cookies.set(COOKIE, token)
    return client


def test_ids_that_are_not_ids_answer_as_an_id_nobody_has(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    buyer = add_member(hub, add_company(hub, 101, "Acme"), "ann@acme.example")
    client = signed_in_to(with_probes(create_app(hub)), hub, buyer)
    assert client.get(f"/portal/probe/{OURS}").text == "<p>yours</p>"
    nobody = client.get("/portal/probe/8")
    assert nobody.status_code == 404 and str(markup_escape(NOT_FOUND)) in nobody.text
    # Even our own 7 written otherwise: an id has one spelling (routing.RecordId).
    odd_ones = ("abc", "0", "-7", "9223372036854775808", "1e3", "%E0%A5%AD", "7%00")
    for odd in (*odd_ones, "07", "+7", "%207", "7.0", "%EF%BC%97"):
        answer = client.get(f"/portal/probe/{odd}")
        assert (answer.status_code, answer.text) == (404, nobody.text), odd


def test_a_form_field_that_cannot_be_read_is_named_and_not_echoed(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    buyer = add_member(hub, add_company(hub, 101, "Acme"), "ann@acme.example")
    client = signed_in_to(with_probes(create_app(hub)), hub, buyer)
    csrf = portal_csrf(client)
    answer = client.post(
        f"/portal/probe/{OURS}/quantity",
        data={"csrf_token": csrf, "quantity": "<b>lots</b>"},
    )
    assert answer.status_code == 422
    assert "quantity" in answer.text and "lots" not in answer.text
    assert answer.headers["content-type"].startswith("text/html")


def test_a_page_the_role_does_not_open_says_so(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    buyer = add_member(hub, add_company(hub, 101, "Acme"), "ann@acme.example")
    client = signed_in_to(with_probes(create_app(hub)), hub, buyer)
    answer = client.get("/portal/probe-approvals")
    assert answer.status_code == 403
    assert "Your role in this company (buyer) does not open this page" in answer.text
