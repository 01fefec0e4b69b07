"""The WooCommerce connector (REST API v3 and signed webhooks): docs/connectors/woocommerce.md.

The hub builds a configured `type: woocommerce` system with `build_connector` and its
webhook receiver with `build_ingress`.
"""

from causeway.connectors.woocommerce.connector import WooCommerceConnector, build_connector
from causeway.connectors.woocommerce.ingress import WooCommerceIngress, build_ingress

__all__ = ["WooCommerceConnector", "WooCommerceIngress", "build_connector", "build_ingress"]
