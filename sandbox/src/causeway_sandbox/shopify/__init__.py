"""A wire-compatible Shopify sandbox: Admin GraphQL (2026-10, 2026-01) and webhooks, on 127.0.0.1.

It speaks Shopify's public contract (auth, calculated query cost and the leaky
bucket, cursors, userErrors, HMAC-signed webhooks with retries) so that a
connector that passes against it works against a real shop, and it can misbehave
on demand (5xx, 429, latency, duplicate and out-of-order webhooks). The
`/_sandbox/` control API drives it; see `control.py`.

    from causeway_sandbox.shopify import SandboxServer, SandboxSettings

    with SandboxServer(SandboxSettings(api_secret="s", access_token="t")) as shop:
        shop.control("POST", "products", json={"title": "Widget", "sku": "WID-1",
                                               "price": "9.99", "quantity": 5})
"""

from causeway_sandbox.shopify.app import create_app
from causeway_sandbox.shopify.server import SandboxServer
from causeway_sandbox.shopify.settings import FaultSettings, SandboxSettings

__all__ = ["FaultSettings", "SandboxServer", "SandboxSettings", "create_app"]
