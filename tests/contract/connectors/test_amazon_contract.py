"""The Amazon connector keeps the channel contract, against the Amazon sandbox: stock set
absolutely through its listings feed, and searchOrders' change list followed by a cursor
without losing anything. What Amazon lacks (catalogue publishing, compare-and-set) is
skipped with the reason and listed in docs/connectors/writing-a-connector.md."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from causeway_sandbox.amazon import AmazonSandboxServer
from tests.contract.connectors.amazon_channel import AmazonChannel, sandbox_settings
from tests.contract.connectors.channel_contract import ChannelContract
from tests.contract.connectors.wire import Wire


@pytest.fixture
def subject() -> Iterator[AmazonChannel]:
    with (
        AmazonSandboxServer(sandbox_settings()) as amazon,
        Wire(amazon.url) as wire,
        AmazonChannel(amazon, wire) as channel,
    ):
        yield channel


class TestAmazonKeepsTheChannelContract(ChannelContract):
    pass
