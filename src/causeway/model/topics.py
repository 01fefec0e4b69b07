"""The hub's names for the changes a store announces: the topics of inbox records.

Flows declare which of these start their jobs (flows/*/declaration.py); each store
connector's webhook ingress writes its vendor's deliveries under these names (keeping
the vendor's own topic in the record's headers), and its `subscribe_webhooks` maps them
back to what its vendor calls them. So a flow names no vendor's topics and serves every
store the same way.

The names are those the hub has always stored (they happen to be Shopify's): inbox
records received before an upgrade keep routing to the same flows, with no migration.
"""

from __future__ import annotations

ORDER_CREATED = "orders/create"
ORDER_UPDATED = "orders/updated"  # anything about the order changed, its status included
ORDER_PAID = "orders/paid"
ORDER_CANCELLED = "orders/cancelled"
ORDER_DELETED = "orders/delete"  # gone from the store (WooCommerce: trashed)
REFUND_CREATED = "refunds/create"
PRODUCT_UPDATED = "products/update"
CHECKOUT_CREATED = "checkouts/create"  # a shopper gave contact details at checkout
CHECKOUT_UPDATED = "checkouts/update"  # the checkout changed (lines, e-mail, completed_at)
# A marketplace's notice that an order changed, naming it without its body (Amazon's
# ORDER_CHANGE, read from its SQS queue): the order is then fetched from the channel.
ORDER_CHANGE = "ORDER_CHANGE"
