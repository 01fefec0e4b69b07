"""The console's front door: who gets a page, who is sent to sign in, and what a page
that changes state demands of a browser (the CSRF token) before anything happens."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from causeway.access.permissions import Permission, Principal
from causeway.engine import audit
from causeway.hub import Hub
from causeway.web.app import create_app
from causeway.web.console.routing import action, check_console_actions, page
from tests.console.conftest import ClientFor, console_hub


def test_a_read_key_sees_the_overview_with_the_sections_it_may_open(
    client_for: ClientFor,
) -> None:
    answer = client_for("read").get("/console")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert 'href="/console/problems"' in answer.text
    assert 'href="/console/users"' not in answer.text  # administrators only
    assert 'href="/console/users"' in client_for("admin").get("/console").text


def test_a_browser_without_a_session_is_sent_to_sign_in_and_back(anonymous: TestClient) -> None:
    answer = anonymous.get("/console/problems?flow=orders-to-erp")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login?next=%2Fconsole%2Fproblems"


def test_an_htmx_request_without_a_session_moves_the_whole_page_to_sign_in(
    anonymous: TestClient,
) -> None:
    answer = anonymous.get("/console", headers={"HX-Request": "true"})
    assert answer.status_code == 401
    assert answer.headers["hx-redirect"] == "/console/login?next=%2Fconsole"


def test_a_post_without_a_credential_is_refused_not_redirected(anonymous: TestClient) -> None:
    answer = anonymous.post("/console/flows/orders-to-erp/pause")
    assert answer.status_code == 401


def test_the_stylesheets_and_scripts_are_public_and_nothing_else_is(anonymous: TestClient) -> None:
    for path in ("/console/static/pico/pico.min.css", "/console/static/htmx/htmx.min.js"):
        answer = anonymous.get(path)
        assert answer.status_code == 200, path
    # A path that climbs out is no asset: no route takes it, so it asks for a session.
    for path in ("/console/static/htmx/../../app.py", "/console/static/htmx/..%2F..%2Fapp.py"):
        assert anonymous.get(path).status_code == 303, path
    assert anonymous.get("/console/static/swagger-ui/LICENSE").status_code == 404


def test_a_missing_console_page_is_a_page_a_person_can_read(client_for: ClientFor) -> None:
    answer = client_for("read").get("/console/no-such-page")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "Back to the overview" in answer.text


def test_the_console_can_be_turned_off(tmp_path: Path) -> None:
    hub = console_hub(tmp_path, console={"enabled": False})
    client = TestClient(create_app(hub), base_url="http://localhost", follow_redirects=False)
    assert client.get("/console").status_code == 401  # no such page: not even a redirect
    assert client.get("/console/static/pico/pico.min.css").status_code == 401
    hub.store.dispose()


def test_a_console_route_that_changes_state_without_the_csrf_check_is_refused() -> None:
    app = FastAPI()

    @app.post("/console/things/delete", **page(Permission.OPERATE))
    def delete() -> None: ...

    with pytest.raises(RuntimeError, match=r"POST /console/things/delete: .* \*\*action"):
        check_console_actions(app)


class _SignedIn:
    """What the session authenticator leaves for a signed-in person: who, and the token."""

    def __init__(self, app: ASGIApp, principal: Principal) -> None:
        self.app, self.principal = app, principal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {}).update(principal=self.principal, csrf_token="t0ken")
        await self.app(scope, receive, send)


def _acting_app(principal: Principal) -> TestClient:
    app = FastAPI()

    @app.post("/console/act", **action(Permission.OPERATE))
    def act(request: Request) -> str:
        return "done"

    app.add_middleware(_SignedIn, principal=principal)
    return TestClient(app)


@pytest.mark.parametrize(
    ("how", "status"),
    [
        ({}, 403),
        ({"headers": {"X-CSRF-Token": "forged"}}, 403),
        ({"data": {"csrf_token": "forged"}}, 403),
        ({"data": {"csrf_token": ""}}, 403),
        ({"headers": {"X-CSRF-Token": "t0ken"}}, 200),
        ({"data": {"csrf_token": "t0ken"}}, 200),
    ],
)
def test_a_signed_in_person_acts_only_with_the_session_csrf_token(
    how: dict[str, dict[str, str]], status: int
) -> None:
    client = _acting_app(Principal.person("ann@example.com", "operator"))
    answer = client.post("/console/act", **how)  # type: ignore[arg-type]
    assert answer.status_code == status
    if status == 403:
        assert "reload the page" in answer.text


def test_an_api_key_acts_without_a_csrf_token() -> None:
    client = _acting_app(Principal.api_key("ops-script", "run"))
    assert client.post("/console/act").status_code == 200


def test_the_audit_log_keeps_who_did_what_and_what_changed(hub: Hub) -> None:
    with hub.store.transaction() as conn:
        audit.record(
            conn,
            actor="ann@example.com",
            action="job.edit",
            subject="job:7",
            before={"sku": "WIDGET-X", "quantity": 2},
            after={"sku": "WIDGET-1", "quantity": 2},
        )
        audit.record(conn, actor="cli:root", action="flow.pause", subject="flow:orders-to-erp")
    newest, oldest = audit.recent(hub.store)
    assert (newest.action, newest.actor) == ("flow.pause", "cli:root")
    assert oldest.changes() == [("sku", "WIDGET-X", "WIDGET-1")]
    assert [e.subject for e in audit.recent(hub.store, action="job.")] == ["job:7"]
    assert audit.recent(hub.store, actor="bob@example.com") == []
