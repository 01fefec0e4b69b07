"""The sandbox as a selling marketplace (setting `sell_from_listings`, used by the flash-sale
benchmark): a buyer's checkout takes its units from the listing's DEFAULT quantity and is
refused beyond it, whatever the hub last published; without the setting checkouts make
orders whatever the listings hold (every other test's sandbox)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from causeway_sandbox.amazon.server import AmazonSandboxServer
from causeway_sandbox.amazon.settings import AmazonSandboxSettings


@pytest.fixture(scope="module")
def marketplace() -> Iterator[AmazonSandboxServer]:
    with AmazonSandboxServer(AmazonSandboxSettings(sell_from_listings=True)) as server:
        yield server


def buy(amazon: AmazonSandboxServer, sku: str, quantity: int, **more: str) -> httpx.Response:
    body = {"lines": [{"sku": sku, "quantity": quantity, "unit_price": "20.00"}], **more}
    return httpx.post(f"{amazon.url}/_sandbox/checkouts", json=body)


def test_a_buyer_takes_units_from_the_listing_and_is_refused_beyond_it(
    marketplace: AmazonSandboxServer,
) -> None:
    marketplace.control(
        "POST", "listings", json={"sku": "SELL-1", "productType": "PRODUCT"} | {"quantity": 3}
    )
    assert buy(marketplace, "SELL-1", 2).status_code == 200
    assert marketplace.control("GET", "listings").json()["SELL-1"] == 1
    refused = buy(marketplace, "SELL-1", 2)
    assert refused.status_code == 409 and "2 asked, 1 left" in refused.text
    assert marketplace.control("GET", "listings").json()["SELL-1"] == 1  # nothing taken
    assert buy(marketplace, "SELL-1", 1).status_code == 200
    assert buy(marketplace, "SELL-1", 1).status_code == 409  # sold out
    assert marketplace.control("GET", "listings").json()["SELL-1"] == 0


def test_a_sku_not_listed_cannot_be_bought_and_fba_orders_take_nothing(
    marketplace: AmazonSandboxServer,
) -> None:
    assert buy(marketplace, "NOT-LISTED", 1).status_code == 409
    fba = {"sku": "FBA-1", "productType": "PRODUCT", "fulfillmentChannelCode": "AMAZON_NA"}
    marketplace.control("POST", "listings", json=fba)
    # Amazon counts FBA stock in its own warehouses: the sandbox does not keep it.
    assert buy(marketplace, "FBA-1", 1, fulfilled_by="AMAZON").status_code == 200


def test_without_the_setting_a_checkout_needs_no_listing(amazon: AmazonSandboxServer) -> None:
    assert buy(amazon, "UNLISTED", 5).status_code == 200
