"""The Shopify connector keeps the channel contract, against the wire-compatible sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from causeway_sandbox.shopify import SandboxServer
from tests.contract.connectors.channel_contract import ChannelContract
from tests.contract.connectors.shopify_channel import ShopifyChannel, sandbox_settings
from tests.contract.connectors.wire import Wire


@pytest.fixture
def subject() -> Iterator[ShopifyChannel]:
    with (
        SandboxServer(sandbox_settings()) as shop,
        Wire(shop.url) as wire,
        ShopifyChannel(shop, wire) as channel,
    ):
        yield channel


class TestShopifyKeepsTheChannelContract(ChannelContract):
    pass
