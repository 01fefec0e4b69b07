"""WooCommerce's webhook topics, their hooks, and webhooks in the REST shape."""

from __future__ import annotations

from typing import Any

from causeway_sandbox.woocommerce.product_views import links
from causeway_sandbox.woocommerce.store import Store, Webhook

# WC_Webhook::get_default_topic_hooks(): the topics WooCommerce accepts, with the hooks
# it lists for each. Coupon and customer topics are accepted but never fire here: the
# sandbox has no coupons or customers.
TOPIC_HOOKS: dict[str, list[str]] = {
    "coupon.created": ["woocommerce_process_shop_coupon_meta", "woocommerce_new_coupon"],
    "coupon.updated": ["woocommerce_process_shop_coupon_meta", "woocommerce_update_coupon"],
    "coupon.deleted": ["wp_trash_post"],
    "coupon.restored": ["untrashed_post"],
    "customer.created": [
        "user_register",
        "woocommerce_created_customer",
        "woocommerce_new_customer",
    ],
    "customer.updated": ["profile_update", "woocommerce_update_customer"],
    "customer.deleted": ["delete_user"],
    "order.created": ["woocommerce_new_order"],
    "order.updated": [
        "woocommerce_update_order",
        "woocommerce_order_refunded",
        "woocommerce_delete_order_refund",
    ],
    "order.deleted": ["wp_trash_post", "woocommerce_trash_order"],
    "order.restored": ["untrashed_post", "woocommerce_untrash_order"],
    "product.created": [
        "woocommerce_process_product_meta",
        "woocommerce_new_product",
        "woocommerce_new_product_variation",
    ],
    "product.updated": [
        "woocommerce_process_product_meta",
        "woocommerce_update_product",
        "woocommerce_update_product_variation",
    ],
    "product.deleted": ["wp_trash_post"],
    "product.restored": ["untrashed_post"],
    "product.published": ["woocommerce_product_published"],
}
STATUSES = ("active", "paused", "disabled")


def valid_topic(topic: str) -> bool:
    return topic in TOPIC_HOOKS or (topic.startswith("action.") and len(topic) > 7)


def hooks(topic: str) -> list[str]:
    if topic.startswith("action."):
        return [topic.split(".", 1)[1]]
    return list(TOPIC_HOOKS.get(topic, []))


def render_webhook(hook: Webhook, store: Store) -> dict[str, Any]:
    """The webhook as the REST API writes it (the docs' example; the secret is write-only)."""
    resource, _, event = hook.topic.partition(".")
    return {
        "id": hook.id,
        "name": hook.name,
        "status": hook.status,
        "topic": hook.topic,
        "resource": resource,
        "event": event,
        "hooks": hooks(hook.topic),
        "delivery_url": hook.delivery_url,
        **store.clock.pair("date_created", hook.date_created),
        **store.clock.pair("date_modified", hook.date_modified),
        "_links": links(store.site_url, f"webhooks/{hook.id}", "webhooks"),
    }
