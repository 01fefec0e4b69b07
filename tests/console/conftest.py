"""The console without a browser: a hub on a fresh SQLite store (no system reachable),
its app, and clients that call it with an API key of each scope (API keys pass the
console's access checks; the CSRF check applies to cookie sessions only)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from causeway.engine import api_keys, users
from causeway.hub import Hub
from causeway.web.app import create_app
from tests.unit.hub_configs import hub_config

ClientFor = Callable[[str], TestClient]


def console_hub(tmp_path: Path, flows: dict[str, Any] | None = None, **sections: Any) -> Hub:
    """A hub on its own SQLite store, migrated; nothing started, no system reached."""
    hub = Hub(hub_config(tmp_path, flows or {}, **sections))
    hub.store.migrate()
    return hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    hub = console_hub(tmp_path)
    yield hub
    hub.store.dispose()


def client_with_key(hub: Hub, scope: str) -> TestClient:
    """A client of the hub's app sending a new API key of `scope` (read, run, admin)."""
    _, secret = api_keys.create(
        hub.store, f"console-{scope}-{len(api_keys.list_keys(hub.store))}", scope
    )
    return TestClient(
        create_app(hub),
        base_url="http://localhost",
        headers={"Authorization": f"Bearer {secret}"},
        follow_redirects=False,
    )


@pytest.fixture
def client_for(hub: Hub) -> ClientFor:
    """`client_for("read")`: a client with a new key of that scope."""
    return lambda scope: client_with_key(hub, scope)


@pytest.fixture
def anonymous(hub: Hub) -> TestClient:
    """A client with no credential at all."""
    return TestClient(create_app(hub), base_url="http://localhost", follow_redirects=False)


# Signing in as a person, through the login form as a browser does (tests of the
# cookie sessions; the browser tests' own helpers are below).
PASSWORD = "correct horse battery staple"
_LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_person(hub: Hub, role: str, email: str | None = None) -> str:
    """A person with this role and PASSWORD; their e-mail."""
    email = email or f"{role}-{secrets.token_hex(3)}@example.com"
    users.add(hub.store, email, role, PASSWORD, actor="test")
    return email


def browser(hub: Hub) -> TestClient:
    """A client like a browser: no API key, keeps cookies, does not follow redirects.
    Over https, as the test hub's public_url says (its cookies are Secure)."""
    return TestClient(create_app(hub), base_url="https://localhost", follow_redirects=False)


def sign_in(
    client: TestClient, email: str, password: str = PASSWORD, next: str | None = None
) -> Response:
    """Fill in and send the login form (with the token its page set)."""
    form_page = client.get("/console/login", params={"next": next} if next else None)
    match = _LOGIN_TOKEN.search(form_page.text)
    assert match, form_page.text
    fields = {"email": email, "password": password, "login_token": match.group(1)}
    if next is not None:
        fields["next"] = next
    return client.post("/console/login", data=fields)


def signed_in(hub: Hub, role: str) -> TestClient:
    """A browser signed in as a new person with this role."""
    client = browser(hub)
    answer = sign_in(client, add_person(hub, role))
    assert answer.status_code == 303, answer.text
    return client


def csrf_token(client: TestClient, path: str = "/console") -> str:
    """The session's CSRF token, as the console's pages put it in their forms."""
    match = _CSRF.search(client.get(path).text)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def person_client(hub: Hub) -> Callable[[str], TestClient]:
    """`person_client("viewer")`: a browser signed in as a new person with that role."""
    return lambda role: signed_in(hub, role)
