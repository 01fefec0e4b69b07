"""The channel contract can fail: each property, run against a deliberately broken variant
of the real Shopify connector (or of its webhook parser), fails for the reason it names.

The variants are the mistakes a channel connector author makes: publishing stock as an
adjustment, dropping the compare-and-set, taking an order's creation time for its
version, turning the change list's pages by position, treating the cursor as exclusive,
stopping after the first page, stamping changes in the shop's local time without its
zone, forgetting the product a cut-short create left, and keeping on sale what is no
longer for sale; and, on Amazon, searching orders by creation date (createdAfter) instead of
by change (lastUpdatedAfter), as the common Amazon connectors do.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from causeway.connectors.amazon.client import Params
from causeway.connectors.amazon.connector import AmazonConnector
from causeway.connectors.shopify.connector import (
    OrderChange,
    QuantityChange,
    SetOutcome,
    ShopifyConnector,
)
from causeway.connectors.shopify.mapping import order_from_rest
from causeway.connectors.shopify.products import Listing
from causeway.engine.store import Store
from causeway.model import Order
from causeway.model.catalog import CatalogItem
from causeway_sandbox.amazon import AmazonSandboxServer
from causeway_sandbox.shopify import SandboxServer
from tests.contract.connectors import amazon_channel
from tests.contract.connectors.amazon_channel import AmazonChannel
from tests.contract.connectors.channel_contract import ChannelContract
from tests.contract.connectors.shopify_channel import ShopifyChannel, sandbox_settings
from tests.contract.connectors.wire import Wire

Variant = Callable[..., ShopifyChannel]
CONTRACT = ChannelContract()
SHOP_TIME = timezone(timedelta(minutes=sandbox_settings().shop_utc_offset_minutes))


class AddsToStock(ShopifyConnector):
    """Publishes a quantity as an addition to what the store has (an adjustment)."""

    def set_available(self, quantities: list[QuantityChange], **options: Any) -> SetOutcome:
        current = self.available_quantities(
            [c.inventory_item_id for c in quantities], quantities[0].location_id
        )
        added = [
            c.model_copy(update={"quantity": current[c.inventory_item_id] + c.quantity})
            for c in quantities
        ]
        outcome = super().set_available(added, **options)
        return outcome.model_copy(update={"applied": quantities if outcome.applied else []})


class IgnoresTheExpectedQuantity(ShopifyConnector):
    """Sets every quantity without comparing: a sale in between is overwritten."""

    def set_available(self, quantities: list[QuantityChange], **options: Any) -> SetOutcome:
        blind = [c.model_copy(update={"compare_quantity": None}) for c in quantities]
        outcome = super().set_available(blind, **options)
        return outcome.model_copy(update={"applied": quantities if outcome.applied else []})


class PagesByPosition(ShopifyConnector):
    """Turns the pages of the change list by position (page n is entries n*size onwards,
    counted afresh), not by Shopify's cursor: an order that changes while the pages are
    read moves to the end, and the entry after it slides onto a page already read."""

    def order_changes_since(self, since: datetime | None, page_size: int = 100) -> Any:
        start = 0
        while True:
            fresh = super().order_changes_since(since, page_size)
            page = list(itertools.islice(fresh, start, start + page_size))
            yield from page
            if len(page) < page_size:
                return
            start += page_size


class ExcludesTheCursor(ShopifyConnector):
    """Lists only what changed strictly after `since`."""

    def order_changes_since(self, since: datetime | None, page_size: int = 100) -> Any:
        changes = super().order_changes_since(since, page_size)
        return [c for c in changes if since is None or c.updated_at > since]


class ReadsOnlyTheFirstPage(ShopifyConnector):
    def order_changes_since(self, since: datetime | None, page_size: int = 100) -> Any:
        changes = list(super().order_changes_since(since, page_size))
        return changes[:page_size]


class StampsInShopTimeWithoutZone(ShopifyConnector):
    """Lists changes in the shop's local time, the zone dropped (read later as UTC)."""

    def order_changes_since(self, since: datetime | None, page_size: int = 100) -> Any:
        for change in super().order_changes_since(since, page_size):
            local = change.updated_at.astimezone(SHOP_TIME).replace(tzinfo=None)
            yield OrderChange(external_id=change.external_id, updated_at=local)


class ForgetsUnfinishedCreates(ShopifyConnector):
    """Looks listings up by SKU only: a product whose create landed before its variant
    got the SKU is not found, and created again."""

    def unfinished_listings(self, skus: Any) -> dict[str, Listing]:
        return {}


class KeepsEverythingOnSale(ShopifyConnector):
    """Publishes every item as for sale, whatever the ERP says."""

    def publish_listings(
        self, items: dict[str, tuple[Listing | None, CatalogItem]]
    ) -> dict[str, Any]:
        on_sale = {
            sku: (listing, item.model_copy(update={"active": True}))
            for sku, (listing, item) in items.items()
        }
        return super().publish_listings(on_sale)


class SearchesByCreation(AmazonConnector):
    """Searches Amazon's orders by createdAfter, not lastUpdatedAfter: an order paid,
    shipped or cancelled after the search window's start is never listed again."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        get = self.client.get

        def by_creation(operation: str, path: str, params: Params | None = None) -> Any:
            if operation == "searchOrders" and params and "lastUpdatedAfter" in params:
                params = {
                    ("createdAfter" if key == "lastUpdatedAfter" else key): value
                    for key, value in params.items()
                }
            return get(operation, path, params)

        self.client.get = by_creation  # type: ignore[method-assign]


def version_is_creation(payload: dict[str, Any]) -> Order:
    """A webhook parser that takes the order's creation time for its version."""
    order = order_from_rest(payload)
    return order.model_copy(update={"updated_at": order.created_at})


@pytest.fixture
def channel() -> Iterator[Variant]:
    """The Shopify subject built on a connector class (or webhook parser) of the test's
    choosing, each on a sandbox of its own."""
    with ExitStack() as opened:

        def variant(**broken: Any) -> ShopifyChannel:
            shop = opened.enter_context(SandboxServer(sandbox_settings()))
            wire = opened.enter_context(Wire(shop.url))
            return opened.enter_context(ShopifyChannel(shop, wire, **broken))

        yield variant


def test_the_suite_catches_a_connector_that_adds_to_the_stock(channel: Variant) -> None:
    with pytest.raises(AssertionError, match="not a sum"):
        CONTRACT.test_setting_a_quantity_twice_leaves_that_quantity(channel(build=AddsToStock))
    with pytest.raises(AssertionError, match="exactly the number given"):
        CONTRACT.test_a_set_after_a_sale_sets_exactly_the_number_given(channel(build=AddsToStock))
    with pytest.raises(AssertionError, match="land exactly once"):
        CONTRACT.test_a_set_whose_answer_was_lost_leaves_exactly_the_number(
            channel(build=AddsToStock)
        )


def test_the_suite_catches_a_connector_that_ignores_the_expected_quantity(
    channel: Variant,
) -> None:
    with pytest.raises(AssertionError, match="after a sale was applied"):
        CONTRACT.check_a_set_with_a_stale_expected_quantity_is_refused(
            channel(build=IgnoresTheExpectedQuantity)
        )


def test_the_suite_catches_a_parser_that_takes_creation_for_the_version(
    channel: Variant,
) -> None:
    with pytest.raises(AssertionError, match="an older version must carry an older updated_at"):
        CONTRACT.test_an_older_version_of_an_order_is_recognisably_older(
            channel(parse_webhook=version_is_creation)
        )
    with pytest.raises(AssertionError, match="one version, three times"):
        CONTRACT.test_the_webhook_the_poll_and_the_change_list_agree_on_an_orders_version(
            channel(parse_webhook=version_is_creation)
        )


def test_the_suite_catches_a_change_list_paged_by_position(channel: Variant) -> None:
    with pytest.raises(AssertionError, match="the cursor moves past them"):
        CONTRACT.test_an_order_changed_while_the_list_is_read_is_listed_or_left_for_the_next_read(
            channel(build=PagesByPosition)
        )


def test_the_suite_catches_a_change_list_that_excludes_the_cursor(channel: Variant) -> None:
    with pytest.raises(AssertionError, match="changed at the cursor"):
        CONTRACT.test_an_order_changed_exactly_at_the_cursor_is_listed(
            channel(build=ExcludesTheCursor)
        )


def test_the_suite_catches_a_change_list_that_stops_after_one_page(channel: Variant) -> None:
    with pytest.raises(AssertionError, match="changed since the cursor but not listed"):
        CONTRACT.test_every_order_changed_since_the_cursor_is_listed_over_several_pages(
            channel(build=ReadsOnlyTheFirstPage)
        )


def test_the_suite_catches_change_stamps_in_shop_time_without_a_zone(
    channel: Variant, sqlite_store: Store
) -> None:
    with pytest.raises(AssertionError, match="need a zone"):
        CONTRACT.test_the_webhook_the_poll_and_the_change_list_agree_on_an_orders_version(
            channel(build=StampsInShopTimeWithoutZone)
        )
    # What it costs: the hub's cursor, reading the stamps as UTC, runs ahead and skips.
    with pytest.raises(AssertionError, match="the next poll must list the edit"):
        CONTRACT.test_the_hubs_cursor_following_the_change_list_misses_no_change(
            channel(build=StampsInShopTimeWithoutZone), sqlite_store
        )


def test_the_suite_catches_a_connector_blind_to_a_cut_short_create(channel: Variant) -> None:
    with pytest.raises(AssertionError, match="the retry was refused"):
        CONTRACT.test_a_publish_whose_answer_was_lost_leaves_one_listing_not_two(
            channel(build=ForgetsUnfinishedCreates)
        )


def test_the_suite_catches_a_connector_keeping_on_sale_what_is_not(channel: Variant) -> None:
    with pytest.raises(AssertionError, match="off sale"):
        CONTRACT.test_an_item_no_longer_for_sale_is_taken_off_sale_not_deleted(
            channel(build=KeepsEverythingOnSale)
        )


def test_the_suite_catches_an_amazon_search_by_creation_date() -> None:
    with (
        AmazonSandboxServer(amazon_channel.sandbox_settings()) as amazon,
        Wire(amazon.url) as wire,
        AmazonChannel(amazon, wire, build=SearchesByCreation) as subject,
        pytest.raises(AssertionError, match="must go by the change, not by the creation"),
    ):
        CONTRACT.test_an_old_order_changed_at_the_cursor_is_listed_by_its_change(subject)


def test_shop_time_is_east_of_utc_so_a_lost_zone_moves_the_cursor_ahead() -> None:
    # The last check only bites in a shop east of UTC: keep the sandbox's shop there.
    assert datetime(2026, 1, 1, 12, tzinfo=SHOP_TIME) < datetime(2026, 1, 1, 12, tzinfo=UTC)
