"""The sandbox's GraphQL discount applications: each keeps its own index and its own
place in the pages, as Shopify's do, even when two are alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from causeway_sandbox.shopify.server import SandboxServer
from causeway_sandbox.shopify.settings import SandboxSettings
from tests.sandbox.test_shopify_sandbox import TOKEN, checkout, gql, stock

PAGE = """
query Applications($id: ID!, $after: String) {
  order(id: $id) {
    discountApplications(first: 1, after: $after) {
      edges { cursor node { index } }
      pageInfo { hasNextPage }
    }
  }
}
"""


@pytest.fixture
def shop() -> Iterator[SandboxServer]:
    server = SandboxServer(SandboxSettings(access_token=TOKEN)).start()
    yield server
    server.stop()


def test_two_identical_line_discounts_are_two_applications_page_by_page(
    shop: SandboxServer,
) -> None:
    stock(shop, "WID-001", price="10.00")
    stock(shop, "GAD-001", price="10.00")
    order = checkout(
        shop,
        lines=[
            {"sku": "WID-001", "quantity": 1, "discount": "1.00"},
            {"sku": "GAD-001", "quantity": 1, "discount": "1.00"},
        ],
    )
    assert len(order["discount_applications"]) == 2
    seen: list[int] = []
    after: str | None = None
    for _ in range(3):  # two pages, and one more would be a loop
        variables: dict[str, Any] = {"id": f"gid://shopify/Order/{order['id']}", "after": after}
        page = gql(shop, PAGE, variables).json()["data"]["order"]["discountApplications"]
        seen += [edge["node"]["index"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["edges"][-1]["cursor"]
    assert seen == [0, 1]
