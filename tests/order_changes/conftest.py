"""The end-to-end scenarios reuse tests/e2e's Shopify sandbox (selling the ERP's catalogue)."""

from tests.e2e.conftest import prefix, sandbox, shop

__all__ = ["prefix", "sandbox", "shop"]
