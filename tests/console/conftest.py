"""The console's test kit.

Without a browser: a hub on a fresh SQLite store (no system reachable), its app, and
clients that call it with an API key of each scope (API keys pass the console's access
checks; the CSRF check applies to cookie sessions only), or as a browser signed in
through the login form (`signed_in(hub, "viewer")`, `csrf_token(client)`).

With a browser: `site` (the hub's app under uvicorn on a free port), `page` (a tab of
the system's Chromium, driven by Playwright), `logged_in(page, role)` and
`screenshot(page, name)` (docs/console/<name>.png).
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from causeway.engine import api_keys, users
from causeway.hub import Hub
from causeway.web.app import create_app
from causeway_sandbox.localserver import BackgroundServer
from tests.essential import unavailable
from tests.unit.hub_configs import hub_config

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ClientFor = Callable[[str], TestClient]


class LogIn(Protocol):
    def __call__(self, page: Page, role: str, email: str | None = None) -> str: ...


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
    users.add(hub.store, email, role, PASSWORD, actor="cli:admin")
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


# The console in a real browser: the hub's app under uvicorn on a free port, driven by
# Playwright with the system's Chromium (`make system-tools` installs it). Without
# Chromium or Playwright these tests skip, and fail under CI=true (tests/essential.py).
CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "console"


@dataclass
class Site:
    """A hub serving the console at `url`."""

    hub: Hub
    url: str


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One headless Chromium per test module (each test gets its own context). Not per
    session: while Playwright's sync API runs, the main thread has a running event loop,
    and any later test that calls asyncio.run() would fail."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        unavailable(f"the browser tests need the playwright package ({exc}); `make venv`")
    if not CHROMIUM.exists():
        unavailable(f"no {CHROMIUM}: `make system-tools` installs it (Debian package chromium)")
    manager = sync_playwright().start()
    try:
        launched = manager.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            # Chromium's sandbox cannot start as root (containers, CI).
            args=["--no-sandbox"] if os.geteuid() == 0 else [],
        )
    except Exception as exc:
        manager.stop()
        unavailable(f"{CHROMIUM} did not start under Playwright: {str(exc).splitlines()[0]}")
    yield launched
    launched.close()
    manager.stop()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """A hub on a fresh store serving its app on a free port of 127.0.0.1, over plain
    http (so its cookies are not Secure, as for any hub whose public_url is http)."""
    hub = console_hub(tmp_path, server={"public_url": "http://127.0.0.1"})
    server = BackgroundServer(create_app(hub), name="console").start()
    yield Site(hub, server.url)
    server.stop()
    hub.store.dispose()


@pytest.fixture
def page(chromium: Browser, site: Site) -> Iterator[Page]:
    """A fresh browser tab (its own cookies) on the site, laptop-sized."""
    context = chromium.new_context(base_url=site.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in_through_the_form(
    page: Page, email: str, password: str = PASSWORD, *, go: bool = True
) -> None:
    """Fill in and send the login form (`go`: open it first; else the one the browser
    was sent to, which keeps the page asked for)."""
    if go:
        page.goto("/console/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def logged_in(site: Site) -> LogIn:
    """`logged_in(page, "operator")`: a new person with that role (and `email`, else a
    made-up one), signed in through the login form in `page`; their e-mail."""

    def log_in(page: Page, role: str, email: str | None = None) -> str:
        email = add_person(site.hub, role, email)
        sign_in_through_the_form(page, email)
        page.wait_for_url(f"{site.url}/console")
        return email

    return log_in


def screenshot(page: Page, name: str) -> Path:
    """The page as a person sees it, as <name>.png: into docs/console/ (docs/console.md)
    when CAUSEWAY_SCREENSHOTS=docs, so that a plain test run leaves the docs as they
    are (each shot holds the time it was taken); else into a temporary folder."""
    folder = SCREENSHOTS if os.environ.get("CAUSEWAY_SCREENSHOTS") == "docs" else _scratch()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _scratch() -> Path:
    return Path(tempfile.gettempdir()) / "causeway-console-screenshots"
