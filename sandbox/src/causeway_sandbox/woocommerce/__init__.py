"""A wire-compatible WooCommerce sandbox: REST API v3 and webhooks, on 127.0.0.1.

It follows WooCommerce's public contract (woocommerce-rest-api-docs, WooCommerce's
own controllers) so that a connector that passes against it works against a real
store: API keys by HTTP Basic or in the query string, WordPress's pagination
headers and argument errors, orders with their notes and refunds, products and
variations with batch writes and per-item errors, stock that orders move, signed
webhooks that disable themselves after repeated failures. It can misbehave on
demand (429, 5xx, latency). The `/_sandbox/` control API drives it; see `control.py`.

URLs and credentials (`WooSandboxServer`, defaults of `WooSandboxSettings`):

- store URL: `server.store_url` = `http://127.0.0.1:<port>` (a free port);
- REST API: `server.api_url` = `http://127.0.0.1:<port>/wp-json/wc/v3/`;
- consumer key / secret: `server.consumer_key` / `server.consumer_secret`
  (`server.auth` for httpx), as HTTP Basic or `?consumer_key=...&consumer_secret=...`;
- control API: `http://127.0.0.1:<port>/_sandbox/`, or `server.control(method, path)`.

    from causeway_sandbox.woocommerce import WooSandboxServer, WooSandboxSettings

    with WooSandboxServer(WooSandboxSettings()) as woo:
        woo.control("POST", "products", json={"name": "Widget", "sku": "WID-1",
                    "regular_price": "9.99", "manage_stock": True, "stock_quantity": 5})
        woo.control("POST", "purchases", json={"lines": [{"sku": "WID-1", "quantity": 2}]})
        httpx.get(woo.api_url + "orders", auth=woo.auth).json()
"""

from causeway_sandbox.woocommerce.app import create_app
from causeway_sandbox.woocommerce.server import WooSandboxServer
from causeway_sandbox.woocommerce.settings import WooFaultSettings, WooSandboxSettings

__all__ = ["WooFaultSettings", "WooSandboxServer", "WooSandboxSettings", "create_app"]
