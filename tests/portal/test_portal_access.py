"""Who opens the portal: its own customers only, with the portal's own cookie."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from causeway.web.app import create_app
from tests.console.conftest import client_with_key, signed_in
from tests.portal.conftest import add_company, add_member, customer_client, portal_hub


def test_a_signed_in_buyer_sees_the_portal_of_their_company(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    acme = add_company(hub, 101, "Acme Retail Ltd")
    buyer = add_member(hub, acme, "ann@acme.example")
    page = customer_client(hub, buyer).get("/portal")
    assert page.status_code == 200
    assert "Acme Retail Ltd" in page.text


def test_a_browser_without_a_session_is_sent_to_the_portal_login(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    client = TestClient(create_app(hub), base_url="https://localhost", follow_redirects=False)
    answer = client.get("/portal/orders")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/portal/login?next=%2Fportal%2Forders"


def test_console_people_and_api_keys_do_not_open_the_portal(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    assert client_with_key(hub, "admin").get("/portal").status_code == 403
    console_admin = signed_in(hub, "admin")
    assert console_admin.get("/portal").status_code == 303  # no portal session: sign in


def test_a_portal_session_does_not_open_the_console_or_the_api(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path)
    buyer = add_member(hub, add_company(hub, 101, "Acme"), "ann@acme.example", "admin")
    client = customer_client(hub, buyer)
    assert client.get("/console").status_code == 303  # to the console's login
    assert client.get("/api/orders").status_code == 401


def test_the_portal_is_off_unless_enabled(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path, portal={"enabled": False})
    # A caller the hub knows learns that there is no such page (anyone else gets 401).
    assert client_with_key(hub, "admin").get("/portal").status_code == 404


def test_with_a_listener_of_its_own_only_that_app_serves_the_portal(tmp_path: Path) -> None:
    hub = portal_hub(tmp_path, portal={"enabled": True, "erp": "erp", "listen": "127.0.0.1:8443"})
    buyer = add_member(hub, add_company(hub, 7, "Birch"), "bo@birch.example")
    assert client_with_key(hub, "admin").get("/portal").status_code == 404
    portal_only = customer_client(hub, buyer, serves="portal")
    assert portal_only.get("/portal").status_code == 200
    # Neither the console nor the API is there: the portal's cookie opens neither.
    assert portal_only.get("/console").status_code == 401
    assert portal_only.get("/api/orders").status_code == 401
