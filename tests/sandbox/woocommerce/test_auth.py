"""A REST API key gets in by HTTP Basic or, for hosts that strip Authorization, by the
query string; anything else is refused with WooCommerce's 401 bodies."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from causeway_sandbox.woocommerce import WooSandboxServer, WooSandboxSettings


def test_basic_auth_and_the_query_string_fallback_both_get_in(woo: WooSandboxServer) -> None:
    basic = httpx.get(woo.api_url + "orders", auth=woo.auth)
    query = httpx.get(
        woo.api_url + "orders",
        params={"consumer_key": woo.consumer_key, "consumer_secret": woo.consumer_secret},
    )
    assert (basic.status_code, query.status_code) == (200, 200)
    assert basic.json() == query.json() == []


@pytest.mark.parametrize(
    ("method", "path", "code", "message"),
    [
        ("GET", "orders", "woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
        (
            "GET",
            "orders/727",
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot view this resource.",
        ),
        (
            "POST",
            "orders",
            "woocommerce_rest_cannot_create",
            "Sorry, you are not allowed to create resources.",
        ),
        (
            "PUT",
            "products/794",
            "woocommerce_rest_cannot_edit",
            "Sorry, you are not allowed to edit this resource.",
        ),
        (
            "POST",
            "products/batch",
            "woocommerce_rest_cannot_batch",
            "Sorry, you are not allowed to batch manipulate this resource.",
        ),
    ],
)
def test_a_call_without_credentials_is_refused_as_the_route_refuses_it(
    woo: WooSandboxServer, method: str, path: str, code: str, message: str
) -> None:
    response = httpx.request(method, woo.api_url + path, json={})
    assert response.status_code == 401
    assert response.json() == {"code": code, "message": message, "data": {"status": 401}}


def test_an_unknown_key_is_anonymous_and_a_wrong_secret_is_named(woo: WooSandboxServer) -> None:
    unknown = httpx.get(woo.api_url + "orders", auth=("ck_nobody", woo.consumer_secret))
    assert unknown.status_code == 401
    assert unknown.json()["code"] == "woocommerce_rest_cannot_view"
    wrong = httpx.get(woo.api_url + "orders", auth=(woo.consumer_key, "cs_wrong"))
    assert wrong.status_code == 401
    assert wrong.json() == {
        "code": "woocommerce_rest_authentication_error",
        "message": "Consumer secret is invalid.",
        "data": {"status": 401},
    }
    wrong_in_query = httpx.get(
        woo.api_url + "orders", params={"consumer_key": woo.consumer_key, "consumer_secret": "x"}
    )
    assert wrong_in_query.json()["code"] == "woocommerce_rest_authentication_error"


def test_the_authorization_header_wins_over_the_query_string(woo: WooSandboxServer) -> None:
    response = httpx.get(
        woo.api_url + "orders",
        params={"consumer_key": woo.consumer_key, "consumer_secret": woo.consumer_secret},
        auth=(woo.consumer_key, "cs_wrong"),
    )
    assert response.status_code == 401


@pytest.fixture(scope="module")
def read_only() -> Iterator[WooSandboxServer]:
    with WooSandboxServer(WooSandboxSettings(key_permissions="read")) as server:
        yield server


def test_a_read_only_key_reads_but_cannot_write(read_only: WooSandboxServer) -> None:
    assert httpx.get(read_only.api_url + "products", auth=read_only.auth).status_code == 200
    refused = httpx.post(read_only.api_url + "products", auth=read_only.auth, json={"name": "X"})
    assert refused.status_code == 401
    assert refused.json()["message"] == "The API key provided does not have write permissions."


def test_the_control_api_needs_no_key_and_is_not_woocommerce(woo: WooSandboxServer) -> None:
    description = httpx.get(woo.url + "/_sandbox").json()
    assert description["not_part_of_woocommerce"] is True
