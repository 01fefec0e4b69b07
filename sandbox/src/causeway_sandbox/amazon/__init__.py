"""A wire-compatible Amazon Selling Partner API sandbox (Orders v2026-01-01), on 127.0.0.1.

It follows Amazon's OpenAPI model (vendor-samples/amazon/orders_2026-01-01.json; the tests
validate its answers against it): Login with Amazon's refresh-token grant with tokens that
expire, searchOrders by lastUpdatedAfter in nextToken pages, getOrder, `includedData`,
per-operation token buckets answering `x-amzn-RateLimit-Limit` and 429 QuotaExceeded in
Amazon's error format, and faults on demand (5xx, 429 storms, latency).

    from causeway_sandbox.amazon import AmazonSandboxServer

    with AmazonSandboxServer() as amazon:
        amazon.control("POST", "orders", json=order)   # Amazon's own order shape
        # connector: endpoint=amazon.endpoint, token_url=amazon.token_url,
        # client_id/secret, refresh_token, selling_partner_id = amazon.settings.*
"""

from causeway_sandbox.amazon.app import create_app
from causeway_sandbox.amazon.server import AmazonSandboxServer
from causeway_sandbox.amazon.settings import AmazonFaultSettings, AmazonSandboxSettings

__all__ = ["AmazonFaultSettings", "AmazonSandboxServer", "AmazonSandboxSettings", "create_app"]
