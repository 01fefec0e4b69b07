"""Each connector is the ports it stands for (model/ports): every method a flow may call
on a channel, an ERP, a CRM or a drop folder is there. (mypy checks the signatures: see
the end of each connector module.)"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from causeway.config.systems import FilesSystem
from causeway.connectors.files.connector import FilesConnector
from causeway.connectors.hubspot.connector import HubSpotConnector
from causeway.connectors.shopify.connector import ShopifyConnector
from causeway.connectors.tryton.connector import TrytonConnector
from causeway.connectors.woocommerce import WooCommerceConnector
from causeway.model.ports import (
    Channel,
    Crm,
    Erp,
    FileChannel,
    OrderChannel,
    RefundChannel,
    StockChannel,
)
from tests.engine.amounts_erp import an_order


def test_shopify_is_a_whole_channel() -> None:
    with ShopifyConnector("https://shop.example", "token") as shop:
        assert isinstance(shop, Channel)


def test_woocommerce_is_a_whole_channel() -> None:
    """Refunds included: they are announced by the order's update and read by order."""
    with WooCommerceConnector("https://shop.example", "ck_key", "cs_secret") as shop:
        assert isinstance(shop, Channel)
        assert isinstance(shop, RefundChannel)


def test_tryton_is_a_whole_erp_and_no_channel() -> None:
    with TrytonConnector("http://127.0.0.1:1", "db", "user", "password") as erp:
        assert isinstance(erp, Erp)
        assert not isinstance(erp, StockChannel)


def test_hubspot_is_a_whole_crm() -> None:
    crm = HubSpotConnector("http://127.0.0.1:1", "token")
    try:
        assert isinstance(crm, Crm)
    finally:
        crm.close()


def test_a_drop_folder_is_an_order_channel_and_a_file_channel_only(tmp_path: Path) -> None:
    files = FilesConnector(FilesSystem(type="files", folder=str(tmp_path)), system="csv")
    assert isinstance(files, OrderChannel)
    assert isinstance(files, FileChannel)
    assert not isinstance(files, Channel)


def test_a_channel_reads_the_stamp_of_its_own_stored_orders(tmp_path: Path) -> None:
    """orders-to-erp's poll compares the stamp of queued orders without parsing them: each
    channel reads its own bodies (a Shopify webhook's updated_at, a polled updatedAt, a
    drop folder's canonical order); what it cannot read has no stamp, and its job parks it."""
    order = an_order(1001, "10.00", "1.00")
    files = FilesConnector(FilesSystem(type="files", folder=str(tmp_path)), system="csv")
    assert files.order_updated_at(order.model_dump_json().encode()) == order.updated_at
    with ShopifyConnector("https://shop.example", "token") as shop:
        assert shop.order_updated_at(b'{"updated_at": "2026-11-22T04:05:00-05:00"}') == (
            datetime(2026, 11, 22, 9, 5, tzinfo=UTC)
        )
        assert shop.order_updated_at(b'{"updatedAt": "2026-11-22T09:05:00Z"}') == (
            datetime(2026, 11, 22, 9, 5, tzinfo=UTC)
        )
        assert shop.order_updated_at(b'{"updated_at": "2026-11-22T09:05:00"}') is None  # naive
    for unreadable in (b"[1]", b"\xff", b'{"number": "#1"}'):
        assert files.order_updated_at(unreadable) is None
        with ShopifyConnector("https://shop.example", "token") as shop:
            assert shop.order_updated_at(unreadable) is None
