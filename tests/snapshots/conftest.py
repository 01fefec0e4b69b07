"""The end-to-end scenarios' Shopify sandbox (`sandbox`, `shop`), for the snapshot
scenario against the real Tryton."""

from tests.e2e.conftest import sandbox, shop

__all__ = ["sandbox", "shop"]
