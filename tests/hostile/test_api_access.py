"""Who reaches what on the hub's listener, tried as an outsider would: every route but
webhook ingress, /health and /ready answers 401 without an API key, 403 when the key's
scope is too small; revoked and forged keys are refused; a route added without a
permission is refused to everyone; a request for another Host is refused; /docs loads
nothing from the internet."""

from __future__ import annotations

import logging
import re
import secrets
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import MetaData, String, Text, select

from causeway.config import parse_config
from causeway.hub import Hub
from causeway.web.app import create_app
from tests.auth import api_key, hub_client
from tests.hostile.conftest import hostile_config, rows, shopify_signature

# Deliberately public (docs/security.md): stores and CRMs deliver webhooks without a
# key (their signature is the credential); probes carry none; the console's stylesheet
# and scripts hold nothing of the hub's, and its login page needs them; signing in is
# what a person does before having a session (rate-limited, tests/console/test_sign_in.py);
# storefront browsers send their events with the system's collect key, and ask first
# (CORS preflight) without it (docs/clickstream.md).
PUBLIC = {
    ("POST", "/collect/{system}"),
    ("OPTIONS", "/collect/{system}"),
    ("GET", "/console/login"),
    ("POST", "/console/login"),
    ("POST", "/webhooks/{system}"),
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/console/static/{folder}/{name}"),
}


def signed_order(event_id: str) -> tuple[bytes, dict[str, str]]:
    """A Shopify orders/create delivery, signed with the shop's secret: body and headers."""
    body = b'{"id": 450789469}'
    return body, {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Hmac-Sha256": shopify_signature(body),
    }


def concrete(path: str) -> str:
    """A route's path with each parameter filled in."""
    return re.sub(r"\{[^}]+\}", "orders-to-erp", path)


def every_route(app: FastAPI) -> list[tuple[str, str]]:
    return [
        (method, route.path)  # type: ignore[attr-defined]
        for route in app.routes
        for method in sorted(getattr(route, "methods", None) or {"GET"})
    ]


def every_operation(app: FastAPI) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    ]


def assert_needs_a_key(app: FastAPI, hub: Hub, routes: list[tuple[str, str]]) -> None:
    client = hub_client(hub, scope=None, app=app)
    protected = [route for route in routes if route not in PUBLIC]
    assert protected, "nothing to check"
    for method, path in protected:
        response = client.request(method, concrete(path), follow_redirects=False)
        if method == "GET" and path.startswith("/console"):  # a browser: sign in first
            assert response.status_code == 303, (method, path, response.text)
            assert response.headers["location"].startswith("/console/login?next="), path
            continue
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "API key" in response.json()["error"]


def test_every_route_of_the_app_needs_a_key_but_webhooks_health_and_ready(
    hostile_hub: Hub, app: FastAPI
) -> None:
    routes = every_route(app)
    assert {"/api/orders/{system}/{external_id}", "/metrics", "/docs", "/openapi.json"} <= {
        path for _, path in routes
    }
    assert_needs_a_key(app, hostile_hub, routes)


def test_every_operation_in_the_spec_needs_a_key_but_webhooks_health_and_ready(
    hostile_hub: Hub, app: FastAPI
) -> None:
    assert_needs_a_key(app, hostile_hub, every_operation(app))


def test_the_public_routes_stay_open_without_a_key(hostile_hub: Hub, app: FastAPI) -> None:
    client = hub_client(hostile_hub, scope=None, app=app)
    assert client.get("/health").status_code == 200
    body, signed = signed_order("e-public")
    assert client.post("/webhooks/shop", content=body, headers=signed).json()["stored"] is True


def test_an_unknown_path_is_no_way_to_probe_without_a_key(hostile_hub: Hub, app: FastAPI) -> None:
    anonymous = hub_client(hostile_hub, scope=None, app=app)
    assert anonymous.get("/admin").status_code == 401
    assert anonymous.delete("/api/orders/shop/1").status_code == 401
    reader = hub_client(hostile_hub, scope="read", app=app)
    assert reader.get("/admin").status_code == 404


def test_each_scope_reaches_what_it_grants_and_no_more(hostile_hub: Hub, app: FastAPI) -> None:
    looks = ["/api/orders/shop/1", "/metrics", "/docs", "/openapi.json"]
    for scope in ("read", "run", "admin"):
        client = hub_client(hostile_hub, scope=scope, app=app)
        for path in looks:
            assert client.get(path).status_code in (200, 404), (scope, path)
        run = client.post("/api/flows/orders-to-erp/run")
        if scope == "read":
            assert run.status_code == 403
            assert "scope read" in run.json()["error"]
        else:
            assert run.status_code == 200 and "queued" in run.json()


def test_a_revoked_key_is_refused_at_once(hostile_hub: Hub, app: FastAPI) -> None:
    from causeway.engine import api_keys

    key, secret = api_keys.create(hostile_hub.store, "grafana", "read")
    client = hub_client(hostile_hub, scope=None, app=app)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/metrics", headers=headers).status_code == 200
    api_keys.revoke(hostile_hub.store, key.name)
    refused = client.get("/metrics", headers=headers)
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]


def test_forged_and_mangled_keys_are_refused(hostile_hub: Hub, app: FastAPI) -> None:
    real = api_key(hostile_hub, "admin")
    prefix, secret = real.rsplit("_", 1)[0], real.split("_", 2)[2]
    other_prefix = api_key(hostile_hub, "admin").rsplit("_", 1)[0]
    client = hub_client(hostile_hub, scope=None, app=app)
    forged = [
        f"{prefix}_{secrets.token_urlsafe(32)}",  # the real public part, a made-up secret
        f"{other_prefix}_{secret}",  # the real secret under another key's public part
        f"{prefix}_{secret[:-1]}",
        f"{prefix}_{secret}x",
        f"{prefix}_",
        prefix,
        real.upper(),
        "cw_zzzzzzzzzzzz_" + secret,
        "",
        "x" * 5000,
    ]
    for token in forged:
        response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
    for header in (f"Basic {real}", real, f"Token {real}"):
        assert client.get("/metrics", headers={"Authorization": header}).status_code == 401
    # The scheme is case-insensitive (RFC 9110); the key itself is exact.
    assert client.get("/metrics", headers={"Authorization": f"bearer {real}"}).status_code == 200


def test_the_key_is_never_stored_or_logged_in_clear(
    hostile_hub: Hub, app: FastAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = api_key(hostile_hub, "run")
    secret = key.split("_", 2)[2]
    client = hub_client(hostile_hub, scope=None, app=app)
    for token in (key, key[:-2] + "zz"):
        for path in ("/metrics", "/api/orders/shop/1", "/api/flows/orders-to-erp/run"):
            client.request(
                "POST" if "flows" in path else "GET",
                path,
                headers={"Authorization": f"Bearer {token}"},
            )
    assert secret not in caplog.text
    stored = MetaData()
    stored.reflect(hostile_hub.store.engine)
    searched = 0
    with hostile_hub.store.read() as conn:
        for table in stored.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, String | Text):
                    searched += 1
                    for (value,) in conn.execute(select(column)):
                        assert secret not in str(value), f"{table.name}.{column.name}"
    assert searched > 20  # every text column of every table, api_keys included
    for database_file in (tmp_path / "hub.db", tmp_path / "hub.db-wal"):
        if database_file.exists():
            assert secret.encode() not in database_file.read_bytes()


def test_a_route_added_without_a_permission_is_refused_to_everyone(
    hostile_hub: Hub, app: FastAPI
) -> None:
    @app.get("/api/forgotten")
    def forgotten() -> dict[str, str]:
        return {"customers": "everyone's"}

    assert hub_client(hostile_hub, scope=None, app=app).get("/api/forgotten").status_code == 401
    refused = hub_client(hostile_hub, scope="admin", app=app).get("/api/forgotten")
    assert refused.status_code == 403 and "declares no permission" in refused.json()["error"]


def test_a_protected_route_refuses_even_if_the_guard_is_missing() -> None:
    import asyncio

    from fastapi import HTTPException, Request

    from causeway.access.permissions import Permission
    from causeway.web.access import Requires

    unguarded = Request({"type": "http", "method": "GET", "path": "/metrics", "headers": []})
    with pytest.raises(HTTPException) as refused:
        asyncio.run(Requires(Permission.READ)(unguarded, None))
    assert refused.value.status_code == 401


def test_the_app_will_not_build_with_a_route_that_declares_nothing(
    hostile_hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    import causeway.web.app as web_app

    def routes_with_a_forgotten_one(app: FastAPI) -> None:
        app.add_api_route("/api/forgotten", lambda: {}, methods=["GET"])

    monkeypatch.setattr(web_app, "add_docs_routes", routes_with_a_forgotten_one)
    with pytest.raises(RuntimeError, match="GET /api/forgotten: no access declared"):
        create_app(hostile_hub)


def test_a_request_for_another_host_is_refused(hostile_hub: Hub, app: FastAPI) -> None:
    client = hub_client(hostile_hub, scope=None, app=app)
    body, signed = signed_order("e-host")
    before = rows(hostile_hub)
    for host in ("evil.example", "127.0.0.1.evil.example", "testserver"):
        assert client.get("/health", headers={"Host": host}).status_code == 400
        response = client.post("/webhooks/shop", content=body, headers={**signed, "Host": host})
        assert response.status_code == 400
    assert rows(hostile_hub) == before
    for host in ("127.0.0.1:8080", "localhost", "[::1]:8080"):
        assert client.get("/health", headers={"Host": host}).status_code == 200
    admin = hub_client(hostile_hub, scope="admin", app=app)
    assert admin.get("/metrics", headers={"Host": "evil.example"}).status_code == 400


def test_any_host_only_when_allowed_hosts_says_star(tmp_path: Path) -> None:
    config = hostile_config(f"sqlite:///{tmp_path / 'star.db'}")
    config["server"]["allowed_hosts"] = ["*"]
    hub = Hub(parse_config(config, env={}))
    try:
        client = hub_client(hub, scope=None)
        assert client.get("/health", headers={"Host": "anything.example"}).status_code == 200
    finally:
        hub.stop()


def test_the_docs_page_loads_nothing_from_the_internet(hostile_hub: Hub, app: FastAPI) -> None:
    client = hub_client(hostile_hub, scope="read", app=app)
    page = client.get("/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    referenced = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", page.text)
    assert referenced and all(ref.startswith(("/", "data:")) for ref in referenced), referenced
    assert '"validatorUrl": null' in page.text  # Swagger UI's badge calls validator.swagger.io
    from causeway.web.api_docs import SWAGGER_UI

    for ref in referenced:
        if ref.startswith("/docs/assets/"):
            asset = client.get(ref)
            assert asset.status_code == 200
            assert asset.content == (SWAGGER_UI / ref.rsplit("/", 1)[1]).read_bytes()
    assert client.get("/docs/assets/..%2F..%2Fapp.py").status_code == 404
    assert client.get("/docs/assets/LICENSE").status_code == 404  # only the two files
    assert hub_client(hostile_hub, scope=None, app=app).get(referenced[0]).status_code == 401


def test_the_spec_declares_the_key_and_its_refusals_on_protected_operations(
    hostile_hub: Hub, app: FastAPI
) -> None:
    spec = hub_client(hostile_hub, scope="read", app=app).get("/openapi.json").json()
    (scheme,) = spec["components"]["securitySchemes"].values()
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    for method, path in every_operation(app):
        operation = spec["paths"][path][method.lower()]
        if (method, path) in PUBLIC:
            assert "security" not in operation
        else:
            assert operation["security"], (method, path)
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
