"""The WooCommerce connector keeps the channel contract, against the wire-compatible sandbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from datetime import datetime, timedelta
from typing import Any

import pytest

from causeway.connectors.woocommerce import WooCommerceConnector
from causeway.errors import PermanentError
from causeway_sandbox.woocommerce import WooSandboxServer
from tests.contract.connectors.channel_contract import ChannelContract
from tests.contract.connectors.wire import Wire
from tests.contract.connectors.woocommerce_channel import (
    WooCommerceChannel,
    sandbox_settings,
)


@pytest.fixture
def subject() -> Iterator[WooCommerceChannel]:
    with (
        WooSandboxServer(sandbox_settings()) as woo,
        Wire(woo.url) as wire,
        WooCommerceChannel(woo, wire) as channel,
    ):
        yield channel


class TestWooCommerceKeepsTheChannelContract(ChannelContract):
    pass


# -- the suite catches what a WooCommerce connector could get wrong -----------------------


class ReadsOldestFirst(WooCommerceConnector):
    """Reads the change list oldest change first over WooCommerce's numbered pages: an
    order changed while the pages are read leaves its place, and the order after it
    slides onto a page already read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        read = self.client.items

        def oldest_first(
            path: str, params: Mapping[str, Any] | None = None, **options: Any
        ) -> Iterator[Any]:
            ascending = {**params, "order": "asc"} if path == "/orders" and params else params
            return read(path, ascending, **options)

        self.client.items = oldest_first  # type: ignore[method-assign]


class FailsTheWholeBatch(WooCommerceConnector):
    """Treats one refused item as a failed batch, as a client reading only the HTTP
    status would not (WooCommerce answers 200 with the item's error in its place)."""

    def publish_listings(self, items: Any) -> Any:
        result = super().publish_listings(items)
        refused = [r for r in result.values() if isinstance(r, PermanentError)]
        if refused:
            raise refused[0]
        return result


class DropsTheSecondOfMargin(WooCommerceConnector):
    """Asks for orders modified after the cursor itself: WooCommerce's modified_after is
    exclusive, so an order changed in the cursor's own second is left out."""

    def order_changes_since(self, since: datetime | None, page_size: int = 100) -> Any:
        later = None if since is None else since + timedelta(seconds=1)
        return super().order_changes_since(later, page_size)


@pytest.fixture
def variant() -> Iterator[Callable[[type[WooCommerceConnector]], WooCommerceChannel]]:
    with ExitStack() as opened:

        def build(connector: type[WooCommerceConnector]) -> WooCommerceChannel:
            woo = opened.enter_context(WooSandboxServer(sandbox_settings()))
            wire = opened.enter_context(Wire(woo.url))
            return opened.enter_context(WooCommerceChannel(woo, wire, build=connector))

        yield build


def test_the_suite_catches_a_change_list_read_oldest_first_by_page_number(
    variant: Callable[[type[WooCommerceConnector]], WooCommerceChannel],
) -> None:
    with pytest.raises(AssertionError, match="the cursor moves past them"):
        ChannelContract().test_an_order_changed_while_the_list_is_read_is_listed_or_left_for_the_next_read(
            variant(ReadsOldestFirst)
        )


def test_the_suite_catches_a_change_list_without_the_second_of_margin(
    variant: Callable[[type[WooCommerceConnector]], WooCommerceChannel],
) -> None:
    with pytest.raises(AssertionError, match="changed at the cursor"):
        ChannelContract().test_an_order_changed_exactly_at_the_cursor_is_listed(
            variant(DropsTheSecondOfMargin)
        )


def test_the_suite_catches_one_refused_product_failing_the_whole_batch(
    variant: Callable[[type[WooCommerceConnector]], WooCommerceChannel],
) -> None:
    with pytest.raises(AssertionError, match="a refusal failed the whole publish"):
        ChannelContract().test_a_refused_sku_is_refused_alone_with_the_stores_reason(
            variant(FailsTheWholeBatch)
        )
