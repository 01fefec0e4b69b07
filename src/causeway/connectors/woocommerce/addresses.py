"""Where a person sees a WooCommerce record: its edit screen in wp-admin.

An order and a product are WordPress posts, edited at
`<site>/wp-admin/post.php?post=<id>&action=edit` (with High-Performance Order Storage
on, WooCommerce redirects that address to its own order screen,
`admin.php?page=wc-orders&action=edit&id=<id>`); a customer is a WordPress user,
edited at `<site>/wp-admin/user-edit.php?user_id=<id>`. A refund has no screen of
its own: it is shown on its order's.
"""

from __future__ import annotations

POSTS = ("order", "product")


def admin_url(site_url: str, entity_type: str, external_id: str) -> str | None:
    """The wp-admin screen of the record, or None (no screen for that type, or not an id)."""
    if not external_id.isdigit():
        return None
    base = site_url.rstrip("/")
    if entity_type in POSTS:
        return f"{base}/wp-admin/post.php?post={external_id}&action=edit"
    if entity_type == "customer":
        return f"{base}/wp-admin/user-edit.php?user_id={external_id}"
    return None
