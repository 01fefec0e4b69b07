"""Shopify orders, REST (webhook) or GraphQL (poll), to the one canonical Order.

The same order reaches the hub twice: as an orders/* webhook body (REST shape)
and again from the reconciling poll (GraphQL, ORDER_FIELDS). Both must give the
identical canonical Order, or the fingerprint of a link would flip on every
reconcile and an unchanged order would be pushed to the ERP again. So both paths
(rest_orders.py, graphql_orders.py) normalise through the same helpers
(order_normalise.py), with the same rules:

- times are converted to UTC (REST says -05:00, GraphQL says Z);
- tags are a sorted tuple (REST sends "a, b", GraphQL a list);
- empty optional strings become None;
- line titles are the line `name` ("Product - Variant"), as the customer saw it;
- landing_site_ref, when REST does not send one, is derived from the landing
  URL's ref/source/r parameter, which is what Shopify itself does, so GraphQL
  (which has no such field) derives the same value;
- buyer marketing consent is not taken from orders: ORDER_FIELDS does not carry
  it, and a REST-only value would make the two paths disagree. It comes from
  the customers stream.

- amounts (discounts, shipping discounts, edited orders) are read by the rules in
  order_amounts.py (docs/connectors/shopify.md, "How an order's amounts map");
  gift cards sold are flagged lines (never taxed, never stock); a gift card used to
  pay is a payment and leaves the order total alone; tips are their own amount.
"""

import json
from datetime import datetime

from causeway.connectors.shopify.graphql_orders import order_from_graphql
from causeway.connectors.shopify.order_normalise import gid_tail
from causeway.connectors.shopify.rest_orders import order_from_rest

__all__ = ["gid_tail", "order_from_graphql", "order_from_rest", "order_updated_at"]


def order_updated_at(body: bytes) -> datetime | None:
    """A stored order payload's `updated_at` (REST webhook) or `updatedAt` (polled), read
    without parsing the whole order; None when it has none or it cannot be read (the
    order's own job parks it with the reason)."""
    try:
        data = json.loads(body)
        stamp = data.get("updated_at") or data.get("updatedAt")
        parsed = datetime.fromisoformat(str(stamp)) if stamp else None
    except (ValueError, AttributeError):
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None
