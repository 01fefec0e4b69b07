"""A secret that ends up in an exception never leaves the hub.

Here the store and the ERP sit behind a misbehaving proxy: it answers every Tryton
call with a 502 that echoes the request (with the login's password) and the upstream
URL with its credentials, and every Shopify call with a 400 that echoes the access
token. The hub's error texts carry those answers on; the secrets must reach neither
the stored job errors, nor the order API, nor `causeway status`, nor the log, while
the rest of each reason stays readable.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import String, Text, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from typer.testing import CliRunner

from causeway.cli import app as cli
from causeway.config import load_config
from causeway.engine.schema import metadata
from causeway.hub import Hub
from causeway_sandbox.localserver import BackgroundServer
from tests.auth import hub_client
from tests.hostile.conftest import hostile_config, shopify_signature

PASSWORD = "Tryton-pw-4711"
TOKEN = "shpat_leaky0123456789"
UPSTREAM = f"http://causeway:{PASSWORD}@erp.internal:8000/"


async def _echo(request: Request) -> PlainTextResponse:
    if request.url.path.startswith("/admin/"):  # Shopify's Admin API
        token = request.headers.get("x-shopify-access-token")
        return PlainTextResponse(f"unknown shop for token {token}", status_code=400)
    body = (await request.body()).decode()
    return PlainTextResponse(f"bad gateway {UPSTREAM}: {body}", status_code=502)


@pytest.fixture
def echoing_proxy() -> Iterator[str]:
    app = Starlette(routes=[Route("/{path:path}", _echo, methods=["POST"])])
    server = BackgroundServer(app, name="echoing-proxy").start()
    yield server.url
    server.stop()


@pytest.fixture
def causeway_yaml(tmp_path: Path, echoing_proxy: str) -> Path:
    """The hostile hub's file, its store and ERP behind the echoing proxy, the secrets
    from the environment, and one attempt per job so that the first failure parks it."""
    data = hostile_config(f"sqlite:///{tmp_path / 'hub.db'}")
    data["systems"]["erp"] |= {"url": echoing_proxy, "password": "${TRYTON_PASSWORD}"}
    data["systems"]["shop"] |= {
        "shop_url": echoing_proxy,
        "access_token": "${SHOPIFY_ACCESS_TOKEN}",
    }
    data["workers"] = {"max_attempts": 1}
    data["flows"] = {"orders-to-erp": {"source": "shop", "target": "erp"}}
    path = tmp_path / "causeway.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


ORDER = {
    "id": 820982911946154508,
    "name": "#9999",
    "email": "jon@example.com",
    "currency": "EUR",
    "created_at": "2026-03-01T10:00:00+01:00",
    "updated_at": "2026-03-01T10:00:00+01:00",
    "subtotal_price": "20.00",
    "total_tax": "0.00",
    "total_price": "20.00",
    "financial_status": "paid",
    "line_items": [{"id": 1, "title": "Widget", "sku": "WID-001", "quantity": 2, "price": "10.00"}],
}


def every_text_in_the_store(hub: Hub) -> str:
    found = []
    with hub.store.read() as conn:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if columns:
                found += [str(value) for row in conn.execute(select(*columns)) for value in row]
    return "\n".join(found)


def test_secrets_echoed_into_errors_reach_no_store_answer_status_or_log(
    causeway_yaml: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRYTON_PASSWORD", PASSWORD)
    monkeypatch.setenv("SHOPIFY_ACCESS_TOKEN", TOKEN)
    config = load_config(causeway_yaml)
    # The store order arrives by webhook.
    hub = Hub(config)
    hub.start(workers=0, scheduler=False)
    body = json.dumps(ORDER).encode()
    headers = {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Event-Id": "leak-1",
        "X-Shopify-Hmac-Sha256": shopify_signature(body),
    }
    with hub_client(hub, scope=None) as client:
        assert client.post("/webhooks/shop", content=body, headers=headers).json()["stored"]
    hub.stop()

    # An operator runs the flow by hand: the order fails in the ERP, its reconcile poll
    # in the store, both echoing a secret.
    runner = CliRunner()
    caplog.set_level(logging.INFO)
    ran = runner.invoke(cli, ["flow", "run", "orders-to-erp", "-c", str(causeway_yaml)])
    assert "0 done, 0 to retry, 2 parked" in ran.output, ran.output
    status = runner.invoke(cli, ["status", "--json", "-c", str(causeway_yaml)])

    hub = Hub(config)
    try:
        with hub_client(hub, scope="read") as client:
            answer = client.get(f"/api/orders/shop/{ORDER['id']}").json()
        stored = every_text_in_the_store(hub)
    finally:
        hub.stop()

    # The reason is still there to read, with the password masked.
    assert answer["state"] == "parked"
    assert "Tryton answered HTTP 502 to common.db.login" in answer["problem"]
    assert "causeway:***@erp.internal" in answer["problem"]
    everywhere = {
        "the store": stored,
        "the order API": json.dumps(answer),
        "causeway status": status.output,
        "the command's output": ran.output,
        "the log": caplog.text,
    }
    for place, text in everywhere.items():
        assert PASSWORD not in text, f"the Tryton password reached {place}"
        assert TOKEN not in text, f"the Shopify token reached {place}"
    # What failed is still said, in the log and in the status.
    assert "HTTP 502" in caplog.text and "answered HTTP 400" in caplog.text
    assert "unknown shop for token ***" in status.output
