"""Lists page the way WordPress pages them: per_page up to 100, X-WP-Total and
X-WP-TotalPages, a Link header to follow, and rest_invalid_param for bad arguments."""

from __future__ import annotations

import re

import httpx
import pytest

from causeway_sandbox.woocommerce import WooSandboxServer
from tests.sandbox.woocommerce.conftest import buy, seed


def orders(woo: WooSandboxServer, count: int) -> list[int]:
    seed(woo, "PAGE-1", quantity=1000)
    return [buy(woo, "PAGE-1").json()["id"] for _ in range(count)]


def links(response: httpx.Response) -> dict[str, str]:
    return {
        rel: url
        for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("link", ""))
    }


def test_pages_carry_totals_and_links_that_walk_every_order_once(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    placed = orders(woo, 25)
    response = api.get("orders", params={"per_page": 10, "orderby": "id", "order": "asc"})
    seen, rels = [], []
    while True:
        assert (response.headers["X-WP-Total"], response.headers["X-WP-TotalPages"]) == ("25", "3")
        seen += [o["id"] for o in response.json()]
        rels.append(sorted(links(response)))
        if "next" not in links(response):
            break
        response = api.get(links(response)["next"])
    assert seen == placed
    assert rels == [["next"], ["next", "prev"], ["prev"]]


def test_the_link_header_keeps_the_query_string_credentials(woo: WooSandboxServer) -> None:
    orders(woo, 3)
    credentials = {"consumer_key": woo.consumer_key, "consumer_secret": woo.consumer_secret}
    first = httpx.get(woo.api_url + "orders", params={**credentials, "per_page": 2})
    second = httpx.get(links(first)["next"])
    assert second.status_code == 200
    assert len(second.json()) == 1


def test_a_page_past_the_end_is_empty_with_the_same_totals(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    orders(woo, 3)
    response = api.get("orders", params={"page": 9})
    assert response.status_code == 200
    assert response.json() == []
    assert (response.headers["X-WP-Total"], response.headers["X-WP-TotalPages"]) == ("3", "1")


@pytest.mark.parametrize(
    ("params", "name", "message"),
    [
        (
            {"per_page": 101},
            "per_page",
            "per_page must be between 1 (inclusive) and 100 (inclusive)",
        ),
        ({"per_page": 0}, "per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)"),
        ({"page": 0}, "page", "page must be greater than or equal to 1"),
        ({"per_page": "ten"}, "per_page", "per_page is not of type integer."),
        ({"order": "up"}, "order", "order is not one of asc and desc."),
        ({"modified_after": "yesterday"}, "modified_after", "Invalid date."),
        ({"after": "2024-01-31"}, "after", "Invalid date."),
    ],
)
def test_bad_list_arguments_are_a_400_naming_them(
    api: httpx.Client, params: dict, name: str, message: str
) -> None:
    response = api.get("orders", params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rest_invalid_param"
    assert body["message"] == f"Invalid parameter(s): {name}"
    assert body["data"]["status"] == 400
    assert body["data"]["params"] == {name: message}


def test_per_page_100_is_allowed(woo: WooSandboxServer, api: httpx.Client) -> None:
    orders(woo, 3)
    assert len(api.get("orders", params={"per_page": 100}).json()) == 3


def test_the_status_filter_and_the_sort_order(woo: WooSandboxServer, api: httpx.Client) -> None:
    placed = orders(woo, 4)
    woo.control("POST", f"orders/{placed[1]}/status", json={"status": "completed"})
    woo.control("POST", f"orders/{placed[2]}/status", json={"status": "cancelled"})
    completed = api.get("orders", params={"status": "completed"}).json()
    assert [o["id"] for o in completed] == [placed[1]]
    several = api.get(
        "orders", params={"status": "completed,cancelled", "orderby": "id", "order": "asc"}
    )
    assert [o["id"] for o in several.json()] == [placed[1], placed[2]]
    newest_first = api.get("orders", params={"orderby": "id"}).json()
    assert [o["id"] for o in newest_first] == placed[::-1]
    assert api.get("orders", params={"status": "shipped"}).status_code == 400
