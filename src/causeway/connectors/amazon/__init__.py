"""The Amazon connector (Selling Partner API, Orders v2026-01-01): docs/connectors/amazon.md.

The hub builds a configured `type: amazon` system with `build_connector`. Amazon sends no
webhooks: its orders come in by the reconciling poll.
"""

from causeway.connectors.amazon.connector import AmazonConnector, build_connector

__all__ = ["AmazonConnector", "build_connector"]
