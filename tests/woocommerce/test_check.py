"""`causeway check` on a WooCommerce store: each line, and the fix when it fails."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from causeway.checks.woocommerce import check_woocommerce
from causeway.connectors.woocommerce import WooCommerceConnector
from tests.woocommerce.conftest import QUICK, WooSandboxServer, WooSandboxSettings, connect

HUB = "http://127.0.0.1:9/webhooks/woo"  # never called: checks only read the webhooks


def lines(found: list[Any]) -> list[tuple[str, bool]]:
    return [(c.what, c.ok) for c in found]


def test_a_store_ready_for_every_flow(woo: Any, store: WooCommerceConnector) -> None:
    store.subscribe_webhooks(HUB, ["order.created", "order.updated"])
    found = check_woocommerce(
        "woo", store, ["stock-to-channels"], HUB, ["order.created", "order.updated"]
    )
    assert lines(found) == [
        (f"reachable at {woo.store_url}", True),
        ("REST API key accepted", True),
        ("REST API key may write (needed by stock-to-channels)", True),
        (f"webhooks to {HUB} active (order.created, order.updated)", True),
    ]


def test_missing_and_paused_webhooks_say_what_to_do(woo: Any, store: WooCommerceConnector) -> None:
    (webhook_id,) = store.subscribe_webhooks(HUB, ["order.created"]).values()
    store.client.put(f"/webhooks/{webhook_id}", {"status": "paused"})
    *_, webhooks = check_woocommerce("woo", store, [], HUB, ["order.created", "order.updated"])
    assert not webhooks.ok
    assert "order.created is paused: set it Active in WooCommerce > Settings" in webhooks.fix
    assert "order.updated has none (`causeway run` creates it on start)" in webhooks.fix


def test_without_a_public_url_the_webhooks_cannot_be_delivered(store: WooCommerceConnector) -> None:
    *_, webhooks = check_woocommerce("woo", store, [], None, ["order.created"])
    assert not webhooks.ok and "server.public_url is not set" in (webhooks.fix or "")


def test_a_wrong_key_stops_at_the_key(woo: Any) -> None:
    with connect(woo, retry=QUICK) as store:
        store.client._http.auth = None  # the Authorization header stripped on the way
        found = check_woocommerce("woo", store, [], None, [])
    assert lines(found)[1] == ("REST API key accepted", False)
    assert "set auth: query" in (found[1].fix or "")


def test_an_unreachable_store_says_where_it_was_looked_for() -> None:
    with WooCommerceConnector("http://127.0.0.1:9", "ck", "cs", retry=QUICK) as store:
        (unreachable,) = check_woocommerce("woo", store, [], None, [])
    assert not unreachable.ok and "check systems.woo.url" in (unreachable.fix or "")


@pytest.fixture
def read_only() -> Iterator[Any]:
    with WooSandboxServer(WooSandboxSettings(key_permissions="read")) as server:
        yield server


def test_a_read_only_key_is_enough_to_read_not_to_publish(read_only: Any) -> None:
    with connect(read_only) as store:
        found = check_woocommerce("woo", store, ["catalog-to-channels"], None, [])
    assert lines(found)[1:] == [
        ("REST API key accepted", True),
        ("REST API key may write (needed by catalog-to-channels)", False),
    ]
    assert "give the key Read/Write permissions" in (found[2].fix or "")
    with connect(read_only) as store:
        assert len(check_woocommerce("woo", store, [], None, [])) == 2  # nothing writes
