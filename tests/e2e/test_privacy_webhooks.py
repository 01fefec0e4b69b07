"""Shopify's privacy webhooks, end to end: the sandbox store sends them (signed, to the
URL the app's configuration declares), the hub takes them through its inbox to the
privacy-requests flow, with the real Tryton behind it.

A customer's data request becomes a private JSON file holding their data; their
redact request leaves no trace of them in any table, and their order still takes its
later webhooks; a shop/redact erases everything the hub holds from the store.
"""

from __future__ import annotations

import json
import stat
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from causeway.engine.schema import entities, inbox, jobs, links
from causeway.hub import Hub
from causeway_sandbox.shopify import SandboxServer
from causeway_sandbox.tryton.server import TrytonServer
from tests.auth import bearer
from tests.e2e.conftest import erp_sales
from tests.e2e.harness import hub_config, new_port, serving, settle
from tests.privacy_traces import traces

pytestmark = pytest.mark.tryton

ORDER_TOPICS = ["orders/create", "orders/updated", "orders/paid"]


@pytest.fixture
def hub(
    tmp_path: Path,
    tryton_server: TrytonServer,
    sandbox: SandboxServer,
    shop: httpx.Client,
    prefix: str,
) -> Iterator[tuple[Hub, httpx.Client]]:
    port = new_port()
    config = hub_config(tmp_path, tryton_server, sandbox.url, port, prefix=prefix)
    # The sandbox is reached on 127.0.0.1; its requests name its myshopify.com domain.
    config["systems"]["shop"]["shop_domain"] = "causeway-sandbox.myshopify.com"
    config["flows"]["privacy-requests"] = {"exports_folder": str(tmp_path / "exports")}
    with serving(config, shop, ORDER_TOPICS) as (running, server):
        assert "customers/redact" not in running.flows.webhook_topics("shop")  # not an API topic
        # What the app developer declares in shopify.app.toml's compliance_topics.
        shop.put(
            "/_sandbox/compliance_webhooks", json={"uri": f"{server.url}/webhooks/shop"}
        ).raise_for_status()
        with httpx.Client(base_url=server.url, headers=bearer(running, "read")) as api:
            yield running, api


def checkout(shop: httpx.Client, first: str, last: str, street: str, phone: str) -> dict[str, Any]:
    email = f"{first.lower()}.{uuid.uuid4().hex[:6]}@example.org"
    address = {"first_name": first, "last_name": last, "address1": street, "phone": phone}
    response = shop.post(
        "/_sandbox/orders",
        json={
            "email": email,
            "first_name": first,
            "last_name": last,
            "phone": phone,
            "lines": [{"sku": "WID-001", "quantity": 1}],
            "tax_rate": "0.10",
            "shipping_address": address,
            "billing_address": address,
        },
    )
    response.raise_for_status()
    return response.json()["order"]  # type: ignore[no-any-return]


def state_of(api: httpx.Client, order: dict[str, Any]) -> str | None:
    response = api.get(f"/api/orders/shop/{order['id']}")
    if response.status_code == 404:  # not in the hub yet
        return None
    response.raise_for_status()
    return response.json().get("state")  # type: ignore[no-any-return]


def privacy_jobs_done(hub: Hub, count: int) -> Callable[[], bool]:
    def done() -> bool:
        states = [
            state
            for (flow, state), n in hub.jobs.counts().items()
            for _ in range(n)
            if flow == "privacy-requests"
        ]
        assert "dead" not in states, hub.jobs.dead()
        return states.count("done") >= count

    return done


def test_a_data_request_then_a_redact_of_one_customer(
    hub: tuple[Hub, httpx.Client],
    shop: httpx.Client,
    tmp_path: Path,
    tryton_server: TrytonServer,
    prefix: str,
) -> None:
    running, api = hub
    hers = checkout(shop, "Zephyrine", "Quillfeather", "77 Larkspur Crescent", "+1 613-555-0199")
    his = checkout(shop, "Bob", "Norman", "1 Chestnut Street", "+1 613-555-0123")
    settle(running, shop, lambda: state_of(api, hers) == state_of(api, his) == "in_erp", 90)

    customer_id = hers["customer"]["id"]
    shop.post(f"/_sandbox/customers/{customer_id}/data_request").raise_for_status()
    settle(running, shop, privacy_jobs_done(running, 1))
    (export,) = (tmp_path / "exports").iterdir()
    assert stat.S_IMODE(export.stat().st_mode) == 0o600
    data = json.loads(export.read_text())
    text = json.dumps(data)
    for trace in (hers["email"], "Quillfeather", "77 Larkspur Crescent", str(hers["id"])):
        assert trace in text
    assert his["email"] not in text and "Chestnut" not in text
    assert f"shop:{customer_id}" in data["person"]["customer_ids"]

    shop.post(f"/_sandbox/customers/{customer_id}/redact").raise_for_status()
    settle(running, shop, privacy_jobs_done(running, 2))
    her_traces = [hers["email"], "Zephyrine", "Quillfeather", "Larkspur", "555-0199", "6135550199"]
    assert traces(running.store, her_traces) == []
    assert traces(running.store, [his["email"], "Chestnut"])  # Bob is still there

    # Shopify still has her order: its next change reaches the hub and is processed,
    # and the ERP still has one sale for it.
    shop.post(
        f"/_sandbox/orders/{hers['id']}/update", json={"note": "gift wrap"}
    ).raise_for_status()
    key = f"shop:order:{hers['id']}"
    settle(
        running,
        shop,
        lambda: (
            len(running.jobs.for_key(key)) >= 2
            and all(j["state"] in ("done", "dead") for j in running.jobs.for_key(key))
        ),
    )
    assert [j["state"] for j in running.jobs.for_key(key)] == ["done"] * len(
        running.jobs.for_key(key)
    )
    assert state_of(api, hers) == "in_erp"
    references = [sale["reference"] for sale in erp_sales(tryton_server, prefix)]
    assert references.count(f"{prefix}{hers['name'].lstrip('#')}") == 1


def test_shop_redact_erases_what_the_store_sent(
    hub: tuple[Hub, httpx.Client], shop: httpx.Client
) -> None:
    running, api = hub
    order = checkout(shop, "Ines", "Quarry", "9 Fern Way", "+1 613-555-0142")
    settle(running, shop, lambda: state_of(api, order) == "in_erp")

    shop.post("/_sandbox/shop/redact").raise_for_status()
    settle(running, shop, privacy_jobs_done(running, 1))
    with running.store.read() as conn:
        count = lambda table, condition: conn.execute(  # noqa: E731
            select(func.count()).select_from(table).where(condition)
        ).scalar_one()
        assert count(inbox, inbox.c.source == "shop") == 0
        assert count(links, links.c.system == "shop") == 0
        assert count(entities, entities.c.entity_type == "order") == 0
        # Only the shop/redact job itself is left (it was running while it erased).
        assert conn.execute(
            select(jobs.c.flow).where(jobs.c.ordering_key.startswith("shop:"))
        ).scalars().all() == ["privacy-requests"]
    assert traces(running.store, [order["email"], "Quarry", "Fern Way"]) == []
