"""Forms another site cannot send, credentials that never open the portal, cookies and
caches that keep a company's pages to itself, and the portal alone on its own listener.

Every POST route under /portal is read from the app (tests/portal/attack.py), so a form
another branch adds is tested the day it is merged; a probe action added here makes sure
the checks run even on a branch with no form of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.testclient import TestClient

from causeway.access.permissions import Permission
from causeway.access.portal_sessions import COOKIE, portal_policy, secure_portal_cookies, set_cookie
from causeway.config.portal import PortalSettings
from causeway.engine import api_keys, portal_sessions
from causeway.hub import Hub
from causeway.web.app import create_app
from causeway.web.console.routing import STALE_FORM
from causeway.web.portal.routing import action
from tests.console.conftest import browser, signed_in
from tests.portal.attack import (
    FIELDS,
    PATH_PARAMETERS,
    Kind,
    PortalRoute,
    header_problems,
    portal_routes,
)
from tests.portal.conftest import add_company, add_member, customer_client, portal_hub

PROBE = "/portal/probe-action"


def with_probe(app: FastAPI) -> FastAPI:
    """The app plus one portal action of the test's own."""

    @app.post(PROBE, **action(Permission.SHOP))
    def probe(request: Request, note: str = Form("")) -> HTMLResponse:
        return HTMLResponse("<p>done</p>")

    return app


def with_admin_key(hub: Hub, app: FastAPI) -> TestClient:
    """A client of `app` sending a new admin API key: a caller the hub knows."""
    _, secret = api_keys.create(hub.store, f"admin-{len(api_keys.list_keys(hub.store))}", "admin")
    headers = {"Authorization": f"Bearer {secret}"}
    return TestClient(app, base_url="https://localhost", headers=headers, follow_redirects=False)


def client(hub: Hub, app: FastAPI, token: str | None = None) -> TestClient:
    browser_like = TestClient(app, base_url="https://localhost", follow_redirects=False)
    if token:
        browser_like.cookies.set(COOKIE, token)
    return browser_like


def session(hub: Hub, member: object) -> tuple[str, str]:
    """A new session of this member: its cookie token and its CSRF token."""
    policy = portal_policy(hub.config.portal)
    token = portal_sessions.start(hub.store, member.user_id, member.company_id, policy)
    found = portal_sessions.find(hub.store, token, policy)
    assert found is not None
    return token, found.csrf_token


def url_and_form(route: PortalRoute) -> tuple[str, dict[str, str]]:
    """The route filled in with values a page would send (ids: 1)."""
    path = route.path
    for name in route.path_params:
        param = PATH_PARAMETERS[name]
        value = "1" if param.kind is Kind.OWNED else param.plausible[0]
        path = re.sub(r"\{" + name + r"(:[^}]*)?\}", value, path)
    form = {
        name: "1" if FIELDS[name].kind is Kind.OWNED else FIELDS[name].plausible[0]
        for name, _ in route.form
    }
    return path, form


@pytest.fixture
def hub(tmp_path: Path) -> Hub:
    return portal_hub(tmp_path)


def test_every_portal_action_wants_the_sessions_own_csrf_token(hub: Hub) -> None:
    acme, birch = add_company(hub, 101, "Acme"), add_company(hub, 202, "Birch")
    ann = add_member(hub, acme, "ann@acme.example", "admin")
    bo = add_member(hub, birch, "bo@birch.example", "admin")
    app = with_probe(create_app(hub))
    actions = [r for r in portal_routes(app) if r.method == "POST" and r.csrf]
    assert PROBE in [r.path for r in actions]
    for route in actions:
        path, form = url_and_form(route)
        token, csrf = session(hub, ann)
        _, same_person_other_session = session(hub, ann)
        _, other_company = session(hub, bo)
        browser_like = client(hub, app, token)
        forged = {
            "no token": form,
            "an empty token": {**form, "csrf_token": ""},
            "another session's token": {**form, "csrf_token": same_person_other_session},
            "another company's session's token": {**form, "csrf_token": other_company},
        }
        for what, data in forged.items():
            answer = browser_like.post(path, data=data)
            assert answer.status_code == 403, f"{route} with {what}: {answer.status_code}"
            assert "stale" in answer.text, f"{route} with {what}: {answer.text[:200]}"
        answer = browser_like.post(path, data=form, headers={"X-CSRF-Token": other_company})
        assert answer.status_code == 403, f"{route} with another session's token as header"
        own = browser_like.post(path, data={**form, "csrf_token": csrf})
        assert STALE_FORM not in own.text, f"{route} refused its own session's token"
    assert own.status_code == 200 and "done" in own.text  # the probe, last: it did its work


def own_csrf_problems(app: FastAPI, path: str, token_field: str) -> list[str]:
    """A form that needs no session (signing in) defends itself: its page sets a cookie
    and a hidden field that match; a POST without the cookie, or with another value in
    the field, is refused with 403."""

    def form_page() -> tuple[TestClient, dict[str, str]]:
        browser_like = TestClient(app, base_url="https://localhost", follow_redirects=False)
        text = browser_like.get(path).text
        hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', text))
        hidden |= dict(re.findall(r'name="([^"]+)" type="hidden" value="([^"]*)"', text))
        return browser_like, hidden

    first, hidden = form_page()
    if token_field not in hidden or not first.cookies:
        return [f"GET {path} sets no cookie and hidden field {token_field} to check a POST against"]
    fields = {"email": "nobody@example.com", "password": "not the password", **hidden}
    problems = []
    if (status := first.post(path, data=fields).status_code) == 403:
        problems.append(f"POST {path} with its own form's token was refused (403)")
    stranger = TestClient(app, base_url="https://localhost", follow_redirects=False)
    if (status := stranger.post(path, data=fields).status_code) != 403:
        problems.append(f"POST {path} without the form's cookie answered {status}, not 403")
    again, hidden = form_page()
    forged = {**fields, **hidden, token_field: "forged"}
    if (status := again.post(path, data=forged).status_code) != 403:
        problems.append(f"POST {path} with a forged {token_field} answered {status}, not 403")
    return problems


def test_forms_without_a_session_defend_themselves_like_the_consoles_login(hub: Hub) -> None:
    app = create_app(hub)
    # The check itself, on the console's login (the model the portal's follows).
    assert own_csrf_problems(app, "/console/login", "login_token") == []
    exempt = [r for r in portal_routes(app) if r.method == "POST" and not r.csrf]
    for route in exempt:
        path, form = url_and_form(route)
        field = next((n for n, _ in route.form if n.endswith("_token")), "")
        assert field, f"{route} skips the CSRF check and has no *_token field of its own"
        if any(PATH_PARAMETERS[p].kind is Kind.SECRET for p in route.path_params):
            # A link from an e-mail (its token in the path): with a token nobody was sent,
            # and neither the form's cookie nor its field, it is refused and signs no one
            # in (the accounts tests follow a real link through its form).
            stranger = TestClient(app, base_url="https://localhost", follow_redirects=False)
            answer = stranger.post(path, data={**form, field: "forged"})
            assert 400 <= answer.status_code < 500, f"{route}: {answer.status_code}"
            assert f"{COOKIE}=" not in answer.headers.get("set-cookie", ""), route
            continue
        assert own_csrf_problems(app, path, field) == []


def test_console_sessions_and_api_keys_open_no_portal_route(hub: Hub) -> None:
    buyer = add_member(hub, add_company(hub, 101, "Acme"), "ann@acme.example", "admin")
    app = with_probe(create_app(hub))
    api_key = with_admin_key(hub, app)
    console_admin = signed_in(hub, "admin")
    protected_routes = [r for r in portal_routes(app) if r.permission is not None]
    assert len(protected_routes) >= 2  # the catalogue's page and the probe at least
    for route in protected_routes:
        path, form = url_and_form(route)
        send = {"data": form} if route.method == "POST" else {}
        # An API key is never a customer, even an admin key with its (unneeded) CSRF pass.
        assert api_key.request(route.method, path, **send).status_code == 403, route
        # The console's cookie is not read under /portal: nobody is signed in there.
        answer = console_admin.request(route.method, path, **send)
        if route.method == "GET":
            assert answer.status_code == 303, route
            assert answer.headers["location"].startswith("/portal/login"), route
        else:
            assert answer.status_code == 401, route
    # The portal's token is no API key either.
    token, _ = session(hub, buyer)
    as_bearer = TestClient(
        app,
        base_url="https://localhost",
        headers={"Authorization": f"Bearer {token}"},
        follow_redirects=False,
    )
    assert as_bearer.get("/api/orders/shop/1").status_code == 401
    assert as_bearer.get("/portal").headers["location"].startswith("/portal/login")


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_over_https() -> None:
    response = Response()
    set_cookie(response, "t0ken", secure=True)
    assert header_problems("/portal", _with_page_headers(response)) == []
    plain = Response()
    set_cookie(plain, "t0ken", secure=False)
    assert "secure" not in plain.headers["set-cookie"].lower()
    assert "httponly" in plain.headers["set-cookie"].lower()

    portal = PortalSettings(enabled=True, erp="erp")
    assert secure_portal_cookies(portal, None, "https")
    assert secure_portal_cookies(portal, "https://hub.example.com", "http")  # behind a proxy
    assert not secure_portal_cookies(portal, "http://127.0.0.1:8080", "http")
    own = PortalSettings(enabled=True, erp="erp", listen="127.0.0.1:8443")
    assert not secure_portal_cookies(own, "https://hub.example.com", "http")  # not that host
    named = own.model_copy(update={"public_url": "https://portal.example.com"})
    assert secure_portal_cookies(named, None, "http")


def _with_page_headers(response: Response) -> Response:
    from causeway.web.page_headers import PORTAL_POLICY, page_headers

    response.headers.update(page_headers(PORTAL_POLICY) | {"Cache-Control": "no-store"})
    return response


def test_no_answer_of_the_portal_may_be_cached(hub: Hub) -> None:
    ann = add_member(hub, add_company(hub, 101, "Acme"), "ann@acme.example", "buyer")
    signed = customer_client(hub, ann)
    nobody = browser(hub)
    answers = {
        "a page": signed.get("/portal"),
        "a page that does not exist": signed.get("/portal/no-such-page"),
        "a method the page does not take": signed.post("/portal"),
        "the way to the login page": nobody.get("/portal"),
        "a refusal to an htmx request": nobody.get("/portal", headers={"HX-Request": "true"}),
    }
    for what, answer in answers.items():
        assert answer.headers.get("cache-control") == "no-store", what
    assert (
        signed.get("/portal/static/pico/pico.min.css").headers["cache-control"].startswith("public")
    )


def test_the_portal_on_its_own_listener_serves_nothing_else(tmp_path: Path) -> None:
    hub = portal_hub(
        tmp_path,
        portal={"enabled": True, "erp": "erp", "listen": "127.0.0.1:8443",
                "public_url": "https://portal.example.com"},
    )  # fmt: skip
    app = create_app(hub, serves="portal")
    paths = {getattr(r, "path", "") for r in app.routes}
    assert {p for p in paths if not p.startswith("/portal")} == {"/", "/health", "/ready"}
    with_key = with_admin_key(hub, app)  # a caller the hub knows learns these are not here
    for path in ("/api/orders/shop/1", "/console", "/console/login", "/metrics", "/docs",
                 "/openapi.json", "/docs/assets/swagger-ui.css"):  # fmt: skip
        assert with_key.get(path).status_code == 404, path
    assert with_key.post("/webhooks/shop", content=b"{}").status_code == 404
    customers = TestClient(app, base_url="https://portal.example.com", follow_redirects=False)
    assert customers.get("/").headers["location"] == "/portal"  # the bare host name
    assert customers.get("/portal").headers["location"].startswith("/portal/login")
    elsewhere = TestClient(app, base_url="https://evil.example.net", follow_redirects=False)
    assert elsewhere.get("/portal").status_code == 400  # a Host it does not answer to
